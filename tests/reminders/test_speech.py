"""The reminder and the "already taken" warning spoken by espeak-ng into WAV files."""

from __future__ import annotations

import shutil
import wave
from datetime import date
from pathlib import Path

import pytest

from hub.alerts.channels.factory import speaker_for
from hub.reminders import Prompt, Warning
from tests.reminders.helpers import home, lid, local, steps

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")
DAY = date(2026, 3, 2)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return float(wav.getnframes()) / float(wav.getframerate())


def _said() -> tuple[Prompt, Warning]:
    config = home([{"name": "Metformin", "dose": "one tablet", "times": [{"at": "08:00"}]}])
    found = steps(
        config,
        lid(local(DAY, 8, 12)) + lid(local(DAY, 9, 30)),
        start=local(DAY, 0),
        until=local(DAY, 12),
    )
    prompt = next(p for _, s in found for p in s.prompts)
    warning = next(w for _, s in found for w in s.warnings)
    return prompt, warning


async def test_reminder_and_warning_are_spoken_at_a_pace_older_listeners_follow(
    tmp_path: Path,
) -> None:
    config = home([{"name": "Metformin", "times": [{"at": "08:00"}]}])
    speaker = speaker_for(config.alerts.voice, config.resident.language)
    prompt, warning = _said()
    assert warning.text == "You already took your Metformin at 08:12. Please do not take it again."
    for name, text in (("prompt", prompt.text), ("warning", warning.text)):
        wav = tmp_path / f"{name}.wav"
        await speaker.render(text, wav)
        words = len(text.split())
        # At alerts.voice.words_per_minute (130 by default) the sentence takes about
        # words / 130 minutes; espeak-ng's pauses at full stops add a little.
        expected = words / config.alerts.voice.words_per_minute * 60
        assert expected * 0.6 < _seconds(wav) < expected * 1.8, (name, _seconds(wav), expected)
