"""The weekly summary's heavy work runs in a child process; the hub never loads it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from hub.summary.child import ChildFailed, in_child


def test_the_hub_process_loads_neither_matplotlib_nor_weasyprint() -> None:
    """They cost about 90 MB and a quarter of a second at every start of the hub."""
    probe = (
        "import sys, hub.daemon, hub.cli\n"
        "print(sorted(m for m in ('matplotlib', 'weasyprint', 'PIL') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def _pid_and_matplotlib() -> tuple[int, bool]:
    import matplotlib  # noqa: F401

    return os.getpid(), "matplotlib" in sys.modules


def _refuse() -> None:
    raise LookupError("no such week")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def test_a_job_runs_in_another_process_and_its_errors_come_back() -> None:
    pid, loaded = await in_child(_pid_and_matplotlib)
    assert pid != os.getpid()
    assert loaded
    with pytest.raises(LookupError, match="no such week"):
        await in_child(_refuse)


async def test_a_child_that_dies_is_a_clear_error() -> None:
    with pytest.raises(ChildFailed, match="ended without an answer"):
        await in_child(_die)
