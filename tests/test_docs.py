"""Every command a user can type is in the README, and the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from hub.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_every_hearth_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in main.commands if f"hearth {name}" not in readme]
    assert missing == [], f"commands missing from README.md: {missing}"


def test_every_command_the_readme_names_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`hearth ([a-z-]+)", readme))
    assert named <= set(main.commands), named - set(main.commands)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./setup.sh test" in readme
    assert "./setup.sh demo" in readme
    assert "./setup.sh test" in (ROOT / ".ci" / "run").read_text()


def test_test_file_names_are_unique() -> None:
    # tests/ has no __init__.py files: pytest imports each test file by its base
    # name, so two test_engine.py in different folders break the whole run.
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
