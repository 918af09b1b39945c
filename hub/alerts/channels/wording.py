"""The plain-text words of an alert message, shared by e-mail and Apprise.

Carers read these on a phone, often at night: the summary first, then when it
began in the home's own time, then the one thing to do (the acknowledgement
link). Nothing beyond what AlertMessage holds: no name, no address, no data.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from hub.alerts.model import AlertMessage, Purpose, Severity


def local_time(moment: datetime, zone: tzinfo) -> str:
    """'Mon 23 Nov 2026, 07:40 GMT': the home's wall clock, with its zone so travellers can tell."""
    local = moment.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname() or ''}".rstrip()


def body_text(message: AlertMessage, zone: tzinfo) -> str:
    """The message body: summary, times, what to do."""
    lines = [message.summary, ""]
    if message.purpose is Purpose.RESOLVED:
        lines.append("This alert is over; nothing more needs doing.")
    elif message.purpose is Purpose.ESCALATED:
        lines.append("Nobody has acknowledged this alert yet.")
    elif message.purpose is Purpose.ACKNOWLEDGED:
        lines.append(f"{message.acknowledged_by or 'Someone'} has taken this on.")
    lines += [
        f"Since: {local_time(message.since, zone)}",
        f"Alert raised: {local_time(message.raised_at, zone)}",
        f"Severity: {message.severity.value}",
        f"Home: {message.home}",
    ]
    asks_to_act = message.purpose in (Purpose.RAISED, Purpose.ESCALATED)
    if message.ack_url is not None and asks_to_act:
        lines += ["", "If you are taking this on, acknowledge it here:", message.ack_url]
    if message.severity is Severity.URGENT and asks_to_act:
        lines += ["", "If you cannot check on them soon, please ask someone who can."]
    return "\n".join(lines) + "\n"
