"""A config file's YAML, read together with the line where each key was written.

PyYAML's `yaml.safe_load` throws the positions away, so the text is composed
into nodes first (each node knows its line), and the plain Python data is then
constructed from those same nodes: one parse gives both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from hub.config.base import Loc

# PyYAML's wording for two common slips, and what the installer most likely did.
_SYNTAX_HINTS = {
    "mapping values are not allowed here": "a ':' inside a value needs quotes around "
    "the value, or a ':' is missing on a line above",
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a key (or a list item) was written: its 1-based line and its value's node."""

    line: int
    node: yaml.Node


@dataclass(slots=True)
class Document:
    """The data a YAML file holds, and where each key path was written."""

    data: object
    places: dict[Loc, Place] = field(default_factory=dict)
    # Key paths written twice in one mapping, with the line of each copy:
    # YAML keeps the last silently, which would hide one of the two settings.
    repeated: list[tuple[Loc, int, int]] = field(default_factory=list)

    def line_of(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest written parent when it is missing."""
        for end in range(len(loc), -1, -1):
            place = self.places.get(loc[:end])
            if place is not None:
                return place.line
        return None

    def written(self, loc: Loc) -> str | None:
        """The value at `loc` exactly as typed (before YAML turned 0x12 into a number)."""
        place = self.places.get(loc)
        if place is not None and isinstance(place.node, yaml.ScalarNode):
            return str(place.node.value)
        return None


def parse(text: str) -> Document:
    """Parse one YAML document; raises `yaml.YAMLError` on bad syntax."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:  # an empty file, or only comments
            return Document(data=None)
        document = Document(data=loader.construct_document(root))
    finally:
        loader.dispose()
    document.places[()] = Place(root.start_mark.line + 1, root)
    _index(root, (), document, frozenset())
    return document


def syntax_message(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line and a readable message for a YAML syntax error."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return None, f"YAML syntax error: {exc}"
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    message = f"YAML syntax error: {exc.problem or exc.context}"
    hint = _SYNTAX_HINTS.get(exc.problem or "")
    if hint:
        message += f" ({hint})"
    # The context often names where the broken construct began, which can be
    # far above the line where PyYAML noticed (an unclosed quote, say).
    if exc.context and exc.problem and exc.context_mark is not None:
        context_line = exc.context_mark.line + 1
        if context_line != line:
            message += f" ({exc.context} from line {context_line})"
    return line, message


def _index(node: yaml.Node, loc: Loc, document: Document, inside: frozenset[int]) -> None:
    # An anchor can refer to itself (`a: &x [*x]`); stop rather than loop forever.
    if id(node) in inside:
        return
    inside |= {id(node)}
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            # Only plain keys can be config keys; anything else is refused by
            # validation anyway, and '<<' merges have no key path of their own.
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                document.repeated.append(((*loc, key), line, first_lines[key]))
            else:
                first_lines[key] = line
            child = (*loc, key)
            document.places[child] = Place(line, value_node)
            _index(value_node, child, document, inside)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            document.places[child] = Place(item.start_mark.line + 1, item)
            _index(item, child, document, inside)
