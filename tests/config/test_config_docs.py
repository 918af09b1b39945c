"""docs/configuration.md is generated from the models, so it cannot drift from them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel, Field

from hub.config import HearthConfig
from hub.config.reference import _sections, render_reference

DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_committed_reference_matches_the_models() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_reference(), (
        "docs/configuration.md is out of date; regenerate it with "
        "`python -m hub.config.reference > docs/configuration.md`"
    )


def all_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    """`model` and every model inside it (sections, optional sections, lists of them)."""
    found = {model}
    for field in model.model_fields.values():
        for inner in get_args(field.annotation) or (field.annotation,):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                found |= all_models(inner)
    return found


def test_every_option_is_in_the_reference() -> None:
    reference = render_reference()
    for model in all_models(HearthConfig):
        for name in model.model_fields:
            assert f"| `{name}` |" in reference, f"{model.__name__}.{name}"


def test_every_field_has_a_title_and_a_description() -> None:
    for model in all_models(HearthConfig):
        for name, field in model.model_fields.items():
            assert field.title, f"{model.__name__}.{name} has no title"
            assert field.description, f"{model.__name__}.{name} has no description"


def reference_rows() -> dict[str, tuple[str, str]]:
    """(type, default) of each key of the reference, by section and key."""
    rows, section = {}, ""
    for line in render_reference().splitlines():
        if line.startswith("## "):
            section = line.split("`")[1] if "`" in line else ""
        elif line.startswith("| `"):
            key, kind, default = (cell.strip() for cell in line.split(" | ")[:3])
            rows[f"{section}.{key.strip('|` ')}"] = (kind, default)
    return rows


def test_types_and_defaults_read_as_words_not_python() -> None:
    rows = reference_rows()
    for key, (kind, default) in rows.items():
        for python in ("<class", "typing.", "datetime.", "hub.", "NoneType", "object at"):
            assert python not in kind, f"{key}: {kind}"
            assert python not in default, f"{key}: {default}"
    assert rows["medication.medicines[].start"] == ("date `YYYY-MM-DD`", "empty")
    assert rows["medication.medicines[].times[].fallback"] == ("time `HH:MM`", "empty")
    assert rows["summary.email.at"] == ("time `HH:MM`", "`08:00`")
    # Text that must be a clock time reads the same as a time field.
    assert rows["rules.not_up.default_by"] == ("time `HH:MM`", "`10:30`")
    assert rows["medication.medicines[].times[].at"][0].startswith("`HH:MM` or a moment")


def test_a_type_without_words_stops_the_generator() -> None:
    class Odd(BaseModel):
        every: timedelta = Field(
            default=timedelta(hours=1), title="Every", description="How often."
        )

    with pytest.raises(TypeError, match="no words for the type"):
        _sections(Odd, "odd", "Odd", "An odd section.")
