"""Profiles: YAML files validated with a line per problem, defaults everywhere, built-in people."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from hub.simulate import BUILTIN, Profile, ProfileError, builtin_profile, load_profile, profile_from


def test_an_empty_profile_is_the_typical_person(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing set\n")
    assert load_profile(empty).model_dump(exclude={"name", "description"}) == builtin_profile(
        "typical"
    ).model_dump(exclude={"name", "description"})


def test_times_may_be_written_with_or_without_quotes(tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted 07:30 as the number 450 (base 60).
    path = tmp_path / "p.yaml"
    path.write_text('wake: 07:30\nbedtime: "22:15"\nlunch:\n  at: 13:05\n')
    profile = load_profile(path)
    assert profile.wake == time(7, 30)
    assert profile.bedtime == time(22, 15)
    assert profile.lunch.at == time(13, 5)


def test_every_problem_is_one_line_with_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('wake: "7:3"\nbedtim: "23:00"\noutings:\n  per_day: -1\n  colour: red\n')
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}:1: wake: write a time of day as 'HH:MM', such as '07:30', not '7:3'",
        f"{path}:2: bedtim: unknown key 'bedtim' (did you mean 'bedtime'?)",
        f"{path}:4: outings.per_day: must be at least 0.0 (got -1)",
        f"{path}:5: outings.colour: unknown key 'colour'",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wake: [\n", ":2: YAML syntax error"),
        ("- wake\n", "a profile is a set of keys"),
        ("medication:\n  with_meals: [supper]\n", "'supper' is not breakfast, lunch or dinner"),
        ("sensors:\n  dropout_hours_min: 5\n  dropout_hours_max: 1\n", "below dropout_hours_min"),
    ],
)
def test_other_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_profile(path)


def test_a_missing_file_and_an_unknown_name_are_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read the profile"):
        profile_from(str(tmp_path / "nobody.yaml"))
    with pytest.raises(ProfileError, match=r"no built-in profile 'grandpa' .*typical"):
        profile_from("grandpa")


@pytest.mark.parametrize("name", list(BUILTIN))
def test_builtin_profiles_are_valid_and_differ_from_the_default(name: str) -> None:
    profile = builtin_profile(name)
    assert profile.name == name
    assert profile.description
    if name != "typical":
        assert profile.model_dump(exclude={"name", "description"}) != Profile().model_dump(
            exclude={"name", "description"}
        )


def test_every_field_has_a_description() -> None:
    def undocumented(model: type[Profile]) -> list[str]:
        missing = []
        for name, field in model.model_fields.items():
            if not field.description:
                missing.append(name)
            inner = field.annotation
            if isinstance(inner, type) and hasattr(inner, "model_fields"):
                missing += [f"{name}.{sub}" for sub in undocumented(inner)]
        return missing

    assert undocumented(Profile) == []
