"""docs/configuration.md is generated from the models, so it cannot drift from them."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from hub.config import HearthConfig
from hub.config.reference import render_reference

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
