"""`hearth alerts`: the alerts, each one's full history, and acknowledging or closing one."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from hub.alerts import actions
from hub.alerts.lifecycle import LifecycleError
from hub.alerts.model import Alert, Via
from hub.alerts.store import AlertStore
from hub.cli.common import config_option, db_option, known_errors, load_or_exit
from hub.config.models import HearthConfig
from hub.config.secrets import SecretError
from hub.modes import Mode
from hub.store.database import StoreError, open_database

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable text, or JSON.",
)


@contextmanager
def alert_store(config: HearthConfig, db_path: Path | None) -> Iterator[AlertStore]:
    path = db_path or config.storage.path
    with known_errors(StoreError):
        if not path.exists():
            raise StoreError(f"no database at {path}: has `hearth run` or `hearth replay` run?")
        conn = open_database(path).conn
    try:
        yield AlertStore(conn)
    finally:
        conn.close()


@click.group("alerts", invoke_without_command=True)
@config_option()
@db_option
@click.option("--open", "open_only", is_flag=True, help="Only alerts not yet finished.")
@click.option("--limit", default=20, show_default=True, help="How many of the latest to list.")
@format_option
@click.pass_context
def alerts_command(  # noqa: PLR0917 (click passes each option)
    ctx: click.Context,
    config_path: Path,
    db_path: Path | None,
    open_only: bool,
    limit: int,
    fmt: str,
) -> None:
    """List alerts (newest first) with the home's mode; see the subcommands for more."""
    ctx.obj = (config_path, db_path)
    if ctx.invoked_subcommand is not None:
        return
    config = load_or_exit(config_path)
    zone = ZoneInfo(config.home.timezone)
    with alert_store(config, db_path) as store:
        found = store.recent(limit, unfinished_only=open_only)
        setting = store.mode_setting()
    now = datetime.now(UTC)
    mode = setting.in_force(now) if setting else Mode.HOME
    if fmt == "json":
        click.echo(
            json.dumps({"mode": mode.value, "alerts": [_record(a) for a in found]}, indent=2)
        )
        return
    if mode is not Mode.HOME and setting is not None:
        until = f" until {_local(setting.until, zone)}" if setting.until else ""
        click.echo(f"Mode: {mode.value}{until} (set by {setting.set_by}); some rules are paused")
    if not found:
        click.echo("no alerts" + (" open" if open_only else ""))
    for alert in found:
        click.echo(
            f"#{alert.id:<4} {_local(alert.raised_at, zone)}  {alert.severity.value:<7} "
            f"{alert.state.value:<12} {alert.summary}"
        )


@alerts_command.command("show")
@click.argument("alert_id", type=int)
@format_option
@click.pass_obj
def show_command(obj: tuple[Path, Path | None], alert_id: int, fmt: str) -> None:
    """One alert's full history: raised, asked, notified, escalated, acknowledged, resolved."""
    config = load_or_exit(obj[0])
    zone = ZoneInfo(config.home.timezone)
    with alert_store(config, obj[1]) as store:
        alert = store.alert(alert_id)
        if alert is None:
            raise click.ClickException(f"there is no alert {alert_id}")
        moments = store.history(alert_id)
        deliveries = store.deliveries(alert_id)
    if fmt == "json":
        record = _record(alert) | {
            "history": [
                {"at": m.at.isoformat(), "action": m.action.value, "by": m.actor,
                 "via": m.via.value, "detail": m.detail}
                for m in moments
            ],
            "deliveries": [
                {"recipient": r or "mqtt", "channel": c + 1, "state": s, "attempts": n,
                 "last_error": e}
                for r, c, s, n, e in deliveries
            ],
        }  # fmt: skip
        click.echo(json.dumps(record, indent=2))
        return
    click.echo(f"Alert #{alert.id}: {alert.summary}")
    click.echo(f"  {alert.severity.value}, {alert.state.value}; since {_local(alert.since, zone)}")
    for moment in moments:
        who = f" by {moment.actor}" if moment.actor != "hub" else ""
        detail = f": {moment.detail}" if moment.detail else ""
        click.echo(
            f"  {_local(moment.at, zone)}  {moment.action.value}{who} ({moment.via.value}){detail}"
        )
    if deliveries:
        click.echo("  Messages:")
    for recipient, channel, state, attempts, error in deliveries:
        where = f"{recipient} channel {channel + 1}" if recipient else "MQTT alert topic"
        tail = f", last error: {error}" if error and state != "sent" else ""
        click.echo(f"    {where}: {state} after {attempts} attempt(s){tail}")


@alerts_command.command("ack")
@click.argument("alert_id", type=int)
@click.option("--by", default=None, help="Who takes it on (default: your user name).")
@click.pass_obj
def ack_command(obj: tuple[Path, Path | None], alert_id: int, by: str | None) -> None:
    """Acknowledge an open alert: escalation stops and the others told are let know."""
    config = load_or_exit(obj[0])
    with (
        alert_store(config, obj[1]) as store,
        known_errors(LookupError, LifecycleError, SecretError),
    ):
        alert = actions.acknowledge(
            config, store, alert_id, by=by or getpass.getuser(), via=Via.CLI, now=datetime.now(UTC)
        )
    click.echo(f"alert #{alert.id} acknowledged by {alert.acknowledged_by}")


@alerts_command.command("resolve")
@click.argument("alert_id", type=int)
@click.option("--by", default=None, help="Who closes it (default: your user name).")
@click.pass_obj
def resolve_command(obj: tuple[Path, Path | None], alert_id: int, by: str | None) -> None:
    """Close an alert by hand; it is not raised again until its condition clears."""
    config = load_or_exit(obj[0])
    with (
        alert_store(config, obj[1]) as store,
        known_errors(LookupError, LifecycleError, SecretError),
    ):
        alert = actions.resolve(
            config, store, alert_id, by=by or getpass.getuser(), via=Via.CLI, now=datetime.now(UTC)
        )
    click.echo(f"alert #{alert.id} resolved")


def _record(alert: Alert) -> dict[str, object]:
    return {
        "id": alert.id,
        "rule": alert.rule,
        "subject": alert.subject,
        "severity": alert.severity.value,
        "state": alert.state.value,
        "summary": alert.summary,
        "since": alert.since.isoformat(),
        "raised_at": alert.raised_at.isoformat(),
        "level": alert.level,
        "told": list(alert.told),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return "-" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
