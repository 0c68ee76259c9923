"""A plan file's text as plain values, read once, with the line of every place in it.

libyaml (PyYAML's C parser) reads the text into events, and the events are made into plain
values at once: dicts, lists, text, numbers, true/false and None, each list's items and each
mapping's keys noted with their lines. The values follow YAML 1.2's core schema, as a plan
written by hand expects (`yes`, `no` and `on` are text, `09:30` is text and not a number of
minutes, `010` is ten), and dates and times stay text for the plan's own parsers
(`bot.parsing`). No tree of nodes is kept: on a large plan its millions of objects would cost
more in the garbage collector's passes than the reading itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Final

from yaml import (
    AliasEvent,
    CBaseLoader,
    MappingEndEvent,
    MappingStartEvent,
    MarkedYAMLError,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    YAMLError,
)
from yaml.reader import ReaderError

from bot.plan.problems import Loc, PlanError, Problem

DEEPEST: Final = 100  # nesting levels: a plan needs six
_TAG = "tag:yaml.org,2002:"


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
# The implicit types of YAML 1.2's core schema, by the first character of a plain value
# (PyYAML's own resolver is YAML 1.1's: `yes`, `on` and `09:30` would not be text).
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _name, _pattern, _first in _CORE:
    for _character in _first:
        _IMPLICIT.setdefault(_character, []).append((_TAG + _name, re.compile(f"(?:{_pattern})$")))


class _Malformed(YAMLError):
    """Well-formed YAML that is not a plan's values: what is wrong, and on which line."""

    def __init__(self, message: str, event: Any) -> None:
        super().__init__(message)
        self.message = message
        self.line = _line_of(event)


@dataclass(frozen=True)
class Document:
    """A plan's values, and the lines of each list's items and each mapping's keys (by the
    list or mapping, in its order)."""

    values: Any
    lines: dict[int, tuple[int, ...]]

    def line(self, loc: Loc) -> int:
        """The 1-based line of the deepest place of `loc` that the document has."""
        line, value = 1, self.values
        for part in loc:
            lines = self.lines.get(id(value), ())
            if isinstance(value, dict) and isinstance(part, str) and part in value:
                line = lines[list(value).index(part)]
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                line = lines[part]
            else:
                break
            value = value[part]
        return line


def read(text: str) -> Document:
    """The document a plan's text holds; `PlanError` if it is not well-formed YAML."""
    events = CBaseLoader(text)
    try:
        return _Builder(events).document()
    except YAMLError as error:
        raise PlanError([_problem(error, text)]) from None
    finally:
        events.dispose()


class _Builder:
    """Plain values from the events of one document."""

    def __init__(self, events: CBaseLoader) -> None:
        self.events = events
        self.anchors: dict[str, Any] = {}
        self.lines: dict[int, tuple[int, ...]] = {}

    def document(self) -> Document:
        self.events.get_event()  # the stream starts
        values = None
        if not self.events.check_event(StreamEndEvent):
            self.events.get_event()  # the document starts
            values = self.value(0)
            self.events.get_event()  # the document ends
            if not self.events.check_event(StreamEndEvent):
                raise _Malformed("a plan is one document", self.events.peek_event())
        return Document(values, self.lines)

    def value(self, depth: int) -> Any:
        event = self.events.get_event()
        if isinstance(event, AliasEvent):
            if event.anchor not in self.anchors:
                raise _Malformed(f"unknown alias *{event.anchor}", event)
            return self.anchors[event.anchor]
        if depth > DEEPEST:
            raise _Malformed(f"nested deeper than {DEEPEST} levels", event)
        if isinstance(event, ScalarEvent):
            value = _scalar(event)
            if event.anchor is not None:
                self.anchors[event.anchor] = value
            return value
        if isinstance(event, SequenceStartEvent):
            _check_tag(event, "seq")
            return self.sequence(event, depth)
        assert isinstance(event, MappingStartEvent)
        _check_tag(event, "map")
        return self.mapping(event, depth)

    def sequence(self, start: SequenceStartEvent, depth: int) -> list[Any]:
        items: list[Any] = []
        if start.anchor is not None:
            self.anchors[start.anchor] = items
        lines: list[int] = []
        while not self.events.check_event(SequenceEndEvent):
            lines.append(_line_of(self.events.peek_event()))
            items.append(self.value(depth + 1))
        self.events.get_event()
        self.lines[id(items)] = tuple(lines)
        return items

    def mapping(self, start: MappingStartEvent, depth: int) -> dict[Hashable, Any]:
        mapping: dict[Hashable, Any] = {}
        if start.anchor is not None:
            self.anchors[start.anchor] = mapping
        lines: list[int] = []
        merged: list[tuple[int, Any]] = []
        while not self.events.check_event(MappingEndEvent):
            at = self.events.peek_event()
            merge = isinstance(at, ScalarEvent) and _tag(at) == _TAG + "merge"
            key, value = self.value(depth + 1), self.value(depth + 1)
            if merge:
                merged.append((_line_of(at), value))
                continue
            _check_new(key, mapping, start, at)
            mapping[key] = value
            lines.append(_line_of(at))
        self.events.get_event()
        for line, value in merged:
            _merge(mapping, lines, line, value, start)
        self.lines[id(mapping)] = tuple(lines)
        return mapping


def _check_new(key: Any, mapping: dict[Hashable, Any], start: Any, at: Any) -> None:
    """A key must be hashable (text, a number…), and written once."""
    try:
        known = key in mapping
    except TypeError:
        raise _Malformed("a key must be a single value, not a list or a mapping", at) from None
    if known:
        first = _line_of(start)
        raise _Malformed(f"duplicate key {key!r} (the mapping starts at line {first})", at)


def _merge(
    mapping: dict[Hashable, Any], lines: list[int], line: int, value: Any, start: Any
) -> None:
    """`<<: *defaults` (or a list of them): the keys the mapping does not write itself."""
    for merged in value if isinstance(value, list) else [value]:
        if not isinstance(merged, dict):
            raise _Malformed("a merge (<<) takes a mapping or a list of mappings", start)
        for key, item in merged.items():
            if key not in mapping:
                mapping[key] = item
                lines.append(line)


def _tag(event: ScalarEvent) -> str:
    """A value's type: its tag if it is written (`!!str 5`), else what the plain text is."""
    if event.tag is not None and event.tag != "!":
        return event.tag
    if event.tag is None and event.implicit[0]:
        for tag, pattern in _IMPLICIT.get(event.value[:1], ()):
            if pattern.match(event.value):
                return tag
    return _TAG + "str"


def _scalar(event: ScalarEvent) -> Any:
    tag, text = _tag(event), event.value
    try:
        if tag in (_TAG + "str", _TAG + "timestamp", _TAG + "merge"):  # dates, times: text
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return {"true": True, "false": False}[text.lower()]
        if tag == _TAG + "int":
            return _int(text)
        if tag == _TAG + "float":
            return _float(text)
    except (KeyError, ValueError):
        raise _Malformed(f"{text!r} is not a valid {tag.removeprefix(_TAG)}", event) from None
    raise _Malformed(f"unknown tag {tag}", event)


def _int(text: str) -> int:
    written = text.replace("_", "")
    sign = -1 if written[:1] == "-" else 1
    digits = written.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
    return sign * int(digits if base == 10 else digits[2:], base)


def _float(text: str) -> float:
    written = text.replace("_", "").lower()
    if written.lstrip("+-") == ".inf":
        return -math.inf if written[0] == "-" else math.inf
    return math.nan if written == ".nan" else float(written)


def _check_tag(event: SequenceStartEvent | MappingStartEvent, kind: str) -> None:
    if event.tag not in (None, "!", _TAG + kind):
        raise _Malformed(f"unknown tag {event.tag}", event)


def _line_of(event: Any) -> int:
    """The 1-based line an event starts on."""
    mark = getattr(event, "start_mark", None)
    return 1 if mark is None else int(mark.line) + 1


def _problem(error: YAMLError, text: str) -> Problem:
    if isinstance(error, _Malformed):
        return Problem((), error.message, error.line)
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        return Problem((), f"malformed YAML: {error.problem or error.context}", line)
    if isinstance(error, ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return Problem((), f"malformed YAML: {error.reason}", line)
    return Problem((), f"malformed YAML: {error}", 1)
