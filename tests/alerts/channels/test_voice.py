"""Speech in the home: espeak-ng writes a real WAV whose length fits the words and the speed."""

from __future__ import annotations

import asyncio
import logging
import sys
import wave
from pathlib import Path

import pytest

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.voice import (
    Speaker,
    SpeechError,
    VoiceChannel,
    announcement,
    im_ok_prompt,
    prompt_voice,
)
from hub.alerts.model import Purpose
from tests.alerts.channels.conftest import sample_message

PROMPT = "Are you all right? If you are, please press your OK button."


def speaker(wpm: int = 130, player: list[str] | None = None, espeak: str = "espeak-ng") -> Speaker:
    return Speaker(
        voice="en",
        words_per_minute=wpm,
        amplitude=150,
        player=player if player is not None else ["no-such-player-xyz"],
        espeak=espeak,
    )


def duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        return wav.getnframes() / wav.getframerate()


def test_the_prompt_renders_to_a_wav_as_long_as_its_words_take_at_that_speed(
    tmp_path: Path,
) -> None:
    assert im_ok_prompt("en") == PROMPT
    words = len(PROMPT.split())
    durations = {}
    for wpm in (130, 80):
        path = tmp_path / f"prompt-{wpm}.wav"
        asyncio.run(speaker(wpm).render(PROMPT, path))
        durations[wpm] = duration_s(path)
        estimate = words / wpm * 60
        assert 0.5 * estimate <= durations[wpm] <= 2 * estimate, (wpm, durations[wpm], estimate)
    assert durations[80] > durations[130] * 1.3


def test_text_starting_with_a_dash_is_spoken_not_taken_as_an_option(tmp_path: Path) -> None:
    path = tmp_path / "dash.wav"
    asyncio.run(speaker().render("-h is not help", path))
    assert duration_s(path) > 0.5


def test_without_a_player_speech_is_rendered_and_not_played(
    caplog: pytest.LogCaptureFixture,
) -> None:
    voice = speaker(player=["no-such-player-xyz"])
    assert asyncio.run(voice.speak("Hello.")) is False
    assert asyncio.run(voice.speak("Hello again.")) is False
    assert caplog.text.count("cannot play speech") == 1


def test_the_player_is_given_the_wav_file(tmp_path: Path) -> None:
    # A stand-in for a sound card: a "player" that keeps a copy of what it is given.
    copy = tmp_path / "played.wav"
    player = [sys.executable, "-c", f"import shutil, sys; shutil.copy(sys.argv[1], {str(copy)!r})"]
    assert asyncio.run(speaker(player=player).speak(PROMPT)) is True
    assert duration_s(copy) > 2


def test_a_failing_player_is_a_transient_error() -> None:
    player = [sys.executable, "-c", "import sys; sys.exit('no sound card')"]
    with pytest.raises(SpeechError, match="no sound card") as caught:
        asyncio.run(speaker(player=player).speak("Hello."))
    assert not caught.value.permanent


def test_missing_espeak_is_a_permanent_error_saying_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="apt-get install espeak-ng") as caught:
        asyncio.run(speaker(espeak="espeak-ng-missing").render("Hello.", tmp_path / "x.wav"))
    assert caught.value.permanent


def test_an_unknown_voice_is_permanent(tmp_path: Path) -> None:
    voice = Speaker(voice="xx-nope", words_per_minute=130, amplitude=100, player=[])
    with pytest.raises(SpeechError, match="xx-nope") as caught:
        asyncio.run(voice.render("Hello.", tmp_path / "x.wav"))
    assert caught.value.permanent


def test_the_voice_channel_announces_without_details(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    channel = VoiceChannel(speaker(), "en")
    asyncio.run(channel.send(sample_message()))  # no player here: rendered only
    raised = announcement(sample_message(), "en")
    assert raised == "Your carers have been sent an alert. Someone will check on you soon."
    assert announcement(sample_message(purpose=Purpose.RESOLVED), "en") != raised
    assert announcement(sample_message(purpose=Purpose.UPDATE), "en") is None
    assert channel.name == "voice in the home (en)"


def test_languages_without_wording_fall_back_to_english() -> None:
    assert im_ok_prompt("de") == PROMPT
    assert im_ok_prompt("en-GB") == PROMPT
    assert prompt_voice("de", "") == "en"
    assert prompt_voice("en", "") == "en"
    assert prompt_voice("en", "en-gb") == "en-gb"
    assert prompt_voice("de", "en+f3") == "en+f3"  # a variant of an English voice
    assert prompt_voice("en", "gmw/en-GB-x-rp") == "gmw/en-GB-x-rp"
