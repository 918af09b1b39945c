"""Acknowledgement tokens: they round-trip, and any change, other key or late use fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.alerts.ack_links import (
    AckClaim,
    AckLinkError,
    BadAckSignature,
    ExpiredAckToken,
    MalformedAckToken,
    ack_url,
    make_ack_token,
    new_key,
    read_ack_token,
)

KEY = b"k" * 32
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=48)

# Changes most likely to slip through a lax decoder are to other URL-safe
# base64 characters (the spare bits of a part's last character).
URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
replacements = st.sampled_from(URL_SAFE + ".=+/ ") | st.characters()

recipients = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True)
expiries = st.integers(min_value=1, max_value=10**6).map(lambda s: NOW + timedelta(seconds=s))


@given(
    alert_id=st.integers(min_value=0, max_value=2**63),
    recipient=recipients,
    expires=expiries,
    key=st.binary(min_size=16, max_size=64),
)
def test_a_token_round_trips(alert_id: int, recipient: str, expires: datetime, key: bytes) -> None:
    token = make_ack_token(key, alert_id, recipient, expires)
    assert read_ack_token(key, token, NOW) == AckClaim(alert_id, recipient, expires)
    # It is safe to put in a URL path as it is.
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in token)


@given(
    recipient=recipients,
    data=st.data(),
)
def test_any_single_changed_character_fails(recipient: str, data: st.DataObject) -> None:
    token = make_ack_token(KEY, 17, recipient, LATER)
    index = data.draw(st.integers(min_value=0, max_value=len(token) - 1), label="index")
    replacement = data.draw(replacements.filter(lambda c: c != token[index]), label="new")
    changed = token[:index] + replacement + token[index + 1 :]
    with pytest.raises((MalformedAckToken, BadAckSignature)):
        read_ack_token(KEY, changed, NOW)


def test_every_other_url_safe_character_in_every_place_fails() -> None:
    token = make_ack_token(KEY, 17, "anna", LATER)
    for index, original in enumerate(token):
        for replacement in URL_SAFE + ".":
            if replacement != original:
                changed = token[:index] + replacement + token[index + 1 :]
                with pytest.raises((MalformedAckToken, BadAckSignature)):
                    read_ack_token(KEY, changed, NOW)


def test_a_token_cut_short_or_extended_fails() -> None:
    token = make_ack_token(KEY, 17, "anna", LATER)
    too_long = token + "A" * 1000
    for bad in (token[:-1], token + "A", token[1:], "", ".", token.replace(".", ""), too_long):
        with pytest.raises(AckLinkError):
            read_ack_token(KEY, bad, NOW)


def test_another_key_is_a_bad_signature() -> None:
    token = make_ack_token(KEY, 17, "anna", LATER)
    with pytest.raises(BadAckSignature):
        read_ack_token(new_key(), token, NOW)


def test_a_token_expires_at_its_time_to_the_second() -> None:
    token = make_ack_token(KEY, 17, "anna", LATER)
    assert read_ack_token(KEY, token, LATER - timedelta(seconds=1)).alert_id == 17
    with pytest.raises(ExpiredAckToken, match="expired"):
        read_ack_token(KEY, token, LATER)


def test_a_signed_payload_of_another_shape_is_malformed() -> None:
    # A token whose signature verifies but whose payload we cannot read (as a
    # future version would be) is refused as malformed, not believed.
    import base64
    import hashlib
    import hmac

    payload = b"v9|17|99999999999|anna"
    signature = hmac.new(KEY, b"hearth-ack-link\x00" + payload, hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    with pytest.raises(MalformedAckToken, match="version"):
        read_ack_token(KEY, f"{b64(payload)}.{b64(signature)}", NOW)


def test_short_keys_and_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        make_ack_token(b"short", 1, "anna", LATER)
    with pytest.raises(ValueError, match="aware"):
        make_ack_token(KEY, 1, "anna", datetime(2026, 11, 25, 7, 0))
    assert len(new_key()) == 32
    assert new_key() != new_key()


def test_ack_url_puts_the_token_under_ack() -> None:
    assert ack_url("http://hearth.local:8080/", "abc.def") == "http://hearth.local:8080/ack/abc.def"
    assert ack_url("https://h.example", "t") == "https://h.example/ack/t"
