"""Normalised matching keys for place names.

The rules (ezafe particles, level words, transliteration rewrites) are data, read
from ``data/name_rules.toml``; this module only applies them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from anyascii import anyascii

from ..knowledge import load_toml


@dataclass(frozen=True)
class Rules:
    ezafe: frozenset[str]
    level_words: dict[str, str]
    area_words: frozenset[str]
    loose: tuple[tuple[re.Pattern[str], str], ...]


@cache
def rules() -> Rules:
    raw = load_toml("name_rules.toml")
    return Rules(
        ezafe=frozenset(w.strip("-") for w in raw["ezafe"]),
        level_words=dict(raw["level_words"]),
        area_words=frozenset(raw.get("area_words", ())),
        loose=tuple((re.compile(r["pattern"]), r["replace"]) for r in raw["loose"]),
    )


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def tokens(name: str) -> list[str]:
    """ASCII, lower-case word tokens of ``name`` with ezafe particles dropped."""
    ascii_name = anyascii(name).lower().replace("'", "").replace("`", "")
    words = _NON_ALNUM.sub(" ", ascii_name).split()
    ez = rules().ezafe
    # Keep a lone particle when it is the whole name.
    kept = [w for i, w in enumerate(words) if not (w in ez and 0 < i < len(words) - 1)]
    return kept or words


@lru_cache(maxsize=1 << 20)  # the index build asks again for each of a million names, most repeated
def split_level(name: str) -> tuple[str, str | None]:
    """Exact key of ``name`` without a trailing/leading level word, and that level."""
    words = tokens(name)
    level = None
    lw = rules().level_words
    if len(words) > 1 and words[-1] in lw:
        level = lw[words[-1]]
        words = words[:-1]
    elif len(words) > 2 and words[0] in ("city", "district", "province") and words[1] == "of":
        level = lw[words[0]]
        words = words[2:]
    return " ".join(words), level


def without_area_word(key: str) -> str | None:
    """``key`` without a trailing word for the ground ("tirah valley" -> "tirah"), or None."""
    words = key.split()
    if len(words) > 1 and words[-1] in rules().area_words:
        return " ".join(words[:-1])
    return None


def exact_key(name: str) -> str:
    return " ".join(tokens(name))


def loose_key(key: str) -> str:
    """Loose key from an exact key (see ``data/name_rules.toml``)."""
    out = key
    for pattern, repl in rules().loose:
        out = pattern.sub(repl, out)
    return out


@lru_cache(maxsize=1 << 20)
def keys(name: str) -> tuple[str, str]:
    k = exact_key(name)
    return k, loose_key(k)


def loose_name(name: str | None) -> str | None:
    """The loose key of a place name without its level word ("Nangarhār Province" -> "nangarhar")."""
    return keys(split_level(name)[0])[1] if name else None


def named_in(name: str, admins) -> bool:
    """Whether a unit called ``name`` is one of ``admins``, the names of a place's containers."""
    key = loose_name(name)
    return any(admin and loose_name(admin) == key for admin in admins)
