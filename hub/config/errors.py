"""What goes wrong in a config file, said in one line per problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hub.config.base import Loc


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a config file, at a line and key path when known.

    `str()` gives the line an installer sees, in the form compilers use so
    editors can jump to it: `home.yaml:42: sensors[3].room: room 'kitchn' is
    not in rooms`. The file is shown as it was given on the command line.
    """

    file: Path
    line: int | None
    key_path: str
    message: str

    def __str__(self) -> str:
        parts = [str(self.file) if self.line is None else f"{self.file}:{self.line}"]
        if self.key_path:
            parts.append(self.key_path)
        parts.append(self.message)
        return ": ".join(parts)


class ConfigError(ValueError):
    """A config file that cannot be used; `problems` lists every reason, in line order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def key_path(loc: Loc) -> str:
    """Write a pydantic location as it reads in YAML: ("sensors", 3, "room") -> sensors[3].room."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
