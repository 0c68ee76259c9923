"""Forgiving matching of user words: normalisation, "did you mean", and name resolution.

Pure functions over plain strings; the command layer decides what to say about the result.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_CUTOFF = 0.6


@lru_cache(maxsize=4096)  # theme, organisation and status names are normalised on every lookup
def normalise(text: str) -> str:
    """Text case-folded, without accents, trimmed, with inner whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` (ignoring case and accents), or None if none is close."""
    spelt: dict[str, str] = {}
    for candidate in candidates:
        spelt.setdefault(normalise(candidate), candidate)
    closest = _closest(normalise(word), spelt)
    return None if closest is None else spelt[closest]


def _closest(word: str, candidates: Iterable[str]) -> str | None:
    """The most similar of the normalised candidates (first one on a tie), None below cutoff."""
    if not word:
        return None
    best: str | None = None
    best_score = _CUTOFF
    for candidate in candidates:
        score = difflib.SequenceMatcher(None, word, candidate).ratio()
        if score > best_score or (score == best_score and best is None):
            best, best_score = candidate, score
    return best


@dataclass(frozen=True)
class Resolved:
    """The query names exactly one item."""

    key: str


@dataclass(frozen=True)
class Ambiguous:
    """The query fits several items; their keys, sorted."""

    keys: list[str]


@dataclass(frozen=True)
class Unknown:
    """The query fits nothing; `suggestion` is the key of a near miss, if any."""

    suggestion: str | None


Resolution = Resolved | Ambiguous | Unknown


def resolve(query: str, items: Iterable[tuple[str, str]]) -> Resolution:
    """Find the `(key, name)` item that `query` names, ignoring case and accents.

    An exact key wins, then an exact name, then a prefix of a key or a name.
    """
    wanted = normalise(query)
    pairs = [(key, normalise(key), normalise(name)) for key, name in items]
    if not wanted:
        return Unknown(None)
    for matches in (
        [key for key, nkey, _ in pairs if nkey == wanted],
        [key for key, _, nname in pairs if nname == wanted],
        [key for key, nkey, nname in pairs if nkey.startswith(wanted) or nname.startswith(wanted)],
    ):
        if matches:
            return _one_or_many(matches)
    return Unknown(_suggest_key(wanted, pairs))


def _one_or_many(keys: list[str]) -> Resolved | Ambiguous:
    """Resolved if the keys are all one, else Ambiguous with them sorted."""
    unique = sorted(set(keys))
    return Resolved(unique[0]) if len(unique) == 1 else Ambiguous(unique)


def _suggest_key(wanted: str, pairs: list[tuple[str, str, str]]) -> str | None:
    """The key of the item whose normalised key or name is closest to `wanted`."""
    owner: dict[str, str] = {}
    for key, nkey, nname in pairs:
        owner.setdefault(nkey, key)
        owner.setdefault(nname, key)
    closest = _closest(wanted, owner)
    return None if closest is None else owner[closest]
