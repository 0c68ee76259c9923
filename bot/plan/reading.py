"""Read a network plan (PRODUCT.md §6): every problem with its path and line, or the records.

The YAML is loaded with ruamel's safe loader (its C parser when `ruamel.yaml.clib` is
installed); each item is validated on its own (`bot.plan_models`), then the items against each
other (`bot.plan_check`). Only when something is wrong is the text read again with the
round-trip loader, whose line numbers place each problem. The messages are for the operator's
terminal and are in English.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Annotated, Any, cast, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError

from bot.plan.build import build
from bot.plan.checks import check, unknown
from bot.plan.fields import KEEP_HINT, kind, shown
from bot.plan.items import Indexed, Items, Loc, Problem
from bot.plan.models import ITEM_MODELS, NetworkIn
from bot.plan.records import SECTIONS, NetworkRecord, PlanRecords
from bot.suggest import did_you_mean

__all__ = ["PlanError", "Problem", "format_problems", "load_plan"]


class PlanError(Exception):
    """A plan that cannot be imported, and everything wrong with it, in the order of the file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def load_plan(text: str, current: NetworkRecord | None = None) -> PlanRecords:
    """The network a plan describes; `PlanError` listing every problem if it has any.

    `current` is the network as it stands (stored, or made of the settings): what a plan's
    `network:` leaves out is taken from it, and the plan's times are in its time zone unless
    the plan sets one.
    """
    data = _parse(text)
    items, problems = _items(data)
    items.current = current
    problems += check(items)
    if problems:
        raise PlanError(_placed(problems, text))
    return build(items)


def format_problems(filename: str, problems: list[Problem]) -> str:
    """One line per problem: `plan.yaml:14 themes[2].lead: unknown organisation 'tampre'`."""
    return "\n".join(_format(filename, problem) for problem in problems)


def _format(filename: str, problem: Problem) -> str:
    where = f"{filename}:{problem.line or 1}"
    return (
        f"{where} {problem.path}: {problem.message}"
        if problem.loc
        else f"{where}: {problem.message}"
    )


# --- YAML ---------------------------------------------------------------------------------


class _SafeConstructor(SafeConstructor):
    """Dates and times stay text, for the plan's own parsers (`bot.parsing`) to read."""


class _LinesConstructor(RoundTripConstructor):
    """The same for the round-trip loader, which is only asked for line numbers."""


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeConstructor.add_constructor(_TIMESTAMP, SafeConstructor.construct_yaml_str)
_LinesConstructor.add_constructor(_TIMESTAMP, RoundTripConstructor.construct_yaml_str)


def _loader(typ: str, constructor: type[Any], pure: bool) -> YAML:
    yaml = YAML(typ=typ, pure=pure)
    yaml.Constructor = constructor
    return yaml


def _parse(text: str) -> Any:
    """Load with the fast C parser; what it refuses, the pure parser (YAML 1.2) decides.

    libyaml reads YAML 1.1, which refuses some plain values YAML 1.2 allows, such as
    `{at: 2026-11-02T10:15}`; plans written by hand may hold them, so they get a second reading.
    """
    with _collector_paused():
        try:
            return _loader("safe", _SafeConstructor, pure=False).load(text)
        except MarkedYAMLError:
            pass
        try:
            return _loader("safe", _SafeConstructor, pure=True).load(text)
        except MarkedYAMLError as error:
            raise PlanError([_yaml_problem(error)]) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes millions of small objects and no garbage cycles; the cycle collector's
    passes over them would cost a third of the time on a large plan."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _yaml_problem(error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = str(error.problem or error.context or "malformed YAML")
    if "duplicate key" in problem and error.context_mark is not None:
        duplicate = problem.split('"')[1] if '"' in problem else ""
        first = error.context_mark.line + 1
        return Problem(
            (), f"duplicate key {duplicate!r} (the mapping starts at line {first})", line
        )
    return Problem((), f"malformed YAML: {problem}", line)


# --- items --------------------------------------------------------------------------------


def _items(data: Any) -> tuple[Items, list[Problem]]:
    items, problems = Items(), list(_top_level(data))
    if problems and not isinstance(data, dict):
        return items, problems
    for section in SECTIONS:
        problems += _section(section, data.get(section), items)
    _declared(data, items)
    return items, problems


def _top_level(data: Any) -> Iterator[Problem]:
    if not isinstance(data, dict):
        yield Problem((), "a plan is a mapping of sections: " + ", ".join(SECTIONS))
        return
    for name in data:
        if name not in SECTIONS:
            near = did_you_mean(str(name), SECTIONS)
            hint = f" (did you mean {near!r}?)" if near else ""
            yield Problem((str(name),), f"unknown section {shown(name)}{hint}")
    if "network" not in data:
        yield Problem(("network",), "required, but missing")


def _section(section: str, value: Any, items: Items) -> list[Problem]:
    if section == "network":
        return _network(value, items)
    if value is None:
        return []
    if not isinstance(value, list):
        return [Problem((section,), f"must be a list of items, not {kind(value)}")]
    model = ITEM_MODELS[section]
    valid: list[Indexed[BaseModel]] = getattr(items, section)
    problems: list[Problem] = []
    for index, raw in enumerate(value):
        try:
            valid.append(Indexed(index, model.model_validate(raw)))
        except ValidationError as error:
            problems += _pydantic(error, (section, index), model)
            if isinstance(raw, dict):
                valid.append(Indexed(index, _partial(model, raw, error), partial=True))
    return problems


def _partial(model: type[BaseModel], raw: dict[Any, Any], error: ValidationError) -> BaseModel:
    """The item with the fields that failed (or are missing) as None."""
    failed = {details["loc"][0] for details in error.errors() if details["loc"]}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in failed:
            values[name] = None
        elif name in raw:
            values[name] = _field_adapter(model, name).validate_python(raw[name])
        else:
            values[name] = field.get_default(call_default_factory=True)
    return model.model_construct(**values)


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:
        annotation = Annotated[annotation, *field.metadata]
    return TypeAdapter(annotation)


def _network(value: Any, items: Items) -> list[Problem]:
    if value is None:
        return []
    try:
        items.network = NetworkIn.model_validate(value)
    except ValidationError as error:
        return _pydantic(error, ("network",), NetworkIn)
    return []


def _declared(data: dict[str, Any], items: Items) -> None:
    """The keys every item declares, valid or not, for checking references."""
    items.organisation_keys = _keys(data.get("organisations"), "key")
    items.theme_keys = _keys(data.get("themes"), "key")
    materials = data.get("materials")
    items.material_keys = {
        (_stripped(raw.get("theme")), raw["url"].strip())
        for raw in (materials if isinstance(materials, list) else [])
        if isinstance(raw, dict) and isinstance(raw.get("url"), str)
    }


def _keys(section: Any, field: str) -> set[str]:
    raws = section if isinstance(section, list) else []
    return {
        raw[field].strip()
        for raw in raws
        if isinstance(raw, dict) and isinstance(raw.get(field), str)
    }


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# --- pydantic's errors, in the plan's words -----------------------------------------------


def _pydantic(error: ValidationError, prefix: Loc, model: type[BaseModel]) -> list[Problem]:
    return [
        Problem((*prefix, *details["loc"]), _message(details, model))
        for details in error.errors(include_url=False)
    ]


def _message(details: ErrorDetails, model: type[BaseModel]) -> str:
    error = details["type"]
    if details["input"] is None and error not in ("missing", "extra_forbidden"):
        field = _field_at(model, details["loc"])
        if field is not None:
            return _null(field)
    if error == "plan":
        return str((details.get("ctx") or {}).get("message", details["msg"]))
    if error == "missing":
        return "required, but missing"
    if error == "extra_forbidden":
        return _unknown_key(details["loc"], model)
    if error in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return f"must be a mapping (key: value), not {kind(details['input'])}"
    if error in ("list_type", "tuple_type"):
        return f"must be a list, not {kind(details['input'])}"
    return str(details["msg"])


def _null(field: FieldInfo) -> str:
    """Why `null` is refused here: the field must have a value, or it may not be empty."""
    if field.is_required():
        return "is null, but must have a value"
    return f"cannot be null: {KEEP_HINT}, or give a value"


def _field_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> FieldInfo | None:
    """The field a location ends in (None when it ends in a list's item)."""
    if not loc or not isinstance(loc[-1], str):
        return None
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        nested = _nested_model(field.annotation) if field else None
        if nested is None:
            return None
        model = nested
    return model.model_fields.get(loc[-1])


def _unknown_key(loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    return unknown("key", str(loc[-1]), _fields_at(model, loc[:-1]))


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model nested at `loc` accepts."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        nested = _nested_model(field.annotation) if field else None
        if nested is None:
            return []
        model = nested
    return list(model.model_fields)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _nested_model(argument)
        if found is not None:
            return found
    return None


# --- lines --------------------------------------------------------------------------------


def _placed(problems: list[Problem], text: str) -> list[Problem]:
    """The problems with their lines, in the order of the file."""
    tree = _loader("rt", _LinesConstructor, pure=True).load(text)
    placed = [_with_line(problem, tree) for problem in problems]
    return sorted(placed, key=lambda problem: problem.line or 0)


def _with_line(problem: Problem, tree: Any) -> Problem:
    line = problem.line or line_of(tree, problem.loc)
    message = problem.message
    if problem.first is not None:
        message += f" (first at line {line_of(tree, problem.first)})"
    return Problem(problem.loc, message, line)


def line_of(tree: Any, loc: Loc) -> int:
    """The 1-based line of the deepest node of `loc` that the document has."""
    line, node = 1, tree
    for part in loc:
        found = _child_line(node, part)
        if found is None:
            break
        line, node = found[0] + 1, node[part]
    return line


def _child_line(node: Any, part: int | str) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
        return cast(tuple[int, int], lc.item(part))
    if isinstance(part, str) and isinstance(node, dict) and part in node:
        return cast(tuple[int, int], lc.key(part))
    return None
