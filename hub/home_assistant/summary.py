"""The alerts summary: how many alerts are open, how many urgent, and the latest one's words.

Published retained on `<prefix>/alert_summary` so that Home Assistant (or a
wall display) can show "2 open alerts" from one message, instead of keeping
every `<prefix>/alerts/<id>` topic and counting them itself. Pure: the hub
hands in the alerts, the link publishes the result.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.alerts.model import Alert, AlertState, Severity

# Asking counts as open: the alert already exists and its own MQTT topic shows
# it; the summary only counts what that topic already tells.
OPEN_STATES = frozenset({AlertState.ASKING, AlertState.OPEN, AlertState.ACKNOWLEDGED})


def summary_topic(prefix: str) -> str:
    # Beside `<prefix>/alerts/`, not under it: docs/alerts.md and hub/alerts/control.py
    # promise that `<prefix>/alerts/+` carries only alerts, and readers (bench/alert_latency.py)
    # parse every message there as one.
    return f"{prefix.rstrip('/')}/alert_summary"


def alert_summary(alerts: Iterable[Alert]) -> dict[str, int | str]:
    """{"open": n, "urgent": n, "latest": "<summary>"} over alerts that have not ended.

    `latest` is the summary of the most recently raised open alert ("" when
    none is open): the one a person glancing at a dashboard has not heard of yet.
    """
    still_open = [a for a in alerts if a.state in OPEN_STATES]
    urgent = sum(1 for a in still_open if a.severity is Severity.URGENT)
    newest = max(still_open, key=lambda a: (a.raised_at, a.id), default=None)
    return {
        "open": len(still_open),
        "urgent": urgent,
        "latest": newest.summary if newest is not None else "",
    }
