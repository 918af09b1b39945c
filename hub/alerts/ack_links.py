"""Signed, expiring acknowledgement links: one tap in a message says "I am taking this on".

A token names the alert, the recipient it was sent to and when it stops
working, and carries an HMAC-SHA256 of those over a key only the hub holds.
The hub's web server needs no session or database row per link: whoever holds
a token that verifies may acknowledge that one alert as that recipient, until
it expires. So a token is a bearer secret: it is never logged (`ack_url` text
goes into message bodies only).

Format: `<payload>.<signature>`, both unpadded URL-safe base64, where the
payload is the text `v1|<alert id>|<expires, unix seconds>|<recipient>`.
Decoding is strict (only the URL-safe alphabet, and the canonical encoding of
what it decodes to), so no two different strings are the same token and any
changed character makes the token fail.

Pure: the caller passes the key and the time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

KEY_BYTES = 32
MIN_KEY_BYTES = 16  # shorter keys could be guessed; refuse them rather than sign weakly
MAX_TOKEN_CHARS = 512  # ours are about 80; anything far longer is not worth decoding
_VERSION = "v1"
# The signed text starts with a purpose label, so a key shared by mistake with
# another HMAC use in the hub can never produce a valid acknowledgement token.
_DOMAIN = b"hearth-ack-link\x00"
_B64_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


class AckLinkError(ValueError):
    """An acknowledgement token cannot be used; the subclass says why."""


class MalformedAckToken(AckLinkError):
    """Not a token this hub makes (cut short in copying, or not ours at all)."""


class BadAckSignature(AckLinkError):
    """Well formed, but not signed with our key (altered, or from another hub or key)."""


class ExpiredAckToken(AckLinkError):
    """Genuine, but past its expiry time."""


@dataclass(frozen=True, slots=True)
class AckClaim:
    """What a verified token says: this recipient may acknowledge this alert until `expires`."""

    alert_id: int
    recipient: str
    expires: datetime  # UTC, whole seconds


def new_key() -> bytes:
    """A fresh random signing key."""
    return secrets.token_bytes(KEY_BYTES)


def make_ack_token(key: bytes, alert_id: int, recipient: str, expires: datetime) -> str:
    """A URL-safe token for `recipient` to acknowledge `alert_id` until `expires` (aware).

    `expires` is kept to the whole second (rounded down).
    """
    _check_key(key)
    if alert_id < 0:
        raise ValueError(f"alert id must not be negative, not {alert_id}")
    if not recipient or "|" in recipient:
        raise ValueError("recipient must be a non-empty id without '|'")
    if expires.tzinfo is None:
        raise ValueError("expires must be an aware datetime (UTC)")
    payload = f"{_VERSION}|{alert_id}|{int(expires.timestamp())}|{recipient}".encode()
    return f"{_encode(payload)}.{_encode(_sign(key, payload))}"


def read_ack_token(key: bytes, token: str, now: datetime) -> AckClaim:
    """The claim `token` carries, or an AckLinkError subclass saying why it cannot be used.

    The signature is checked before anything in the payload is believed.
    """
    _check_key(key)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    if len(token) > MAX_TOKEN_CHARS:
        raise MalformedAckToken("an acknowledgement token is not that long")
    parts = token.split(".")
    if len(parts) != 2:
        raise MalformedAckToken("an acknowledgement token has two parts separated by '.'")
    payload = _decode(parts[0])
    signature = _decode(parts[1])
    if not hmac.compare_digest(signature, _sign(key, payload)):
        raise BadAckSignature("the acknowledgement token's signature does not match")
    claim = _parse(payload)
    if now >= claim.expires:
        raise ExpiredAckToken(
            f"the acknowledgement link expired at {claim.expires:%Y-%m-%d %H:%M} UTC"
        )
    return claim


def ack_url(base_url: str, token: str) -> str:
    """The link put in messages; the hub's web server answers `/ack/<token>`."""
    return f"{base_url.rstrip('/')}/ack/{token}"


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"an acknowledgement key needs at least {MIN_KEY_BYTES} bytes")


def _sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _DOMAIN + payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    # The stdlib decoder skips characters outside the alphabet and ignores the
    # spare low bits of the last character, so several strings would decode to
    # the same bytes; accept only the one canonical spelling.
    if not _B64_ALPHABET.fullmatch(text):
        raise MalformedAckToken("an acknowledgement token holds only URL-safe base64")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedAckToken("an acknowledgement token part is not base64") from exc
    if _encode(data) != text:
        raise MalformedAckToken("an acknowledgement token part is not canonical base64")
    return data


def _parse(payload: bytes) -> AckClaim:
    # Only reached for payloads we signed, so a failure here means the key was
    # also used for a different (future) token format: report it as malformed.
    try:
        version, alert_text, expires_text, recipient = payload.decode("utf-8").split("|", 3)
        alert_id = int(alert_text)
        expires = datetime.fromtimestamp(int(expires_text), UTC)
    except (UnicodeDecodeError, ValueError, OverflowError, OSError) as exc:
        raise MalformedAckToken("the acknowledgement token's contents are not readable") from exc
    if version != _VERSION or not recipient:
        raise MalformedAckToken(f"unknown acknowledgement token version {version!r}")
    return AckClaim(alert_id, recipient, expires)
