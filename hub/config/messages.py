"""Pydantic's validation errors, reworded for the person installing Hearth.

Pydantic writes for programmers ("Input should be a valid integer, unable to
parse string as an integer"); an installer needs what to type instead, with
a suggestion when a key or value looks misspelt.
"""

from __future__ import annotations

from difflib import get_close_matches
from enum import Enum
from types import NoneType, UnionType
from typing import Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from hub.config.base import ID_PATTERN, Loc
from hub.config.models import HearthConfig

# Error types whose meaning does not depend on the field: what is needed instead.
_NEEDS = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list (one '- ' entry per line)",
    "model_type": "must be a section of keys",
    "model_attributes_type": "must be a section of keys",
    "dict_type": "must be a section of keys",
    "path_type": "must be a file path",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least"),
    "greater_than": ("gt", "must be more than"),
    "less_than_equal": ("le", "must be at most"),
    "less_than": ("lt", "must be less than"),
}


def describe(error: ErrorDetails, written: str | None) -> str:
    """One readable sentence for one pydantic error.

    `written` is the value as typed in the file, when it was a plain scalar,
    so the message can quote the installer's own text.
    """
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    got = _shown(error["input"], written)
    message = _specific(error, got)
    if message is None and kind in _NEEDS:
        message = f"{_NEEDS[kind]} (got {got})"
    if message is None and kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        message = f"{words} {error.get('ctx', {}).get(name)} (got {got})"
    return message or _plainer(error["msg"])


def _specific(error: ErrorDetails, got: str) -> str | None:
    """Messages for the errors whose wording depends on the field or the value."""
    kind = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx", {})
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "value_error":
        # Our own validators' messages are already written for people.
        return str(ctx.get("error", error["msg"]))
    if kind == "enum":
        return _not_one_of(loc, error["input"], got)
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        return (
            f"{got} is not a valid id: use lower-case letters a-z, digits, '_' and '-', "
            "starting with a letter or digit"
        )
    if kind == "string_type" and isinstance(error["input"], bool | int | float):
        # Zigbee2MQTT names like 0x00158d0001 and words like 'no' or 'on' are
        # read by YAML as numbers or true/false unless they are quoted.
        read_as = "true/false" if isinstance(error["input"], bool) else "a number"
        return f"must be text; YAML read {got} as {read_as}, so put it in quotes"
    return None


def _unknown_key(loc: Loc) -> str:
    key = str(loc[-1])
    model = _type_at(loc[:-1])
    message = f"unknown key {key!r}"
    if isinstance(model, type) and issubclass(model, BaseModel):
        close = get_close_matches(key, list(model.model_fields), n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return message


def _not_one_of(loc: Loc, value: object, got: str) -> str | None:
    enum = _type_at(loc)
    if not (isinstance(enum, type) and issubclass(enum, Enum)):
        return None
    allowed = [str(member.value) for member in enum]
    message = f"{got} is not one of: {', '.join(allowed)}"
    close = get_close_matches(str(value), allowed, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message


def _type_at(loc: Loc) -> object:
    """The declared type at a key path of HearthConfig, or None if there is none."""
    current: object = HearthConfig
    for part in loc:
        current = without_none(current)
        if isinstance(part, int):
            if get_origin(current) is not list:
                return None
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    return without_none(current)


def without_none(annotation: object) -> object:
    """`Tls | None` -> `Tls`: an optional value has the same type as a given one."""
    if get_origin(annotation) in (Union, UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _shown(value: object, written: str | None) -> str:
    """The offending value in a few words: text quoted, other values as typed."""
    if isinstance(value, str):
        return repr(value)
    if value is None:  # `key:` with nothing after it, or `null`
        return "an empty value"
    if written is not None:  # `yes`, not True; `0x1a`, not 26
        return written
    if isinstance(value, dict):
        return "a section of keys"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _plainer(message: str) -> str:
    """Pydantic's own wording, for the rare errors not reworded above."""
    for programmer, person in (("Input should be", "must be"), ("String should", "must")):
        if message.startswith(programmer):
            return person + message[len(programmer) :]
    return message
