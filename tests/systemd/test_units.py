"""The units in systemd/: `systemd-analyze verify` says nothing, and the exposure scores hold.

`systemd-analyze verify` exits 0 on unknown keys and misspelt values and only
prints a warning, so these tests fail on any output line, not on the exit
status, and prove that with a misspelt copy.

verify also checks that ExecStart's program exists. The units name the
installer's /opt/hearth/venv; rather than create a stub there (root, and a
file outside the repository that would hide a wrong path on this machine),
each test verifies a copy in tmp whose ExecStart points at this checkout's
real `hearth` or `firmware-bridge` in the venv: the program checked is the
one that would run, and nothing else in the unit changes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "systemd"
INSTALLED_VENV_BIN = "/opt/hearth/venv/bin/"
VENV_BIN = Path(sys.executable).parent
# Highest acceptable `systemd-analyze security` exposure (0 = locked down, 10 = none).
MAX_EXPOSURE = 2.0

ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(
    ANALYZE is None,
    reason="systemd-analyze is not installed (Debian 12: apt-get install systemd)",
)
UNIT_NAMES = ["hearth.service", "hearth-bridge.service"]


def local_copy(name: str, folder: Path, edit: tuple[str, str] | None = None) -> Path:
    """The unit with ExecStart's venv rewritten to this checkout's venv, in `folder`."""
    text = (UNITS / name).read_text()
    assert f"ExecStart={INSTALLED_VENV_BIN}" in text, "ExecStart should use the installer's venv"
    text = text.replace(f"ExecStart={INSTALLED_VENV_BIN}", f"ExecStart={VENV_BIN}/")
    if edit is not None:
        old, new = edit
        assert old in text
        text = text.replace(old, new)
    program = re.search(r"^ExecStart=(\S+)", text, re.MULTILINE)
    assert program is not None
    if not Path(program.group(1)).exists():
        pytest.skip(f"{program.group(1)} is not installed: pip install -e .")
    path = folder / name
    path.write_text(text)
    return path


def verify(unit: Path) -> list[str]:
    """Every line `systemd-analyze verify` prints, on either stream."""
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    lines = (done.stdout + done.stderr).splitlines()
    if done.returncode != 0:
        lines.append(f"(exit status {done.returncode})")
    return [line for line in lines if line.strip()]


def exposure(unit: Path) -> float:
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout)
    if found is None:
        pytest.fail(f"no exposure level in:\n{done.stdout}\n{done.stderr}")
    return float(found.group(1))


@pytest.mark.parametrize("name", UNIT_NAMES)
def test_systemd_analyze_verify_prints_nothing(name: str, tmp_path: Path) -> None:
    assert verify(local_copy(name, tmp_path)) == []


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        (("ProtectSystem=strict", "ProtectSystm=strict"), "Unknown key"),
        (("ProtectSystem=strict", "ProtectSystem=strictt"), "Failed to parse"),
    ],
)
def test_the_check_catches_a_misspelt_key_or_value(
    edit: tuple[str, str], complaint: str, tmp_path: Path
) -> None:
    lines = verify(local_copy("hearth.service", tmp_path, edit))
    assert any(complaint in line for line in lines), lines


@pytest.mark.parametrize("name", UNIT_NAMES)
def test_exposure_score_is_low_and_recorded_in_the_readme(name: str, tmp_path: Path) -> None:
    score = exposure(local_copy(name, tmp_path))
    print(f"{name}: systemd-analyze security exposure {score}")  # the record, shown with -s
    assert score <= MAX_EXPOSURE
    readme = (ROOT / "README.md").read_text()
    assert f"`{name}` | {score}" in readme, f"README.md should record {name}'s exposure {score}"


@pytest.mark.parametrize("name", UNIT_NAMES)
def test_units_are_notify_with_a_watchdog_and_restart(name: str) -> None:
    settings = dict(
        line.split("=", 1)
        for line in (UNITS / name).read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert settings["Type"] == "notify"
    assert settings["NotifyAccess"] == "main"
    assert int(settings["WatchdogSec"]) > 0
    assert settings["Restart"] == "on-failure"
    assert settings["User"] == "hearth"
