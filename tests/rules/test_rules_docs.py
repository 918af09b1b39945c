"""docs/rules.md has one row per rule, with the rule's own severity and modes."""

from __future__ import annotations

from pathlib import Path

from hub.modes import Mode
from hub.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def table_rows() -> dict[str, list[str]]:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 7:
            rows[cells[0].strip("`")] = cells
    return rows


def test_every_rule_is_in_the_table_and_only_those() -> None:
    assert set(table_rows()) == {rule.name for rule in RULES}


def test_the_table_states_each_rules_severity_asking_and_modes() -> None:
    rows = table_rows()
    for rule in RULES:
        _, _, _, severity, asks, paused, keys = rows[rule.name]
        assert rule.severity.value in severity, rule.name
        assert asks == ("yes" if rule.asks_resident else "no"), rule.name
        expected = {mode.value for mode in rule.paused_in} or {"never"}
        assert {word.strip() for word in paused.split(",")} == expected, rule.name
        assert f"`{rule.name}.enabled`" in keys, rule.name


def test_every_config_key_of_a_rule_is_named_in_its_row() -> None:
    from hub.config.rules import Rules

    rows = table_rows()
    for name, field in Rules.model_fields.items():
        if name == "tick_s":
            continue
        section = field.annotation
        assert isinstance(section, type)
        for key in section.model_fields:
            assert f"`{name}.{key}`" in rows[name][6], f"{name}.{key}"


def test_modes_named_are_real_modes() -> None:
    assert {mode.value for rule in RULES for mode in rule.paused_in} <= {m.value for m in Mode}
