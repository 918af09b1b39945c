"""The routine model: is a TFLite runtime installed, and does the committed model load and score?"""

from __future__ import annotations

from pathlib import Path

from hub.doctor.findings import Finding, Level
from hub.routine.model import COMMITTED_MODEL, model_problem, runtime_name


def check_model(path: Path | None = None) -> list[Finding]:
    problem = model_problem(path)
    if problem is not None:
        return [
            Finding(
                Level.PROBLEM,
                "model",
                problem,
                "reinstall Hearth (install/install.sh on the hub, ./setup.sh in a checkout): it "
                "installs the runtime and the model file",
            )
        ]
    return [
        Finding(Level.OK, "model", f"{path or COMMITTED_MODEL} loads and scores ({runtime_name()})")
    ]
