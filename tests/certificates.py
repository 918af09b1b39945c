"""A self-signed certificate and its key, made by openssl, for the tests of TLS files."""

from __future__ import annotations

import subprocess
from pathlib import Path


def self_signed(
    folder: Path,
    *,
    host: str,
    names: tuple[str, str] = ("cert.pem", "key.pem"),
    key_mode: int | None = None,
) -> tuple[Path, Path]:
    """A certificate for `host`, valid a day, and its key, in `folder` (made if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / names[0], folder / names[1]
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={host}", "-keyout", key, "-out", cert],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    if key_mode is not None:
        key.chmod(key_mode)
    return cert, key
