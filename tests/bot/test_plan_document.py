"""Reading a plan file's text: YAML 1.2's values, read once, with the line of every place."""

from __future__ import annotations

import math

import pytest

from bot.plan.document import DEEPEST, read
from bot.plan.problems import PlanError


def refused(text: str) -> tuple[int | None, str]:
    with pytest.raises(PlanError) as caught:
        read(text)
    (problem,) = caught.value.problems
    return problem.line, problem.message


def test_plain_values_have_the_types_of_yaml_1_2() -> None:
    document = read(
        "a: [yes, no, on, off, y, n, true, False, ~, null, '', 010, 0o10, 0x1f, 1_000, -5]\n"
        "b: [1.5, 1e3, .inf, -.inf, 9:30, 2027-04-28, 2027-05-20T09:00, =, ! 5, !!str 5]\n"
    )
    a, b = document.values["a"], document.values["b"]
    assert a == [
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        True,
        False,
        None,
        None,
        "",
        10,
        8,
        31,
        1000,
        -5,
    ]
    assert b[:3] == [1.5, 1000.0, math.inf] and b[3] == -math.inf
    assert b[4:] == ["9:30", "2027-04-28", "2027-05-20T09:00", "=", "5", "5"]


def test_urls_and_times_may_be_written_plain_inside_braces_and_brackets() -> None:
    assert read(
        "- {url: https://example.org/a?b=c, at: 2027-05-20T09:00, t: [10:15]}\n"
    ).values == [{"url": "https://example.org/a?b=c", "at": "2027-05-20T09:00", "t": ["10:15"]}]


def test_lines_are_found_for_keys_items_and_merged_keys() -> None:
    document = read(
        "defaults: &org {kind: municipality}\n"
        "organisations:\n"
        "  - {key: tampere, name: Tampere}\n"
        "  - key: nokia\n"
        "    <<: *org\n"
        "    name: Nokia\n"
    )
    nokia = document.values["organisations"][1]
    assert nokia == {"key": "nokia", "name": "Nokia", "kind": "municipality"}
    assert document.line(("organisations", 1, "name")) == 6
    assert document.line(("organisations", 1, "kind")) == 5  # where it is merged
    assert document.line(("organisations", 0, "name")) == 3
    assert document.line(("organisations", 1, "parent")) == 4  # not written: the item's line
    assert document.line(("organisations", 7)) == 2


def test_what_is_not_a_plan_s_values_is_refused_with_its_line() -> None:
    assert refused("a: 1\n---\nb: 2\n") == (2, "a plan is one document")
    assert refused("a:\n  b: *nowhere\n") == (2, "unknown alias *nowhere")
    assert refused("a: !!binary aGVsbG8=\n") == (1, "unknown tag tag:yaml.org,2002:binary")
    assert refused("a: !!int x\n") == (1, "'x' is not a valid int")
    assert refused("? [a]\n: b\n") == (1, "a key must be a single value, not a list or a mapping")
    assert refused("a: " + "[" * (DEEPEST + 2) + "]" * (DEEPEST + 2) + "\n") == (
        1,
        f"nested deeper than {DEEPEST} levels",
    )
