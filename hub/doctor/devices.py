"""Serial devices the bridge serves: is each configured path there, and can it be opened?"""

from __future__ import annotations

import os

from hub.config.models import HearthConfig
from hub.doctor.findings import Finding, Level


def check_serial(config: HearthConfig) -> list[Finding]:
    findings = []
    for port in config.bridge.ports:
        if not port.path.exists():
            findings.append(
                Finding(
                    Level.PROBLEM,
                    "serial",
                    f"{port.id}: {port.path} is not there",
                    "plug the device in, or list names with `ls -l /dev/serial/by-id/`",
                )
            )
        elif not os.access(port.path, os.R_OK | os.W_OK):
            findings.append(
                Finding(
                    Level.PROBLEM,
                    "serial",
                    f"{port.id}: {port.path} cannot be opened by this user",
                    "add the service user to the dialout group",
                )
            )
        else:
            findings.append(Finding(Level.OK, "serial", f"{port.id}: {port.path} is present"))
    return findings
