"""What is wrong with a plan, where, and in words an operator can act on.

The messages are for the operator's terminal and are in English: one line per problem,
`plan.yaml:14 themes[2].lead: unknown organisation 'tampre' (did you mean 'tampere'?)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from bot.suggest import did_you_mean

Loc = tuple[str | int, ...]

KEEP_HINT = "leave the key out to keep what is stored"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a plan: where (`loc`, and its line once known) and what."""

    loc: Loc
    message: str
    line: int | None = None
    first: Loc | None = None  # for a duplicate: where the item first appeared

    @property
    def path(self) -> str:
        """The location as an operator reads it: `themes[2].lead`."""
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text.lstrip(".")


class PlanError(Exception):
    """A plan that cannot be imported, and everything wrong with it, in the order of the file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


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


def unknown(what: str, value: str, known: Iterable[str]) -> str:
    """`unknown organisation 'tampre' (did you mean 'tampere'?)`."""
    near = did_you_mean(value, sorted(known))
    return f"unknown {what} {value!r}" + (f" (did you mean {near!r}?)" if near else "")


def shown(value: object) -> str:
    """A value as a message quotes it."""
    return repr(value) if isinstance(value, str) else str(value)


def kind(value: object) -> str:
    """What a loaded value is, as a message names it: `the number 5`, `a list`, `the text 'x'`."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the text {value!r}" if isinstance(value, str) else f"the value {value!r}"


# --- pydantic's errors, in the plan's words -----------------------------------------------


def validation_problems(
    error: ValidationError, prefix: Loc, model: type[BaseModel]
) -> list[Problem]:
    """The problems of one item that `model` refused; `prefix` is where the item is."""
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
        return unknown("key", str(details["loc"][-1]), _fields_at(model, details["loc"][:-1]))
    if error in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return f"must be a mapping (key: value), not {kind(details['input'])}"
    if error in ("list_type", "tuple_type"):
        return f"must be a list, not {kind(details['input'])}"
    message = _TYPES.get(error)
    return str(details["msg"]) if message is None else message(details)


# The messages of pydantic's errors for the types of `bot.plan.fields` and `bot.plan.times`.
# Dates, times and due dates are written as text: whatever else was written is named.
_TYPES: dict[str, Callable[[ErrorDetails], str]] = {
    **dict.fromkeys(
        ("string_type", "date_type", "time_type", "datetime_type", "is_instance_of"),
        lambda details: f"must be text, not {kind(details['input'])}",
    ),
    "too_short": lambda _details: "must not be empty",
    "too_long": lambda details: (
        f"is {_context(details, 'actual_length')} characters long;"
        f" at most {_context(details, 'max_length')} fit"
    ),
    **dict.fromkeys(
        ("bool_type", "bool_parsing"),
        lambda details: f"{shown(details['input'])} is not true or false",
    ),
    # A progress figure is the plan's only whole number.
    "int_type": lambda details: (
        f"{shown(details['input'])} is not a progress figure: write a whole number from 0 to 100"
    ),
}


def _context(details: ErrorDetails, name: str) -> object:
    return (details.get("ctx") or {}).get(name)


def _null(field: FieldInfo) -> str:
    """Why `null` is refused here: the field must have a value, or it may not be empty."""
    if field.is_required():
        return "is null, but must have a value"
    return f"cannot be null: {KEEP_HINT}, or give a value"


def _field_at(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The field a location ends in (None when it ends in a list's item)."""
    if not loc or not isinstance(loc[-1], str):
        return None
    nested = _model_at(model, loc[:-1])
    return None if nested is None else nested.model_fields.get(loc[-1])


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model nested at `loc` accepts."""
    nested = _model_at(model, loc)
    return [] if nested is None else list(nested.model_fields)


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model nested at `loc` (list positions are skipped)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        nested = _nested_model(field.annotation) if field else None
        if nested is None:
            return None
        model = nested
    return model


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _nested_model(argument)
        if found is not None:
            return found
    return None
