"""The adapters' JSON decoding (`_common.loads`) calls json's scanner directly for the
common case; whatever the payload, it must give what `json.loads` gives, or fail where
it fails with the same reason."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from hub.ingest.adapters._common import loads
from hub.ingest.errors import MalformedPayload

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
WHITE = st.text(" \t\r\n", max_size=3)
JUNK = st.sampled_from(["", "", "x", "}", "]", ",", "{}", " 1", "\x00", "\u00a0", "/"])


def reference(text: str) -> tuple[str, str]:
    """json.loads's answer as comparable text (NaN != NaN): ("ok", dump) or ("error", why)."""
    try:
        return "ok", json.dumps(json.loads(text))
    except ValueError as exc:
        return "error", f"invalid JSON: {exc}"


def ours(payload: bytes) -> tuple[str, str]:
    try:
        return "ok", json.dumps(loads(payload))
    except MalformedPayload as exc:
        return "error", str(exc)


@given(JSON_VALUES, WHITE, WHITE, JUNK, JUNK)
@example({"occupancy": True, "battery": 90}, "", "", "", "")
@example(1, "", "", "", "")
@example(None, "", "\n", "", "")
def test_a_document_decodes_as_json_loads_decodes_it(
    value: object, before: str, after: str, head: str, tail: str
) -> None:
    text = head + before + json.dumps(value, allow_nan=True) + after + tail
    assert ours(text.encode()) == reference(text)


@given(st.text(st.characters(codec="utf-8"), max_size=20))
@example("")
@example("NaN")
@example("-Infinity")
@example('{"a": 1} {"b": 2}')
@example('"unterminated')
@example("[1, 2")
def test_any_text_decodes_or_fails_as_json_loads_does(text: str) -> None:
    assert ours(text.encode()) == reference(text)
