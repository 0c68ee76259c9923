"""A plan file's text as plain values, read once, with the line of every place in it.

The text is read by libyaml (PyYAML's C parser, which keeps each node's line) into a tree of
nodes, and the nodes are made into plain values: dicts, lists, text, numbers, true/false and
None. The values follow YAML 1.2's core schema, as a plan written by hand expects (`yes`, `no`
and `on` are text; `09:30` is text, not a number of minutes), and dates and times stay text for
the plan's own parsers (`bot.parsing`). The nodes are kept to tell the line of a problem.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from yaml import (
    CBaseLoader,
    MappingNode,
    MarkedYAMLError,
    Node,
    ScalarNode,
    SequenceNode,
    YAMLError,
)
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.reader import ReaderError

from bot.plan.problems import Loc, PlanError, Problem


class _Loader(CBaseLoader, SafeConstructor):
    """libyaml's parser, YAML 1.2's core schema, and plain values (as PyYAML's CSafeLoader,
    whose resolver is YAML 1.1's); a key written twice in a mapping is refused."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[tuple[str, str], Node] = {}
        for key, _value in node.value:
            if (
                isinstance(key, ScalarNode)
                and seen.setdefault((key.tag, key.value), key) is not key
            ):
                raise _DuplicateKey(key.value, node, key)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """YAML 1.2: `010` is ten (YAML 1.1 read it as octal); `0o10` is eight."""
        written = self.construct_scalar(node).replace("_", "")
        sign = -1 if written[0] == "-" else 1
        digits = written.lstrip("+-")
        base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2], 10)
        return sign * int(digits if base == 10 else digits[2:], base)

    def construct_text(self, node: ScalarNode) -> str:
        """A date or a time as it is written, for the plan's own parsers (`bot.parsing`)."""
        return self.construct_scalar(node)


_CORE = (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (
        "int",
        r"[-+]?(?:[0-9][0-9_]*|0b[01][01_]*|0o[0-7][0-7_]*|0x[0-9a-fA-F][0-9a-fA-F_]*)",
        "-+0123456789",
    ),
    (
        "float",
        r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("merge", r"<<", "<"),
)
for _name, _pattern, _first in _CORE:
    _Loader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_name}", re.compile(f"^(?:{_pattern})$"), list(_first)
    )
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_text)


class _DuplicateKey(ConstructorError):
    def __init__(self, key: str, mapping: MappingNode, duplicate: ScalarNode) -> None:
        super().__init__(
            "while constructing a mapping",
            mapping.start_mark,
            f"duplicate key {key!r}",
            duplicate.start_mark,
        )
        self.key = key


@dataclass(frozen=True)
class Document:
    """A plan's values, and its nodes for telling where each value is written."""

    values: Any
    root: Node | None

    def line(self, loc: Loc) -> int:
        """The 1-based line of the deepest node of `loc` that the document has."""
        line, node = 1, self.root
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            line, node = found
        return line


def read(text: str) -> Document:
    """The document a plan's text holds; `PlanError` if it is not well-formed YAML."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        values = None if root is None else loader.construct_document(root)
    except YAMLError as error:
        raise PlanError([_problem(error, text)]) from None
    finally:
        loader.dispose()
    return Document(values, root)


def _child(node: Node | None, part: int | str) -> tuple[int, Node] | None:
    """The line of a mapping's key or a list's item, and the node it holds."""
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in reversed(node.value):  # after a merge (`<<`) the own key wins
            if isinstance(key, ScalarNode) and key.value == part:
                return key.start_mark.line + 1, value
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def _problem(error: YAMLError, text: str) -> Problem:
    if isinstance(error, _DuplicateKey):
        assert error.problem_mark is not None and error.context_mark is not None
        first = error.context_mark.line + 1
        message = f"duplicate key {error.key!r} (the mapping starts at line {first})"
        return Problem((), message, error.problem_mark.line + 1)
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        return Problem((), f"malformed YAML: {error.problem or error.context}", line)
    if isinstance(error, ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return Problem((), f"malformed YAML: {error.reason}", line)
    return Problem((), f"malformed YAML: {error}", 1)
