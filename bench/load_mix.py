"""What `bench/load.py` sends: the mix of requests, who sends each, and the schedule.

The mix is the table `MIX`: a kind of request, its weight (out of 100) and how to make one. A
maker gets the `World` (what the grown network holds, and which writes are still free to make)
and a random generator, and returns a `Request`. Every write is one that succeeds: `join` is
sent by a member not yet in the theme, `leave` by one who is (each pair once), `update` by the
owner of a package not yet updated in the run, with a new progress figure, and `material add`
by a member registered for the theme (never one who leaves it), with an address not yet in the
basket. A request is a slash command, or an event: `home` is the Home tab's `app_home_opened`
(a `Request` with an `event` instead of a `text`), each by a member who opens it once in the
run (its reply, the `views.publish` of their tab, is told by the person it is for).

Users write in their Slack language: Finnish users the Finnish aliases, the others English.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.plan.records import PlanRecords

LOCALES = ("fi-FI",) * 17 + ("sv-SE",) * 2 + ("en-US",)  # one user in ten Swedish-speaking
SEARCHED = (  # words people search the baskets for: titles' and tags' words, and others
    "seurantaraportti",
    "selvitys",
    "kysely",
    "tiekartta",
    "esitys",
    "pyöräliikenne",
    "joukkoliikenteen",
    "asuntotuotannon",
    "ilmasto",
    "tilasto",
    "hyvät",
    "2024",
    "oulun",
    "tampereen",
    "loppuraportti",
    "viherrakenne",
    "kaavoitus",
    "liikenneturvallisuus",
)
NOTES = ("Kommentit koottu", "Luonnos valmis", "Työpaja pidetty", "Aikataulu tarkentui")


@dataclass(frozen=True)
class Request:
    """One slash command as a user sends it (or, with `event`, an event of theirs)."""

    kind: str
    user: str
    text: str
    event: str = ""  # an event's type instead of a command


@dataclass(frozen=True)
class Planned:
    """A request and when to send it, in seconds from the start of its phase."""

    at: float
    request: Request


@dataclass
class World:
    """The network's users, themes and packages, and the writes not yet made."""

    users: list[str]
    locales: dict[str, str]
    themes: list[str]
    packages: list[str]  # every package's reference
    registered: set[tuple[str, str]]  # (user, theme)
    updates: Iterator[tuple[str, str, int]] = field(default_factory=lambda: iter(()))
    leavers: list[tuple[str, str]] = field(default_factory=list)
    adders: list[tuple[str, str]] = field(default_factory=list)
    joined: set[tuple[str, str]] = field(default_factory=set)
    added: int = 0
    homes: Iterator[str] = field(default_factory=lambda: iter(()))  # who opens the Home tab

    @classmethod
    def of(cls, plan: PlanRecords, seed: int) -> World:
        """The world of `plan`; who writes what is drawn with `seed`."""
        rnd = random.Random(seed)
        users = [member.user for member in plan.members]
        pairs = sorted((r.user, r.theme) for r in plan.registrations if r.user)
        rnd.shuffle(pairs)
        # Owners update their own packages; a cancelled one only its theme's managers may touch.
        updatable = [
            (p.owner_user, f"{p.theme}-{p.number}", p.progress)
            for p in plan.work_packages
            if p.owner_user and p.status != "cancelled"
        ]
        rnd.shuffle(updatable)
        return cls(
            users=users,
            locales={user: LOCALES[n % len(LOCALES)] for n, user in enumerate(users)},
            themes=[theme.key for theme in plan.themes if not theme.archived],
            packages=[f"{p.theme}-{p.number}" for p in plan.work_packages],
            registered=set(pairs),
            updates=iter(updatable),
            leavers=pairs[len(pairs) // 2 :],
            adders=pairs[: len(pairs) // 2],
            homes=iter(rnd.sample(users, len(users))),
        )

    def finnish(self, user: str) -> bool:
        return self.locales.get(user, "fi-FI").startswith("fi")

    def command(self, kind: str, user: str, fi: str, en: str) -> Request:
        """The request in the user's language: the `fi` text or the `en` one."""
        return Request(kind, user, fi if self.finnish(user) else en)


Maker = Callable[[World, random.Random], Request]


def _reading(kind: str, fi: str, en: str, *, theme: bool = False) -> Maker:
    """A read by any member; `{theme}` in the text is a theme's key, `{ref}` a package's."""

    def make(world: World, rnd: random.Random) -> Request:
        user, key = rnd.choice(world.users), rnd.choice(world.themes) if theme else None
        ref = rnd.choice(world.packages)
        return world.command(
            kind, user, fi.format(theme=key, ref=ref), en.format(theme=key, ref=ref)
        )

    return make


def _materials(world: World, rnd: random.Random) -> Request:
    """A search: a basket, a basket and a word, one or two words, the network's basket."""
    user, theme, word = rnd.choice(world.users), rnd.choice(world.themes), rnd.choice(SEARCHED)
    words = rnd.choice(
        (theme, f"{theme} {word}", word, f"{word} {rnd.choice(SEARCHED)}", f"all {word}")
    )
    return world.command("materials", user, f"aineistot {words}", f"materials {words}")


def _listing(kind: str, fi: str, en: str) -> Maker:
    """`meetings` or `deadlines`, of all themes or (half the time) of one."""

    def make(world: World, rnd: random.Random) -> Request:
        user, theme = rnd.choice(world.users), rnd.choice(world.themes)
        if rnd.random() < 0.5:
            return world.command(kind, user, fi, en)
        return world.command(kind, user, f"{fi} {theme}", f"{en} {theme}")

    return make


def _join(world: World, rnd: random.Random) -> Request:
    """A member joins a theme they are not in (and have not joined in this run)."""
    while True:
        pair = (rnd.choice(world.users), rnd.choice(world.themes))
        if pair not in world.registered and pair not in world.joined:
            world.joined.add(pair)
            user, theme = pair
            return world.command("join", user, f"liity {theme}", f"join {theme}")


def _leave(world: World, rnd: random.Random) -> Request:
    """A member leaves a theme they are in (each registration once)."""
    user, theme = world.leavers.pop()
    return world.command("leave", user, f"eroa {theme}", f"leave {theme}")


def _update(world: World, rnd: random.Random) -> Request:
    """A package's owner records progress (each package once, so every update changes it)."""
    user, ref, progress = next(world.updates)
    new = progress + 5 if progress <= 90 else progress - 5
    note = rnd.choice(NOTES)
    fi, en = f"päivitä {ref} käynnissä {new}% {note}", f"update {ref} in_progress {new}% {note}"
    return world.command("update", user, fi, en)


def _material_add(world: World, rnd: random.Random) -> Request:
    """A registered member adds a new material to the theme's basket."""
    user, theme = rnd.choice(world.adders)
    world.added += 1
    url = f"https://www.example.fi/aineistot/{world.added:05}-muistio.pdf"
    title = f'"Työpajan muistio {world.added}" #työpaja'
    fi, en = f"aineisto lisää {theme} {url} {title}", f"material add {theme} {url} {title}"
    return world.command("material add", user, fi, en)


def _home(world: World, rnd: random.Random) -> Request:
    """A member opens the bot's Home tab (each member once: their tab's publish is the reply)."""
    return Request("home", next(world.homes), "", event="app_home_opened")


@dataclass(frozen=True)
class Kind:
    """A row of the mix: a kind of request, its weight out of 100, how to make one."""

    name: str
    weight: int
    make: Maker
    write: bool = False


MIX = (
    Kind("themes", 11, _reading("themes", "teemat", "themes")),
    Kind(
        "status theme",
        14,
        _reading("status theme", "tilanne {theme}", "status {theme}", theme=True),
    ),
    Kind("status package", 14, _reading("status package", "tilanne {ref}", "status {ref}")),
    Kind("materials", 18, _materials),
    Kind("meetings", 9, _listing("meetings", "tapaamiset", "meetings")),
    Kind("deadlines", 9, _listing("deadlines", "määräajat", "deadlines")),
    Kind("mine", 6, _reading("mine", "omat", "mine")),
    Kind("home", 6, _home),
    Kind("help", 3, _reading("help", "ohje", "help")),
    Kind("join", 3, _join, write=True),
    Kind("leave", 2, _leave, write=True),
    Kind("update", 3, _update, write=True),
    Kind("material add", 2, _material_add, write=True),
)


def schedule(
    world: World, rate: float, seconds: float, rnd: random.Random, mix: tuple[Kind, ...] = MIX
) -> list[Planned]:
    """Requests at a fixed rate for `seconds`, each of a kind drawn by the mix's weights."""
    weights = [kind.weight for kind in mix]
    count = round(rate * seconds)
    kinds = rnd.choices(mix, weights, k=count)
    return [Planned(n / rate, kind.make(world, rnd)) for n, kind in enumerate(kinds)]
