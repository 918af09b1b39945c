"""The `bridge` section of a home's config: ports, and mistakes reported with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config.loader import ConfigError, load_config


def load(tmp_path: Path, bridge: str) -> None:
    path = tmp_path / "home.yaml"
    path.write_text("home:\n  id: flat-12\n" + bridge)
    load_config(path)


def problems(tmp_path: Path, bridge: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, bridge)
    return [str(problem) for problem in caught.value.problems]


def test_ports_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text(
        "home:\n  id: flat-12\nbridge:\n  ports:\n"
        "    - id: pillbox\n      path: /dev/serial/by-id/usb-pillbox\n"
    )
    (port,) = load_config(path).bridge.ports
    assert (port.protocol.value, port.baud) == ("hearth", 115200)


def test_repeated_port_ids_and_paths_name_their_lines(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "bridge:\n  ports:\n"
        "    - id: pillbox\n      path: /dev/serial/by-id/a\n"
        "    - id: pillbox\n      path: /dev/serial/by-id/a\n",
    )
    assert found[0].endswith(
        ":7: bridge.ports[1].id: port id 'pillbox' is already used by bridge.ports[0]"
    )
    assert found[1].endswith(
        ":8: bridge.ports[1].path: port path '/dev/serial/by-id/a' is already used by "
        "bridge.ports[0]"
    )


def test_a_relative_path_or_unknown_protocol_is_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "bridge:\n  ports:\n    - id: a\n      path: ttyUSB0\n      protocol: zwave\n",
    )
    assert any(":6:" in p and "full path" in p for p in found), found
    assert any(":7:" in p and "protocol" in p for p in found), found


def test_bridge_user_needs_its_password_file(tmp_path: Path) -> None:
    found = problems(tmp_path, "bridge:\n  username: hearth-bridge\n")
    assert any("together" in p for p in found), found
