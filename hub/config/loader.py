"""Load a home's YAML config file and report every problem in it, each with its line.

An installer fixes a config by reading the problems and editing the lines
they name, so all problems are collected in one run: YAML keys written twice,
every validation error, and the cross-entry checks (rooms, repeated ids).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hub.config.base import Loc
from hub.config.document import Document, parse, syntax_message
from hub.config.errors import ConfigError, Problem, key_path
from hub.config.messages import describe
from hub.config.models import HearthConfig, Room, Sensor, check_references, cross_check
from hub.config.secrets import SecretError

# ConfigError and Problem are re-exported: callers catch the loader's error from here.
__all__ = ["ConfigError", "Problem", "SecretCheck", "load_config", "validate_config"]

_Model = TypeVar("_Model", bound=BaseModel)


SecretCheck = Callable[[HearthConfig], Sequence[SecretError]]
"""Reads the secrets a config names; each problem names its key (`hub.start_secrets`)."""


def load_config(path: Path, *, check_secrets: SecretCheck | None = None) -> HearthConfig:
    """Read, validate and return the config at `path`, or raise ConfigError.

    Relative file paths in it (the database, the password file, TLS files)
    are taken from the config file's folder. With `check_secrets`
    (`hub.start_secrets.start_secret_problems`: it lives above this package,
    as it builds the alert channels), the secrets are read too, so each one
    that is missing or too open is reported at its line; the secrets
    themselves are dropped.
    """
    document = _parse(path, _read(path))
    config = _resolve_paths(_validate(document.data, path, document), path.absolute().parent)
    if check_secrets is not None:
        errors = check_secrets(config)
        if errors:
            problems = [
                Problem(path, document.line_of(exc.loc), key_path(exc.loc), str(exc))
                for exc in errors
            ]
            # Stable sort: problems on one line keep the order they were found in.
            raise ConfigError(sorted(problems, key=lambda p: p.line or 0)) from errors[0]
    return config


def validate_config(data: Mapping[str, object], *, file: Path = Path("<config>")) -> HearthConfig:
    """Validate data already read from somewhere: field checks and cross-entry checks.

    Problems carry `file` for their messages but no line. Paths are left as given.
    """
    return _validate(dict(data), file, Document(data=data))


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise _whole_file(path, "file not found") from exc
    except IsADirectoryError as exc:
        raise _whole_file(path, "is a folder, not a config file") from exc
    except PermissionError as exc:
        raise _whole_file(path, "cannot read the file: permission denied") from exc
    except OSError as exc:
        raise _whole_file(path, f"cannot read the file: {exc.strerror}") from exc
    try:
        # utf-8-sig: Windows editors may start the file with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = Problem(path, line, "", "the file is not UTF-8 text; save it as UTF-8")
        raise ConfigError([problem]) from exc


def _parse(path: Path, text: str) -> Document:
    try:
        document = parse(text)
    except yaml.YAMLError as exc:
        line, message = syntax_message(exc)
        raise ConfigError([Problem(path, line, "", message)]) from exc
    if document.data is None:
        raise _whole_file(path, "the file is empty; it needs at least 'home:' with an 'id:'")
    if not isinstance(document.data, dict):
        message = "the file must be a set of sections (home:, rooms:, sensors: ...), not a "
        message += "list" if isinstance(document.data, list) else "single value"
        raise ConfigError([Problem(path, document.line_of(()), "", message)])
    return document


def _validate(data: object, file: Path, document: Document) -> HearthConfig:
    problems = [
        Problem(file, line, key_path(loc), f"key is written twice (also on line {first})")
        for loc, line, first in document.repeated
    ]
    try:
        config: HearthConfig | None = HearthConfig.model_validate(data)
    except ValidationError as exc:
        config = None
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            message = describe(error, document.written(loc))
            problems.append(Problem(file, document.line_of(loc), key_path(loc), message))
    checks = cross_check(config) if config is not None else _check_valid_entries(data)
    problems += [
        Problem(file, document.line_of(loc), key_path(loc), message) for loc, message in checks
    ]
    if problems or config is None:
        # Stable sort: problems on one line keep the order they were found in.
        raise ConfigError(sorted(problems, key=lambda problem: problem.line or 0))
    return config


def _check_valid_entries(data: object) -> list[tuple[Loc, str]]:
    """Cross-entry checks over the rooms and sensors that are valid on their own.

    Run when validation failed, so a misspelt key does not hide an unknown
    room until the next run.
    """
    if not isinstance(data, dict):
        return []
    rooms_written = data.get("rooms", [])
    rooms = _valid_entries(Room, rooms_written)
    sensors = _valid_entries(Sensor, data.get("sensors", []))
    every_room_known = isinstance(rooms_written, list) and len(rooms) == len(rooms_written)
    return check_references(rooms, sensors, every_room_known=every_room_known)


def _valid_entries(model: type[_Model], written: object) -> dict[int, _Model]:
    if not isinstance(written, list):
        return {}
    entries: dict[int, _Model] = {}
    for index, item in enumerate(written):
        try:
            entries[index] = model.model_validate(item)
        except ValidationError:
            continue  # already reported by the validation of the whole file
    return entries


def _resolve_paths(model: _Model, folder: Path) -> _Model:
    """Make relative paths absolute from `folder`, in this section and those within.

    The hub runs under systemd, whose working folder is '/', so a path taken
    from the current folder would mean something else there than when the
    installer ran `hearth check-config`.
    """
    changes: dict[str, object] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Path) and not value.is_absolute():
            # ${CREDENTIALS_DIRECTORY}/... is systemd's folder, known only at run time.
            if not str(value).startswith("${"):
                changes[name] = folder / value
        elif isinstance(value, BaseModel):
            resolved = _resolve_paths(value, folder)
            if resolved is not value:
                changes[name] = resolved
        elif isinstance(value, list) and any(isinstance(item, BaseModel) for item in value):
            # Recipients' channels name secret files too.
            items = [_resolve_paths(i, folder) if isinstance(i, BaseModel) else i for i in value]
            if any(new is not old for new, old in zip(items, value, strict=True)):
                changes[name] = items
    return model.model_copy(update=changes) if changes else model


def _whole_file(path: Path, message: str) -> ConfigError:
    return ConfigError([Problem(path, None, "", message)])
