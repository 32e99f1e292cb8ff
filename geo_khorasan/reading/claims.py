"""Region claims: status cues ("stronghold", "bases in", "-controlled") and the places they govern."""
from __future__ import annotations

import functools
import re

from .cues import _cues
from .prefilter import finditer_each
from .spans import _coordinated, _intro
from .text import _HARD_AFTER, _HARD_BEFORE, _clause_before, _Cue, _Group, _words


@functools.lru_cache(maxsize=1024)
def _find_status_cues(text: str) -> tuple[_Cue, ...]:
    C = _cues()
    raw = []
    # one pass over the sentence finds where each status's phrases start; each is tried only there
    for i, ((status, _rx), found) in enumerate(zip(C.status_res, finditer_each(C.status_scan, text))):
        for m in found:
            raw.append((m.start(), m.end(), i, status))
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[2]))
    out: list[_Cue] = []
    for s, e, _, status in raw:
        if any(s < c.end and c.start < e for c in out):
            continue
        out.append(_Cue(s, e, text[s:e], status))
    return tuple(out)


def _status_governs(text: str, cue: _Cue, groups: list[_Group], blocked: set[int], frame: int | None = None) -> list[int]:
    """Place groups a region-status cue speaks about: the nearest one after it ("bases in X") or
    right before it ("X remains the hub", "X-based"); through the sentence frame otherwise."""
    C = _cues()
    # attached: "Afghanistan-based", "ISK-P-controlled districts of Darzab"
    for i, g in enumerate(groups):
        if g.end == cue.start and cue.text.startswith("-"):
            return [] if i in blocked else [i]
    after: tuple[int, list[int]] | None = None
    for i, g in enumerate(groups):
        if g.start < cue.end:
            continue
        gap = text[cue.end : g.start]
        if len(gap) > 90 or re.search(r"[,;:()—–]|\.\s", gap) or _HARD_AFTER.search(gap):
            break
        if _words(gap) > 12 or re.search(
            r"\b(?:against|from|by|with|that|wake|during|after|before|since|because|although|until)\b"
            r"|\band\s+(?:this|these|that|those|it|they|he|she|we|its|their)\b",
            gap,
            re.I,
        ):
            break
        if i in blocked:
            break
        if re.fullmatch(r"\s*(?:(?:the|its|their|a)\s+)?", gap) or _intro(text, g, C.status_intro_re):
            after = (len(gap), _coordinated(text, groups, i, blocked))
        break
    before: tuple[int, list[int]] | None = None
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g.end > cue.start:
            continue
        gap = text[g.end : cue.start]
        if re.fullmatch(r"\s*,\s*(?:its|the|their|a|an)\s+(?:[\w’'\-]+\s+){0,3}", gap):
            before = None if i in blocked else (len(gap), [i])
            break
        if re.search(r"[,;:()—–]|\.\s", gap) or _HARD_BEFORE.search(gap.replace("’s", "").replace("'s", "")) or _words(gap) > 5:
            break
        if i not in blocked:
            before = (len(gap), [i])
        break
    if after and before:
        return before[1] if before[0] < after[0] else after[1]
    if after or before:
        return (after or before)[1]
    # "In the Darzab district of Jowzjan, 300 young people have been recruited ..."
    if frame is not None and groups[frame].end < cue.start:
        between = [g for g in groups[frame + 1 :] if g.start < cue.start]
        if not between and not re.search(r"[;]|\.\s", text[groups[frame].end : cue.start]):
            return [frame, -1]  # -1: governed through the frame, distance means nothing
    return []


def claim_is_past(text: str, cue_start: int, cue_end: int) -> bool:
    """The claim is about the past: a past marker in the words around its cue."""
    C = _cues()
    before = _clause_before(text, cue_start, 6)
    after = re.split(r"[,;.()—–]", text[cue_end:cue_end + 60], maxsplit=1)[0]
    return bool(C.past_claim_re.search(before) or C.past_claim_re.search(after))
