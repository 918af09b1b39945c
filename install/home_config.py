"""The first /etc/hearth/home.yaml: config/example-home.yaml, adjusted to the installed paths.

The example is kept line for line, comments included, because it is the
installer's guide to every setting. Only what the installer itself decides
is changed: where the database lives, the MQTT accounts and password files
it created, the key that signs acknowledgement links, and the web server's
certificate (only when it made one). The example's alert recipients are
commented out rather than left in, since their secret files (an e-mail
password, Apprise and webhook secrets) do not exist on a new box, and
`hearth check-config` (run by install.sh) and `hearth run` refuse them; the
example's `alerts.smtp` stays, as its password is read only for an e-mail
channel.

Edits are made by position: the hub's own YAML reader says on which line
and column each key's value was written, so a value is replaced exactly and
nothing else in the file moves. Run by install.sh with the installed venv's
Python (it imports the hub's YAML reader):

    python install/home_config.py EXAMPLE OUT [--web-tls CERT KEY]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from hub.config.base import Loc
from hub.config.document import Document, parse

HEADER = (
    "# Written by Hearth's installer (install/install.sh) from config/example-home.yaml.\n"
    "# Replace the example home below with this home's rooms, sensors and carers,\n"
    "# then run `hearth check-config /etc/hearth/home.yaml` and `hearth doctor`.\n"
    "# The installer never overwrites this file once it exists.\n"
    "#\n"
)

RECIPIENTS_NOTE = (
    "# The installer left the example's recipients out (commented below): the\n"
    "# secret files they name do not exist yet, and the hub will not start\n"
    "# without them. Write this home's recipients, create their secret files\n"
    "# (root:hearth, mode 0640), and run `hearth doctor`.\n"
)

WEB_TLS_NOTE = (
    "# No certificate was made for the web server (install.sh --tls makes one):\n"
    "# links are plain http inside the home until you name a certificate here.\n"
)


class ExampleChangedError(ValueError):
    """The example config no longer has a key the installer adjusts."""


@dataclass(frozen=True)
class InstalledPaths:
    """What the installer created, as the config must name it."""

    database: str = "/var/lib/hearth/hearth.db"
    broker_host: str = "localhost"
    broker_port: int = 1883
    hub_user: str = "hearth"
    hub_password_file: str = "/etc/hearth/mqtt.pass"  # noqa: S105 (a path)
    bridge_user: str = "hearth-bridge"
    bridge_password_file: str = "/etc/hearth/bridge.pass"  # noqa: S105 (a path)
    ack_key_file: str = "/etc/hearth/ack.key"
    # (certificate, key) for the web server, or None when none was made.
    web_tls: tuple[str, str] | None = None
    # How carers' phones reach the web server (this box's name on the home network).
    ack_base_url: str | None = None


def installed_config(example: str, paths: InstalledPaths) -> str:
    """The example config's text with the installer's paths and accounts put in."""
    document = parse(example)
    lines = example.splitlines(keepends=True)
    values: dict[Loc, str] = {
        ("storage", "path"): paths.database,
        ("broker", "host"): paths.broker_host,
        ("broker", "port"): str(paths.broker_port),
        ("broker", "username"): paths.hub_user,
        ("broker", "password_file"): paths.hub_password_file,
        ("bridge", "username"): paths.bridge_user,
        ("bridge", "password_file"): paths.bridge_password_file,
        ("alerts", "ack_links", "key_file"): paths.ack_key_file,
    }
    if paths.ack_base_url is not None:
        values[("alerts", "ack_links", "base_url")] = paths.ack_base_url
    commented: list[tuple[Loc, str, str]] = [(("alerts", "recipients"), RECIPIENTS_NOTE, "[]")]
    if paths.web_tls is not None:
        values[("web", "tls_cert_file")] = paths.web_tls[0]
        values[("web", "tls_key_file")] = paths.web_tls[1]
    else:
        commented.append((("web", "tls_cert_file"), WEB_TLS_NOTE, ""))
        commented.append((("web", "tls_key_file"), "", ""))
    for loc, value in values.items():
        _replace_value(lines, document, loc, value)
    # Bottom to top, so the line numbers of blocks still to do stay right.
    blocks = sorted(
        ((_block(document, loc), note, empty) for loc, note, empty in commented),
        key=lambda item: item[0][0],
        reverse=True,
    )
    for (first, last, indent, key), note, empty in blocks:
        replacement = [_indented(line, indent) for line in note.splitlines(keepends=True)]
        if empty:
            replacement.append(f"{' ' * indent}{key}: {empty}\n")
        replacement += [_commented(line, indent) for line in lines[first : last + 1]]
        lines[first : last + 1] = replacement
    return HEADER + "".join(lines)


def _place(document: Document, loc: Loc) -> yaml.Node:
    place = document.places.get(loc)
    if place is None:
        raise ExampleChangedError(
            f"the example config has no {'.'.join(map(str, loc))}: the installer adjusts that "
            "key, so install/home_config.py must be updated with the example"
        )
    return place.node


def _replace_value(lines: list[str], document: Document, loc: Loc, value: str) -> None:
    node = _place(document, loc)
    start, end = node.start_mark, node.end_mark
    if not isinstance(node, yaml.ScalarNode) or start.line != end.line:
        raise ExampleChangedError(
            f"{'.'.join(map(str, loc))} in the example config (line {start.line + 1}) is not a "
            "one-line value; the installer cannot put its own value there"
        )
    line = lines[start.line]
    lines[start.line] = line[: start.column] + value + line[end.column :]


def _block(document: Document, loc: Loc) -> tuple[int, int, int, str]:
    """(first line, last line, indent, key) of a key and its value, lines 0-based."""
    node = _place(document, loc)
    key_line = document.places[loc].line - 1
    last = max(_last_lines(node))
    key = str(loc[-1])
    indent = _key_indent(document, loc)
    return key_line, max(last, key_line), indent, key


def _key_indent(document: Document, loc: Loc) -> int:
    """The column of the key `loc[-1]` within its parent mapping."""
    parent = document.places[loc[:-1]].node
    for key_node, _value in parent.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == loc[-1]:
            column: int = key_node.start_mark.column
            return column
    raise ExampleChangedError(f"cannot find the key {'.'.join(map(str, loc))}")


def _last_lines(node: yaml.Node) -> list[int]:
    """The lines where the scalars under `node` end: a block's own end mark lies on
    the next key's line, past any comments that belong to that next key."""
    if isinstance(node, yaml.ScalarNode):
        return [node.end_mark.line]
    if isinstance(node, yaml.SequenceNode):
        return [line for item in node.value for line in _last_lines(item)]
    if isinstance(node, yaml.MappingNode):
        return [line for pair in node.value for item in pair for line in _last_lines(item)]
    return [node.end_mark.line]


def _commented(line: str, indent: int) -> str:
    if not line.strip():
        return line
    return line[:indent] + "# " + line[indent:]


def _indented(line: str, indent: int) -> str:
    return " " * indent + line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("example", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--web-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--base-url", help="alerts.ack_links.base_url")
    args = parser.parse_args(argv)
    web_tls = (args.web_tls[0], args.web_tls[1]) if args.web_tls else None
    paths = InstalledPaths(web_tls=web_tls, ack_base_url=args.base_url)
    try:
        text = installed_config(args.example.read_text(encoding="utf-8"), paths)
    except (OSError, yaml.YAMLError, ExampleChangedError) as exc:
        print(f"home_config.py: {args.example}: {exc}", file=sys.stderr)
        return 1
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
