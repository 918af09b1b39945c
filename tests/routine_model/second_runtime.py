"""A second Python environment with tflite-runtime, to check the committed model under it.

tflite-runtime 2.14 (its last release) needs numpy < 2, which cannot share an
environment with the project's numpy 2, so the test builds a venv once, in a
cache folder that survives between runs (CI caches it too), and runs a small
script there. pip fetches from PyPI; the build is locked, so parallel test
processes build it once.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import venv
from collections.abc import Sequence
from pathlib import Path

REQUIREMENTS = ("numpy<2", "tflite-runtime==2.14.*")
CACHE = (
    Path(os.environ.get("HEARTH_TEST_CACHE", Path.home() / ".cache" / "hearth-tests"))
    / "tflite-runtime-venv"
)
# Runs in the second venv: only the interpreter and numpy, no Hearth code
# (Hearth's own dependencies are not installed there).
SCRIPT = """
import json, sys
import numpy as np
from tflite_runtime.interpreter import Interpreter
request = json.load(sys.stdin)
interpreter = Interpreter(model_path=request["model"])
interpreter.allocate_tensors()
source = interpreter.get_input_details()[0]["index"]
target = interpreter.get_output_details()[0]["index"]
outputs = []
for row in request["inputs"]:
    interpreter.set_tensor(source, np.asarray([row], dtype=np.float32))
    interpreter.invoke()
    outputs.append([float(v) for v in interpreter.get_tensor(target)[0]])
import tflite_runtime
json.dump({"version": tflite_runtime.__version__, "numpy": np.__version__, "outputs": outputs},
          sys.stdout)
"""


class SecondRuntimeError(Exception):
    """The tflite-runtime environment could not be built or run."""


def python() -> Path:
    """The second venv's Python, building the venv first if needed."""
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with (CACHE.parent / "tflite-runtime-venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = CACHE / "hearth-ready"
        interpreter = CACHE / "bin" / "python"
        if not ready.exists():
            venv.EnvBuilder(clear=True, with_pip=True).create(CACHE)
            result = subprocess.run(
                [str(interpreter), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0:
                tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
                raise SecondRuntimeError(
                    f"cannot install {' '.join(REQUIREMENTS)} for Python "
                    f"{sys.version_info.major}.{sys.version_info.minor} on this platform: {tail}"
                )
            ready.write_text(" ".join(REQUIREMENTS) + "\n")
        return interpreter


def reconstruct(model: Path, inputs: Sequence[Sequence[float]]) -> dict[str, object]:
    """The model's outputs for `inputs` under tflite-runtime, with the versions used."""
    result = subprocess.run(
        [str(python()), "-c", SCRIPT],
        input=json.dumps({"model": str(model), "inputs": [list(row) for row in inputs]}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise SecondRuntimeError(f"tflite-runtime could not run {model}: {result.stderr.strip()}")
    answer: dict[str, object] = json.loads(result.stdout)
    return answer
