"""The configuration reference (docs/configuration.md), written from the models.

Generating the page from the models' titles, descriptions and defaults means
the docs cannot drift from the code: a test compares the committed page with
`render_reference()`. Regenerate with

    python -m hub.config.reference > docs/configuration.md
"""

from __future__ import annotations

import sys
from datetime import date, time
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hub.config.base import ID_PATTERN, DailyWindow
from hub.config.medication import DoseTime
from hub.config.messages import without_none
from hub.config.models import HearthConfig

_INTRO = """\
# Configuration reference

<!-- Generated from the models in hub/config/ by
     `python -m hub.config.reference > docs/configuration.md`.
     Edit the models, not this page. -->

Hearth reads one YAML file that describes the home. `config/example-home.yaml`
is a complete, commented example. Check a file with

    hearth check-config /etc/hearth/home.yaml

which prints each problem on one line, as `FILE:LINE: KEY: MESSAGE`, or a
short summary of the home when there is none. It reads every secret file
named (passwords, alert channels' secrets, the link key, TLS files) as the
hub will at start.

- Unknown keys are errors, so a misspelt key is never silently ignored.
- An *id* is lower-case letters `a-z`, digits, `_` and `-`, starting with a
  letter or digit, at most 64 characters.
- Relative file paths are taken from the config file's folder.
- A default of *empty* means the key can be left out; its description says
  what that means.
- `sensors[].match` means the `match` section of each entry of `sensors`.
- Quote values YAML would read as numbers or true/false (`"0x00158d0001a2b3c4"`,
  `"no"`).
- The MQTT password is never written in the config: name a file
  (`password_file`) or an environment variable (`password_env`) instead.
"""

_SECTION = "section (below)"
_CLOCK_TIME = "time `HH:MM`"
_TYPE_NAMES: dict[object, str] = {
    bool: "true/false",
    int: "whole number",
    float: "number",
    str: "text",
    Path: "file path",
    time: _CLOCK_TIME,
    date: "date `YYYY-MM-DD`",
    DailyWindow: "time window `HH:MM-HH:MM`",
    DoseTime: "`HH:MM` or a moment of the day (see description)",
}
# Text fields whose pattern makes them something more particular.
_PATTERN_NAMES = {ID_PATTERN: "id", r"^\d{2}:\d{2}$": _CLOCK_TIME}
_TABLE_HEAD = "| key | type | default | description |\n|---|---|---|---|"


def render_reference() -> str:
    """The whole reference page, as Markdown."""
    sections = [_INTRO]
    sections += _sections(HearthConfig, "", "Top level", "The keys at the top of the file.")
    return "\n".join(sections)


def _sections(model: type[BaseModel], path: str, title: str, description: str) -> list[str]:
    """The section for `model`, followed by the sections of the models inside it."""
    heading = f"## `{path}`: {title}" if path else f"## {title}"
    rows = [_row(name, field) for name, field in model.model_fields.items()]
    out = [f"{heading}\n\n{_escape(description)}\n\n{_TABLE_HEAD}\n" + "\n".join(rows) + "\n"]
    for name, field in model.model_fields.items():
        inner, is_list = _section_types(field.annotation)
        for section in inner:
            child = f"{path}.{name}" if path else name
            child += "[]" if is_list else ""
            title, description = field.title or name, field.description or ""
            if len(inner) > 1:
                # One of several sections chosen by its `type` key (a channel).
                kind = section.model_fields["type"].annotation
                child += f" (type: {get_args(kind)[0]})"
                description = section.model_fields["type"].description or description
            out += _sections(section, child, title, description)
    return out


def _row(name: str, field: FieldInfo) -> str:
    text = f"**{field.title}.** {field.description}" if field.title else field.description
    cells = [f"`{name}`", _type_name(field), _default(field), _escape(text or "")]
    return "| " + " | ".join(cells) + " |"


def _section_types(annotation: object) -> tuple[list[type[BaseModel]], bool]:
    """The models a field holds (a section, a list of sections, or one of several by type)."""
    annotation = without_none(annotation)
    is_list = get_origin(annotation) is list
    if is_list:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    options = get_args(annotation) if isinstance(annotation, UnionType) else (annotation,)
    models = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
    return models, is_list and bool(models)


def _type_name(field: FieldInfo) -> str:
    patterns = [getattr(meta, "pattern", None) for meta in field.metadata]
    named = [_PATTERN_NAMES[p] for p in patterns if p in _PATTERN_NAMES]
    name = named[0] if named else _plain_type(without_none(field.annotation))
    limits = [_limit(meta) for meta in field.metadata]
    return ", ".join([name, *(limit for limit in limits if limit)])


def _plain_type(annotation: object) -> str:  # noqa: PLR0911 (one return per kind of type)
    if get_origin(annotation) is Annotated:
        return _plain_type(get_args(annotation)[0])
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        if len(values) == 1:
            return f"`{values[0]}`"
        return "one of: " + ", ".join(f"`{value}`" for value in values)
    if isinstance(annotation, UnionType) and _section_types(annotation)[0]:
        return _SECTION
    if get_origin(annotation) is list:
        item = _plain_type(get_args(annotation)[0])
        return "list of sections (below)" if item == _SECTION else f"list of {item}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _SECTION
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of: " + ", ".join(f"`{member.value}`" for member in annotation)
    if annotation in _TYPE_NAMES:
        return _TYPE_NAMES[annotation]
    # Rather than print Python's "<class '...'>" for an installer to puzzle over.
    raise TypeError(f"no words for the type {annotation!r}: add it to reference._TYPE_NAMES")


def _limit(meta: object) -> str | None:
    """Words for a numeric bound; an id's length is explained once, in the intro."""
    if isinstance(meta, annotated_types.Ge):
        return f"at least {meta.ge}"
    if isinstance(meta, annotated_types.Gt):
        return f"more than {meta.gt}"
    if isinstance(meta, annotated_types.Le):
        return f"at most {meta.le}"
    if isinstance(meta, annotated_types.Lt):
        return f"less than {meta.lt}"
    return None


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    # Sections and lists are made by a factory; it takes no arguments here.
    factory = field.default_factory
    value = field.default if factory is None else factory()  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return "(defaults below)"
    return "empty" if value is None else f"`{_yaml_value(value)}`"


def _yaml_value(value: object) -> str:  # noqa: PLR0911 (one return per kind of value)
    """A default as it would be written in the YAML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if value == "":
        return '""'
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    if isinstance(value, BaseModel):
        fields = value.model_dump(exclude_defaults=False)
        return "{" + ", ".join(f"{k}: {_yaml_value(getattr(value, k))}" for k in fields) + "}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str | Path | DailyWindow | DoseTime):
        return str(value)  # each prints as it is written in YAML
    raise TypeError(f"no YAML form for the default {value!r}: add it to reference._yaml_value")


def _escape(text: str) -> str:
    """Keep '<id>' visible (not an HTML tag) and '|' from ending a table cell."""
    return text.replace("|", "\\|").replace("<", "\\<")


if __name__ == "__main__":
    sys.stdout.write(render_reference())
