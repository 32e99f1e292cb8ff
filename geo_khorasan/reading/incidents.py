"""Incident cues: finding them, setting aside hypothetical, negated and aggregate ones ("a
pattern of attacks"), and locating the event at a place group of the sentence."""
from __future__ import annotations

import functools
import re

from .cues import _cues
from .prefilter import finditer, finditer_each
from .spans import _coordinated, _intro, _name_like, _range_to_groups
from .text import _HARD_AFTER, _HARD_BEFORE, _clause_before, _Cue, _Group, _words


@functools.lru_cache(maxsize=1024)
def _find_incident_cues(text: str) -> tuple[_Cue, ...]:
    C = _cues()
    raw: list[tuple[int, int, int, str, bool]] = []
    # one pass over the sentence finds where each type's phrases start; each is tried only there
    *typed, weak = finditer_each(C.incident_scan, text)
    for i, ((t, _rx), found) in enumerate(zip(C.incident_res, typed)):
        for m in found:
            raw.append((m.start(), m.end(), i, t, False))
    for m in weak:
        raw.append((m.start(), m.end(), len(C.incident_res), "attack", True))
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[2]))
    cues: list[_Cue] = []
    for s, e, _, t, weak in raw:
        if any(s < c.end and c.start < e for c in cues):
            continue
        w = text[s:e]
        cues.append(_Cue(s, e, w, t, weak=weak, noun=bool(C.noun_event_re.search(w)), plural=bool(C.plural_event_re.search(w))))
    for m in finditer(C.anaphoric_re, text) if cues else ():
        prev = [c for c in cues if c.end <= m.start() and not c.anaphoric]
        if prev and not any(m.start() < c.end and c.start < m.end() for c in cues):
            best = min(prev, key=lambda c: C.incident_types.index(c.label) if c.label in C.incident_types else 99)
            cues.append(_Cue(m.start(), m.end(), text[m.start() : m.end()], best.label, anaphoric=True))
    cues.sort(key=lambda c: c.start)
    return tuple(cues)


def _is_hypothetical(text: str, cue: _Cue) -> bool:
    return _hypothetical_at(text, cue.start, cue.end)  # asked of a cue by every place of its sentence


@functools.lru_cache(maxsize=8192)
def _hypothetical_at(text: str, start: int, end: int) -> bool:
    cue = _Cue(start, end, text[start:end], "")
    C = _cues()
    before = _clause_before(text, cue.start)
    if any(m.group(0) != "May" for m in C.hypothetical_re.finditer(before)):  # "May" the month
        return True
    # an infinitive: "essential to eliminate IS-K", "plans to attack" (not "led to attacks")
    m = re.search(r"(?:^|\s)(\S+\s+)?to$", before, re.I)
    if m and not (m.group(1) and re.match(
        r"(?:led|lead|leads|due|linked|related|prior|up|according|similar|next|close|response|reaction|"
        r"retaliation|rose|risen|claims|claimed)\s", m.group(1), re.I
    )):
        return True
    after = text[cue.end : cue.end + 30]
    if re.match(r"^\s+(?:\w+\s+)?(?:should|could|can|may|might|would|will|must)\b", after, re.I):
        return True
    return False


def _is_negated(text: str, cue: _Cue) -> bool:
    return _negated_at(text, cue.start)


@functools.lru_cache(maxsize=8192)
def _negated_at(text: str, start: int) -> bool:
    cue = _Cue(start, start, "", "")
    C = _cues()
    before = _clause_before(text, cue.start, 5)
    # "denied involvement in a suicide bombing": the denial is of a role in it, not of the event
    before = C.denied_role_re.sub(" ", before)
    return bool(C.negation_re.search(before))


def _is_aggregate(text: str, cue: _Cue, day_date: bool, month_date: bool, any_date: bool = True) -> str | None:
    """The words that make this cue a pattern of events rather than one incident, if any."""
    C = _cues()
    before = _clause_before(text, cue.start, 5)
    qm = None
    for m in C.aggregate_q_re.finditer(before):
        qm = m
    qm = qm or C.aggregate_q_re.search(cue.text)  # "witnessed a spate of attacks"
    if qm:
        return qm.group(0)
    if cue.plural and not day_date:
        # "at least 60 targeted killings", "over 250 armed clashes": a count of events
        nm = re.search(
            r"(?<![\w,.])(?!(?:19|20)\d\d\b)(\d+|" + "|".join(w for w, v in C.number_words.items() if v > 2 and " " not in w)
            + r")\s+(?:[\w’'\-]+\s+){0,2}$",
            before + " ",
            re.I,
        )
        if nm and not re.search(r"(?:" + "|".join(k.capitalize() for k in C.months) + r")\.?\s+$", before[: nm.start()]):
            return nm.group(1)
    if C.campaign_re.fullmatch(cue.text) and not any_date:
        return cue.text
    if cue.noun and not cue.plural and not any_date:
        if not re.search(
            r"\b(?:a|an|the|this|that|its|their|his|her|one|another|twin|latest|last|first|second|deadly)\b|[’']s\b|\d",
            _clause_before(text, cue.start, 5),
            re.I,
        ):
            return cue.text
    if cue.plural and not month_date:
        if not C.specific_plural_re.search(_clause_before(text, cue.start, 3) + " "):
            return cue.text
    if not day_date:
        return _aggregate_time_marker(text, cue.start)
    return None


#: What sets an aside apart from its sentence: "the worst attack in years — when gunmen stormed a
#: school in Peshawar in 2014 —" retells one event inside a sentence about a pattern.
_ASIDE = re.compile(r"[;()\[\]—]|\s[–-]\s")


def _aggregate_time_marker(text: str, pos: int) -> str | None:
    """A phrase of the cue's own part of the sentence that makes its events a pattern over time."""
    lo = max((m.end() for m in _ASIDE.finditer(text, 0, pos)), default=0)
    nxt = _ASIDE.search(text, pos)
    hi = nxt.start() if nxt else len(text)
    m = _cues().aggregate_t_re.search(text, lo, hi)
    return m.group(0) if m else None


def _locate_incident(text: str, cue: _Cue, groups: list[_Group], blocked: set[int]) -> list[int]:
    """Indices of the place groups where the event of ``cue`` happened (may be empty)."""
    C = _cues()
    # the place as a modifier of the event noun: "the Lahore park bombing", "the Moscow attack"
    if cue.noun:
        for i, g in enumerate(groups):
            if g.end <= cue.start and i not in blocked:
                gap = text[g.end : cue.start]
                if re.fullmatch(r"(?:[’']s)?(?:\s+[\w’'\-]+){0,2}\s+", gap) and not re.search(
                    r"\b(?:in|at|of|and|or|the|by|to|from|with|was|is|has|had)\b", gap, re.I
                ):
                    return [i]
    # after the cue: the first place introduced by a locative preposition, in the same clause
    # (a place glued to a following capitalised word, "a Baluchistan Awami Party rally", is
    # probably part of a name: kept only if nothing better follows)
    fallback: list[int] = []
    for i, g in enumerate(groups):
        if g.start < cue.end:
            continue
        gap = text[cue.end : g.start]
        if len(gap) > 170 or _HARD_AFTER.search(gap) or C.anaphoric_re.search(gap):
            break
        if i in blocked:
            if groups[i].start - cue.end > 0:
                continue
        if _intro(text, g, C.loc_intro_re) or C.landmark_intro_re.search(text, max(0, g.start - 120), g.start):
            res = _coordinated(text, groups, i, blocked)
            if _name_like(text, groups[res[-1]]) and not fallback:
                fallback = res
                continue
            return res
        # range "in cities from X ... to Y"
        before = text[max(0, g.start - 60) : g.start]
        if re.search(r"\b(?:in|at|across|throughout)\s+(?:\w+\s+){0,2}from\s+(?:the\s+)?$", before, re.I):
            res = _coordinated(text, groups, i, blocked)
            for j in _range_to_groups(text, groups, res[-1]):
                res += _coordinated(text, groups, j, blocked)
            return res
    if fallback:
        return fallback
    # before the cue: "security forces in Karachi arrested", "in Kabul, killing 5"
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g.end > cue.start:
            continue
        gap = text[g.end : cue.start]
        participle = re.fullmatch(r"\s*,\s*", gap) and re.match(r"(?i)(?:killing|injuring|wounding|leaving)", cue.text)
        if (C.site_subject_re.match(cue.text) and i not in blocked
                and re.fullmatch(r"\s+(?:(?:has|have|had|also|recently|again|repeatedly|once|often)\s+)*", gap, re.I)):
            return [i]  # "Mastung has recently witnessed a spate of attacks": the subject is the site
        if participle:
            pass
        elif _HARD_BEFORE.search(gap) or _words(gap) > 5:
            break
        if i in blocked:
            break
        if _intro(text, g, C.loc_intro_re):
            return [i]
        break
    return []


def _type_rank(c: _Cue) -> int:
    C = _cues()
    r = C.incident_types.index(c.label) if c.label in C.incident_types else len(C.incident_types)
    return r + (100 if c.weak else 0)


def _split_point(text: str, g1: _Group, g2: _Group, live: list[_Cue], cues2: list[int]) -> int:
    """Where the part of the sentence about the event at g1 ends and the one about g2 begins."""
    C = _cues()
    lo, hi = g1.end, g2.start
    gap = text[lo:hi]
    best = None
    for m in re.finditer(r";|,\s+while\b|\swhile\b|\swhereas\b|,\s+and\b|\.\s", gap, re.I):
        best = lo + m.start()
    for m in C.anaphoric_re.finditer(gap):
        best = lo + m.start()
    if best is not None:
        return best
    inside = [live[k].start for k in cues2 if lo <= live[k].start < hi]
    if inside:
        return min(inside)
    return lo
