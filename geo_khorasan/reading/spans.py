"""The place mentions of a sentence as groups ("the Khairkhana area of Kabul city" is one
group), masking of citations, and the grammar that relates groups to each other."""
from __future__ import annotations

import functools
import re
from typing import Iterable

from .cues import _cues
from .text import _alt, _Group


_FRAME_RE = re.compile(
    r"^\s*(?:In|At|Near|Inside|Across|Throughout|Outside|Within|Around|Over)\s+(?:(?:the|a|an)\s+)?"
    r"(?:[\w’'\-]+\s+){0,3}$"
)


def _mask(sentence: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return sentence
    return _mask_once(sentence, tuple(spans))  # every place of a sentence masks it alike: once


@functools.lru_cache(maxsize=1024)
def _mask_once(sentence: str, spans: tuple[tuple[int, int, str], ...]) -> str:
    chars = list(sentence)
    for s, e, _ in spans:
        for i in range(s, min(e, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _normalise_spans(start: int, end: int, other: Iterable) -> list[tuple[int, int]]:
    spans = {(int(start), int(end))}
    for sp in other or ():
        a, b = int(sp[0]), int(sp[1])
        if b <= a:
            continue
        if a < end and start < b:  # overlaps the target: the target's reading wins
            continue
        spans.add((a, b))
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if out and a < out[-1][1]:
            if (a, b) == (start, end):
                out[-1] = (a, b)
            continue
        out.append((a, b))
    return out


def _build_groups(text: str, spans: list[tuple[int, int]]) -> list[_Group]:
    # the places of a sentence share their spans: the groups are made once, and each gets a copy
    return [_Group(list(g)) for g in _build_groups_once(text, tuple(spans))]


@functools.lru_cache(maxsize=4096)
def _build_groups_once(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    C = _cues()
    groups: list[_Group] = []
    for sp in spans:
        gap = text[groups[-1].end : sp[0]] if groups else ""
        # "Jalalabad, east of Kabul": a reference point is not part of the place's chain
        if groups and C.chain_gap_re.match(gap) and not C.reference_re.search(gap):
            groups[-1].spans.append(sp)
        else:
            groups.append(_Group([sp]))
    return tuple(tuple(g.spans) for g in groups)


def _intro(text: str, g: _Group, rx: re.Pattern) -> str | None:
    m = rx.search(text[max(0, g.start - 90) : g.start])
    return m.group("prep") if m else None


def _range_to_groups(text: str, groups: list[_Group], i: int) -> list[int]:
    """For 'from X ... to Y', the index of Y's group given X's."""
    out = []
    for j in range(i + 1, len(groups)):
        gap = text[groups[j - 1].end : groups[j].start]
        if re.fullmatch(r"[^;.]{0,60}?,?\s+to\s+(?:the\s+)?(?:[a-z][\w’'\-]*\s+){0,2}", gap):
            out.append(j)
        break
    return out


def _coordinated(text: str, groups: list[_Group], i: int, blocked: set[int]) -> list[int]:
    C = _cues()
    out = [i]
    j = i + 1
    while j < len(groups):
        gap = text[groups[j - 1].end : groups[j].start]
        if j in blocked or not C.coord_gap_re.match(gap):
            break
        out.append(j)
        j += 1
    return out


def _name_like(text: str, g: _Group) -> bool:
    """The place is followed by a capitalised word that is not a place word: part of a name."""
    C = _cues()
    m = re.match(r"^\s([A-Z][\w’'\-]+)", text[g.end : g.end + 40])
    return bool(m) and not C.chain_gap_re.match(" " + m.group(1))


def _frame_index(text: str, groups: list[_Group], blocked: set[int]) -> int | None:
    if not groups or 0 in blocked:
        return None
    g = groups[0]
    if not _FRAME_RE.match(text[: g.start]):
        return None
    C = _cues()
    after = text[g.end : g.end + 40]
    if re.match(r"^\s*(?:" + _alt(C.raw["chain_words"]) + r"\s*)*,", after, re.I):
        return 0
    return None
