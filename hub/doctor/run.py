"""All of `hearth doctor`'s checks, in the order an installer would fix things."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.config.models import HearthConfig
from hub.doctor.alerting import check_alerts, secret_finding
from hub.doctor.broker import check_broker
from hub.doctor.devices import check_serial
from hub.doctor.findings import Finding
from hub.doctor.machine import SyncState, check_clock, check_disk, clock_synchronised
from hub.doctor.model import check_model
from hub.doctor.store import check_store
from hub.start_secrets import start_secret_problems
from hub.store.disk_guard import DiskUsage
from hub.store.disk_guard import disk_usage as real_disk_usage


def run_checks(
    config: HearthConfig,
    *,
    now: datetime | None = None,
    disk_usage: DiskUsage = real_disk_usage,
    synchronised: SyncState = clock_synchronised,
) -> list[Finding]:
    moment = now or datetime.now(UTC)
    # Read once, as `hearth check-config` reads them; the broker's own (password,
    # TLS files) are check_broker's, which needs them to log in and says so itself.
    secrets = start_secret_problems(config)
    findings = check_broker(config)
    findings += [secret_finding(exc) for exc in secrets if exc.loc[0] in ("bridge", "web")]
    store = check_store(config, moment)
    findings += store.findings
    findings += check_disk(config.storage.path, disk_usage)
    findings += check_clock(moment, store.newest_event, synchronised)
    findings += check_serial(config)
    findings += check_alerts(config, moment, secrets)
    findings += check_model()
    return findings
