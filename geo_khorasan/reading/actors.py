"""Who did or claimed an event: the group named by a claim, a "by" phrase or as the subject."""
from __future__ import annotations

import functools
import re

from .cues import _cues
from .prefilter import finditer, search
from .text import _HARD_AFTER


def _find_actor(text: str, lo: int, hi: int, cue_pos: int | None) -> str | None:
    """Who did or claimed the event described in text[lo:hi]."""
    C = _cues()
    matches: list[tuple[int, int, str]] = []
    for m in finditer(C.isk_re, text):
        matches.append((m.start(), m.end(), m.group(0)))
    for rx, name in C.actors:
        for m in finditer(rx, text):
            if any(m.start() < e and s < m.end() for s, e, _ in matches):
                continue
            matches.append((m.start(), m.end(), name or m.group(0)))
    matches.sort()

    def target_like(s: int) -> bool:
        return bool(C.actor_target_re.search(text[max(0, s - 40) : s]))

    # 1. claims and attributions anywhere in the sentence
    for m in finditer(C.claim_re, text):
        prev = [x for x in matches if x[1] <= m.start() and not re.search(r"[;.]", text[x[1] : m.start()])]
        if prev:
            return prev[-1][2]
    for s, e, name in matches:
        if C.actor_attribution_re.search(text[max(0, s - 40) : s]):
            return name
    # 2. "by X" close to the event cue, in the same clause
    for s, e, name in matches:
        if lo <= s < hi and re.search(r"\bby\s+(?:the\s+|a\s+|an\s+)?$", text[max(0, s - 10) : s], re.I):
            if cue_pos is None:
                return name
            a, b = sorted((cue_pos, s))
            if b - a <= 90 and not _HARD_AFTER.search(text[a:b]) and not re.search(r"[;—–]", text[a:b]):
                return name
    # 3. "an ISK-P suicide bomber", "IS-K militants", "ISK-P's ... bombing"
    for s, e, name in matches:
        if lo <= s < hi and (cue_pos is None or s <= cue_pos):
            after = text[e : e + 60]
            if C.actor_event_after_re.match(after):
                return name
            if not target_like(s) and re.match(r"^(?:[’']s)?\s+(?:[\w\-]+\s+){0,3}?" + C.actor_nouns_re.pattern, after, re.I):
                return name
    # 4. the nearest actor before the event cue in the same part of the sentence (its subject)
    if cue_pos is not None:
        prev = [x for x in matches if lo <= x[0] and x[1] <= cue_pos and not target_like(x[0])]
        if prev:
            return prev[-1][2]
    return None


def claimant(text: str) -> str | None:
    """The group a sentence says claimed or was blamed for an event ("IS claimed responsibility
    for the attack", "attributed to ISKP"), not its other actors."""
    return _find_actor(text, 0, 0, None)


@functools.lru_cache(maxsize=2048)
def _has_militant(text: str) -> bool:
    C = _cues()
    return bool(search(C.isk_re, text) or search(C.militant_re, text))
