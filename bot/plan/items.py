"""A plan's items after each was validated on its own, and the problems found on the way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.plan.models import (
    ITEM_MODELS,
    DeadlineIn,
    MaterialIn,
    MeetingIn,
    MemberIn,
    NetworkIn,
    OrganisationIn,
    RegistrationIn,
    ThemeIn,
    WorkPackageIn,
)
from bot.plan.problems import Problem, kind, shown, validation_problems
from bot.plan.records import SECTIONS, NetworkRecord, material_order
from bot.suggest import did_you_mean

T = TypeVar("T")


@dataclass(frozen=True)
class Indexed(Generic[T]):
    """An item and its position in its section.

    A `partial` item failed validation: the fields that failed (or were missing) hold None,
    whatever their type says, so that the checks between items can still look at the rest.
    It is never built into a record.
    """

    index: int
    item: T
    partial: bool = False


@dataclass
class Items:
    """The valid items of each section, and the keys every item declares (valid or not).

    References are checked against the declared keys, so that one bad organisation does not
    also make every reference to it a problem.
    """

    network: NetworkIn | None = None
    organisations: list[Indexed[OrganisationIn]] = field(default_factory=list)
    members: list[Indexed[MemberIn]] = field(default_factory=list)
    themes: list[Indexed[ThemeIn]] = field(default_factory=list)
    registrations: list[Indexed[RegistrationIn]] = field(default_factory=list)
    work_packages: list[Indexed[WorkPackageIn]] = field(default_factory=list)
    materials: list[Indexed[MaterialIn]] = field(default_factory=list)
    meetings: list[Indexed[MeetingIn]] = field(default_factory=list)
    deadlines: list[Indexed[DeadlineIn]] = field(default_factory=list)
    organisation_keys: set[str] = field(default_factory=set)
    theme_keys: set[str] = field(default_factory=set)
    material_keys: set[tuple[str | None, str]] = field(default_factory=set)
    current: NetworkRecord | None = None  # the network as it stands: what `network:` leaves out

    @cached_property
    def material_urls(self) -> dict[str, list[tuple[str | None, str]]]:
        """The declared materials by url (read once the keys are declared)."""
        found: dict[str, list[tuple[str | None, str]]] = {}
        for key in sorted(self.material_keys, key=material_order):
            found.setdefault(key[1], []).append(key)
        return found

    @property
    def base(self) -> NetworkRecord:
        """The network as it stands, or the defaults of a new one."""
        return self.current or NetworkRecord("")

    @property
    def zone(self) -> ZoneInfo:
        """The network's time zone, in which the plan's times are local: the plan's, else the
        network's as it stands."""
        network = self.network
        if network is not None and "timezone" in network.model_fields_set:
            return ZoneInfo(network.timezone)
        return ZoneInfo(self.base.timezone)


# --- the items of a plan's values ---------------------------------------------------------


def validate(data: Any) -> tuple[Items, list[Problem]]:
    """Each item of each section validated on its own, and every problem found on the way."""
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
            problems += validation_problems(error, (section, index), model)
            if isinstance(raw, dict):
                valid.append(Indexed(index, _partial(model, raw, error), partial=True))
    return problems


def _partial(model: type[BaseModel], raw: dict[Any, Any], error: ValidationError) -> BaseModel:
    """The item with the fields that failed (or are missing) as None."""
    failed = {details["loc"][0] for details in error.errors() if details["loc"]}
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in failed:
            values[name] = None
        elif name in raw:
            values[name] = _field_adapter(model, name).validate_python(raw[name])
        else:
            values[name] = info.get_default(call_default_factory=True)
    return model.model_construct(**values)


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[annotation, *info.metadata]
    return TypeAdapter(annotation)


def _network(value: Any, items: Items) -> list[Problem]:
    if value is None:
        return []
    try:
        items.network = NetworkIn.model_validate(value)
    except ValidationError as error:
        return validation_problems(error, ("network",), NetworkIn)
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
