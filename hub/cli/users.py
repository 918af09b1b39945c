"""`hearth user`: the accounts of the web app (add, list, remove, passwd, token)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from hub.accounts.roles import ALLOWED, Permission, Role
from hub.accounts.store import AccountError, AccountStore, check_name, check_password
from hub.cli.common import config_option, db_option, fail, known_errors, load_or_exit
from hub.store.database import StoreError, open_database


@contextmanager
def account_store(config_path: Path, db_path: Path | None) -> Iterator[AccountStore]:
    config = load_or_exit(config_path)
    path = db_path or config.storage.path
    with known_errors(StoreError):
        conn = open_database(path).conn
    try:
        yield AccountStore(conn)
    finally:
        conn.close()


def _password(password_file: Path | None) -> str:
    """From --password-file (first line), or asked twice without echo."""
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"--password-file {password_file}: cannot read it ({exc})", 2)
        password = text.splitlines()[0] if text.strip() else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with known_errors(AccountError):
        return check_password(password)


@click.group("user")
@config_option()
@db_option
@click.pass_context
def user_command(ctx: click.Context, config_path: Path, db_path: Path | None) -> None:
    """Accounts of the web app: family, paid_carer, coordinator, admin."""
    ctx.obj = (config_path, db_path)


password_file_option = click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the password from the first line of this file instead of asking.",
)


@user_command.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do."
)
@password_file_option
@click.pass_obj
def add_command(
    obj: tuple[Path, Path | None], name: str, role: str, password_file: Path | None
) -> None:
    """Create an account NAME with a role; the password is asked twice."""
    with known_errors(AccountError):
        check_name(name)
    password = _password(password_file)
    with account_store(*obj) as store, known_errors(AccountError):
        store.add(name, Role(role), password, datetime.now(UTC))
    click.echo(f"account {name} added ({role})")


@user_command.command("list")
@click.pass_obj
def list_command(obj: tuple[Path, Path | None]) -> None:
    """The accounts, with role and when the password was last set."""
    zone = ZoneInfo(load_or_exit(obj[0]).home.timezone)
    with account_store(*obj) as store:
        found = store.accounts()
    if not found:
        click.echo("no accounts; add one with `hearth user add NAME --role admin`")
    for account in found:
        changed = account.password_changed_at.astimezone(zone)
        click.echo(f"{account.name:<20} {account.role.value:<12} password set {changed:%Y-%m-%d}")


@user_command.command("remove")
@click.argument("name")
@click.pass_obj
def remove_command(obj: tuple[Path, Path | None], name: str) -> None:
    """Remove an account; its sessions and API tokens stop working at once."""
    with account_store(*obj) as store, known_errors(AccountError):
        store.remove(name)
    click.echo(f"account {name} removed")


@user_command.command("passwd")
@click.argument("name")
@password_file_option
@click.pass_obj
def passwd_command(obj: tuple[Path, Path | None], name: str, password_file: Path | None) -> None:
    """Set a new password; the account is logged out everywhere."""
    with account_store(*obj) as store:
        if store.account(name) is None:
            fail(f"there is no account {name!r}")
        password = _password(password_file)
        with known_errors(AccountError):
            store.set_password(name, password, datetime.now(UTC))
    click.echo(f"password of {name} changed")


@user_command.command("token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke all of the account's API tokens instead.")
@click.pass_obj
def token_command(obj: tuple[Path, Path | None], name: str, revoke: bool) -> None:
    """Make an API token for NAME (coordinator or admin), printed once: keep it safe."""
    with account_store(*obj) as store, known_errors(AccountError):
        account = store.account(name)
        if account is None:
            raise AccountError(f"there is no account {name!r}")
        if revoke:
            count = store.revoke_api_tokens(name)
            click.echo(f"{count} API token(s) of {name} revoked")
            return
        if Permission.USE_API not in ALLOWED[account.role]:
            raise AccountError(
                f"{name} is {account.role.value}: only coordinator and admin accounts use the API"
            )
        token = store.new_api_token(name, datetime.now(UTC))
    click.echo(token)
