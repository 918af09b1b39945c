"""The `hearth` command. It parses arguments and prints; the library does the work."""

from __future__ import annotations

import click

from hub.cli.check_config import check_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hearth")
def main() -> None:
    """Hearth: a hub that learns a person's routine at home and warns carers early."""


main.add_command(check_config)

# Registered after `main` exists; each command lives in its own module.
from hub.cli.alerts import alerts_command  # noqa: E402
from hub.cli.backup import backup_command, restore_command  # noqa: E402
from hub.cli.demo import demo_command  # noqa: E402
from hub.cli.devices import devices_command  # noqa: E402
from hub.cli.doctor import doctor_command  # noqa: E402
from hub.cli.evaluate import evaluate_command  # noqa: E402
from hub.cli.export import export_command  # noqa: E402
from hub.cli.features import features_command  # noqa: E402
from hub.cli.meds import meds_command  # noqa: E402
from hub.cli.mode import mode_command  # noqa: E402
from hub.cli.replay import replay_command  # noqa: E402
from hub.cli.routine import routine_command  # noqa: E402
from hub.cli.run import run_command  # noqa: E402
from hub.cli.simulate import simulate_command  # noqa: E402
from hub.cli.users import user_command  # noqa: E402

for _command in (
    run_command,
    replay_command,
    export_command,
    devices_command,
    demo_command,
    routine_command,
    alerts_command,
    mode_command,
    doctor_command,
    backup_command,
    restore_command,
):
    main.add_command(_command)
main.add_command(features_command)
main.add_command(evaluate_command)
main.add_command(meds_command)
main.add_command(simulate_command)
main.add_command(user_command)
