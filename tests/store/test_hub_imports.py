"""The hub process does not load numpy (about 12 MB of RSS) just because sqlite-utils
would import it, and numpy still imports normally for the code that needs it."""

from __future__ import annotations

import subprocess
import sys


def test_the_hub_does_not_load_numpy_and_numpy_still_imports_later() -> None:
    script = (
        "import sys\n"
        "import hub.daemon\n"
        "print('numpy' in sys.modules)\n"
        "import numpy\n"
        "print(numpy.asarray([1, 2]).sum())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "3"]
