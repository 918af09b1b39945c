"""What the home hears and sees of an alert: the "are you OK?" question and "help is called".

Spoken with espeak-ng (through the in-home speaker) and published as JSON on
the prompt topic for a display or smart speaker.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.voice import Speaker, im_ok_prompt
from hub.alerts.model import Alert
from hub.config.models import HearthConfig

log = logging.getLogger(__name__)

ANNOUNCE = "Help has been called. Someone will check on you soon."
Publish = Callable[[str, bytes, bool], None]
"""Publish (topic, payload, retain) on the hub's own MQTT connection, QoS 1, without waiting."""


class InHomePrompts:
    """Asks the resident and announces alarms: spoken, and on the prompt topic."""

    def __init__(
        self,
        config: HearthConfig,
        publish: Publish,
        speaker: Speaker | None,
    ) -> None:
        self._topic = config.alerts.im_ok.prompt_topic.format(prefix=config.topic_prefix)
        self._language = config.resident.language
        self._publish = publish
        self._speaker = speaker
        self._tasks: set[asyncio.Task[None]] = set()

    def ask(self, alert: Alert) -> None:
        text = im_ok_prompt(self._language)
        until = alert.asks_until.isoformat() if alert.asks_until else None
        self._prompt({"type": "are_you_ok", "alert": alert.id, "text": text, "until": until}, text)

    def announce(self, alert: Alert) -> None:
        self._prompt({"type": "help_called", "alert": alert.id, "text": ANNOUNCE}, ANNOUNCE)

    def _prompt(self, payload: dict[str, object], text: str) -> None:
        self._publish(self._topic, json.dumps(payload).encode(), False)
        if self._speaker is not None:
            task = asyncio.get_running_loop().create_task(self._say(self._speaker, text))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _say(self, speaker: Speaker, text: str) -> None:
        try:
            await speaker.speak(text)
        except DeliveryError as exc:
            log.warning("could not speak in the home: %s", exc)
