"""Speech in the home: espeak-ng renders a WAV file, the configured player plays it.

Used to ask the resident "are you all right?" before an inactivity alarm
leaves the home, and to say in the home that an alarm has gone out. Words for
the resident are plain and short, spoken slowly (alerts.voice sets the speed).

Both programs run as asyncio subprocesses, so the event loop never waits on
them. espeak-ng is required (a clear, permanent DeliveryError says what to
install); the player is optional: a hub without a sound card, such as CI,
renders the file and says once in the log that it cannot play it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hub.alerts.channels import DeliveryError
from hub.alerts.model import AlertMessage, Purpose

log = logging.getLogger(__name__)

# Prompts by language (the first part of an espeak-ng voice code). Only
# English is written so far: other languages fall back to it, and since an
# English sentence in another language's voice is hard to follow, the caller
# should use `prompt_voice` for the voice to speak it with.
_IM_OK = {"en": "Are you all right? If you are, please press your OK button."}
_ALARM_SENT = {"en": "Your carers have been sent an alert. Someone will check on you soon."}
_ALL_CLEAR = {"en": "The alert is over. Thank you."}
_SEEN = {"en": "A carer has seen the alert."}


def _language(language: str) -> str:
    # "en", "en-GB", "en_US", "en+f3" (a variant), "gmw/en-GB-x-rp" (a path) -> "en"
    return re.split(r"[-_+]", language.lower().rpartition("/")[2])[0]


def im_ok_prompt(language: str) -> str:
    """The "are you OK?" question; English for languages without their own wording yet."""
    return _IM_OK.get(_language(language), _IM_OK["en"])


def prompt_voice(language: str, voice: str) -> str:
    """The espeak-ng voice for prompts: `voice` (else `language`) if we have its words, else en."""
    chosen = voice or language
    return chosen if _language(chosen) in _IM_OK else "en"


def announcement(message: AlertMessage, language: str) -> str | None:
    """What the home hears when an alert goes out or ends; no details, as others may be there."""
    table = {
        Purpose.RAISED: _ALARM_SENT,
        Purpose.ESCALATED: _ALARM_SENT,
        Purpose.ACKNOWLEDGED: _SEEN,
        Purpose.RESOLVED: _ALL_CLEAR,
    }.get(message.purpose)  # other changes (Purpose.UPDATE) are not spoken
    return None if table is None else table.get(_language(language), table["en"])


class SpeechError(DeliveryError):
    """espeak-ng or the player failed."""


class Speaker:
    """Speaks text aloud: `espeak-ng -w FILE -v VOICE -s WPM -a AMPLITUDE`, then `player FILE`."""

    def __init__(
        self,
        *,
        voice: str,
        words_per_minute: int,
        amplitude: int,
        player: Sequence[str],
        espeak: str = "espeak-ng",
        timeout_s: float = 60.0,
    ) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.amplitude = amplitude
        self.player = tuple(player)
        self._espeak = espeak
        self._timeout_s = timeout_s
        self._said_no_player = False

    async def render(self, text: str, path: Path) -> None:
        """Write `text` spoken as a WAV file at `path`, or raise SpeechError."""
        espeak = shutil.which(self._espeak)
        if espeak is None:
            raise SpeechError(
                f"{self._espeak} is not installed: install the espeak-ng package "
                "(apt-get install espeak-ng) for spoken prompts",
                permanent=True,
            )
        # The text goes in on stdin: as an argument, a sentence starting with
        # '-' would be read as an option.
        command = [
            espeak,
            "--stdin",
            "-w",
            str(path),
            "-v",
            self.voice,
            "-s",
            str(self.words_per_minute),
            "-a",
            str(self.amplitude),
        ]
        code, errors = await self._run(command, text.encode())
        if code != 0:
            # espeak-ng exits 1 for an unknown voice: a config fix, not a retry.
            raise SpeechError(
                f"espeak-ng failed (exit {code}, voice {self.voice!r}): {errors}", permanent=True
            )

    async def speak(self, text: str) -> bool:
        """Say `text`; False when there is no player to play it with (it was still rendered)."""
        with tempfile.TemporaryDirectory(prefix="hearth-voice-") as folder:
            wav = Path(folder) / "speech.wav"
            await self.render(text, wav)
            player = shutil.which(self.player[0]) if self.player else None
            if player is None:
                if not self._said_no_player:
                    log.warning(
                        "cannot play speech: player %r not found (alerts.voice.player)",
                        self.player[0] if self.player else "",
                    )
                    self._said_no_player = True
                return False
            code, errors = await self._run([player, *self.player[1:], str(wav)], b"")
            if code != 0:
                # No sound card, device busy: may pass, so not permanent.
                raise SpeechError(f"the player {self.player[0]} failed (exit {code}): {errors}")
            return True

    async def _run(self, command: list[str], stdin: bytes) -> tuple[int, str]:
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise SpeechError(f"cannot start {command[0]}: {exc}") from exc
        try:
            _out, err = await asyncio.wait_for(process.communicate(stdin), self._timeout_s)
        except TimeoutError as exc:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise SpeechError(f"{command[0]} took longer than {self._timeout_s:g} s") from exc
        assert process.returncode is not None
        return process.returncode, err.decode("utf-8", "replace").strip()[:200]


class VoiceChannel:
    """Announces in the home that an alert went out (or is over), in the resident's language."""

    def __init__(self, speaker: Speaker, language: str) -> None:
        self._speaker = speaker
        self._language = language

    @property
    def name(self) -> str:
        return f"voice in the home ({self._speaker.voice})"

    async def send(self, message: AlertMessage) -> None:
        text = announcement(message, self._language)
        if text is not None:
            await self._speaker.speak(text)
