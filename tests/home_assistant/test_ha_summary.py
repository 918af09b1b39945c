"""The alerts summary: what counts as open, how many urgent, which one is latest."""

from __future__ import annotations

from hub.alerts.model import AlertState, Severity
from hub.home_assistant import alert_summary, summary_topic
from tests.home_assistant.ha_helpers import alert


def test_no_alerts_is_all_clear() -> None:
    assert alert_summary([]) == {"open": 0, "urgent": 0, "latest": ""}


def test_asking_open_and_acknowledged_count_and_ended_ones_do_not() -> None:
    alerts = [
        alert(1, AlertState.ASKING, Severity.URGENT, minutes=1),
        alert(2, AlertState.OPEN, Severity.WARNING, minutes=2),
        alert(3, AlertState.ACKNOWLEDGED, Severity.URGENT, minutes=3),
        alert(4, AlertState.RESOLVED, Severity.URGENT, minutes=4),
        alert(5, AlertState.CANCELLED, Severity.URGENT, minutes=5),
    ]
    assert alert_summary(alerts) == {"open": 3, "urgent": 2, "latest": "alert 3"}


def test_latest_is_the_most_recently_raised_open_alert_whatever_the_order() -> None:
    alerts = [
        alert(7, AlertState.OPEN, minutes=30, summary="No movement at home for 3 h."),
        alert(9, AlertState.OPEN, minutes=10, summary="The fridge has not been opened today."),
        alert(8, AlertState.RESOLVED, minutes=50, summary="Home cold."),
    ]
    assert alert_summary(alerts)["latest"] == "No movement at home for 3 h."
    assert alert_summary(reversed(alerts))["latest"] == "No movement at home for 3 h."


def test_the_summary_topic_is_beside_the_alert_topics_not_among_them() -> None:
    # <prefix>/alerts/+ is documented to carry only alerts (docs/alerts.md).
    assert summary_topic("hearth/flat-12") == "hearth/flat-12/alert_summary"
    assert summary_topic("hearth/flat-12/") == "hearth/flat-12/alert_summary"
