"""Hearth in Home Assistant: MQTT discovery, the alerts summary, and when to publish them.

See docs/home_assistant.md. `discovery.py` and `summary.py` are pure;
`HomeAssistantLink` publishes through the hub's MQTT connection.
"""

from hub.home_assistant.discovery import discovery_message, discovery_topic, mode_command_template
from hub.home_assistant.link import HomeAssistantLink
from hub.home_assistant.summary import alert_summary, summary_topic

__all__ = [
    "HomeAssistantLink",
    "alert_summary",
    "discovery_message",
    "discovery_topic",
    "mode_command_template",
    "summary_topic",
]
