"""The role of a place mention within its sentence: incident, region claim ("contested") or mention.

``classify`` reads the sentence in phases over one ``_Sentence`` record: the mention cues scoped
to places, then the incident cues and where each event happened, then the region-status cues,
and last the reason a place is a plain mention. Each phase returns the ``Classification`` when
it decides the place's role.

Role precedence, when a sentence holds several cues: a cue scoped to the place that makes it
a mere mention (origin "originally from X", title "governor of X", comparison "the size of X",
"from X", inside a citation) wins over an incident located at the place, which wins over a
region claim about it. A place no cue reaches is a plain mention.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterable

from ..records import Classification
from .actors import _find_actor, _has_militant
from .casualties import parse_casualties, read_casualties
from .citations import _cite_anchor, _sentence_citations
from .claims import _find_status_cues, _status_governs, claim_is_past
from .cues import _cues
from .prefilter import finditer
from .dates import _date_precision, _first_date, _parse_iso
from .incidents import (
    _find_incident_cues,
    _is_aggregate,
    _is_hypothetical,
    _is_negated,
    _locate_incident,
    _split_point,
    _type_rank,
)
from .spans import _build_groups, _frame_index, _mask, _normalise_spans
from .text import _SCOPE_END, _Cue, _distance, _Group, _group_text, _words

PRECEDENCE = "precedence origin > incident > contested"
#: An event told in an aside of its sentence: its date and toll are read inside the aside.
_ASIDES = re.compile(r"—[^—]{1,400}—|\s–\s[^–]{1,400}\s–\s|\([^()]{1,400}\)")


@dataclass
class _Sentence:
    """One sentence read for one place: what every phase of ``classify`` looks at."""

    sentence: str  # as written
    text: str  # its citations blanked out
    groups: list[_Group]  # the place groups, left to right
    ti: int  # the group of the place being classified
    doc: tuple | None  # (y, m, d) of the article's date
    cite_text: str | None  # the last citation in the sentence
    scoped: dict[int, tuple[str, str, str]]  # groups that cues make mere mentions
    # the incident phase fills these in
    cues: tuple[_Cue, ...] = ()  # every incident cue
    live: list[_Cue] = field(default_factory=list)  # ... neither hypothetical nor negated
    located: dict[int, list[int]] = field(default_factory=dict)  # live cue -> groups where its event happened
    agg_words: dict[int, str | None] = field(default_factory=dict)  # live cue -> the words making it a pattern
    usable: set[int] = field(default_factory=set)  # live cues that can make an incident
    incident_groups: dict[int, list[int]] = field(default_factory=dict)  # group -> usable cues located there
    frame: int | None = None  # the group framing the sentence ("In X, ...")
    group_before: bool = False  # the sentence's subject ("They ...") is the armed group of the sentence before
    default_site: bool = False  # the place is where an event the sentence locates nowhere happened (its dateline)

    @property
    def tg(self) -> _Group:
        return self.groups[self.ti]

    @property
    def blocked(self) -> set[int]:
        return set(self.scoped)

    def group_text(self, i: int) -> str:
        return _group_text(self.sentence, self.groups[i])


def classify(
    sentence: str,
    start: int,
    end: int,
    doc_date: str | None = None,
    other_places: Iterable[tuple[int, int]] = (),
    group_before: bool = False,
    default_site: bool = False,
) -> Classification:
    """Role of the place mention ``sentence[start:end]`` within the sentence.

    ``doc_date`` is the article's (possibly inferred) date, used to anchor relative dates;
    ``other_places`` are the spans of the other place mentions in the same sentence. The
    event's location is normally the place introduced by 'in/at/near' closest after the event
    cue (or right before it: "security forces in Karachi arrested"); places joined to it by
    "of", ",", "in", "'s" ("the Khairkhana area of Kabul city") share its role. ``group_before``
    says the sentence opens with a subject ("They", "The group") standing for the armed group
    named in the sentence before; ``default_site`` makes the place the site of an event the
    sentence tells without a place of its own (a dateline: "ISLAMABAD (AP) — A bomb killed five").
    """
    cites = _sentence_citations(sentence)
    if any(s <= start < e for s, e, _ in cites):
        return Classification("mention", None, rule="mention: inside a source citation")
    ctx = _read(sentence, start, end, doc_date, other_places, cites)
    ctx.group_before, ctx.default_site = group_before, default_site
    if ctx.ti in ctx.scoped:
        return _scoped_mention(ctx)
    _read_incidents(ctx)
    return _incident(ctx) or _region_claim(ctx) or _plain_mention(ctx)


def _read(sentence: str, start: int, end: int, doc_date: str | None, other_places: Iterable[tuple[int, int]],
          cites: list[tuple[int, int, str]]) -> _Sentence:
    text = _mask(sentence, cites)
    spans = [sp for sp in _normalise_spans(start, end, other_places) if not any(s <= sp[0] < e for s, e, _ in cites)]
    groups = _build_groups(text, spans)
    ti = next(i for i, g in enumerate(groups) if (start, end) in g.spans)
    return _Sentence(sentence=sentence, text=text, groups=groups, ti=ti, doc=_parse_iso(doc_date),
                     cite_text=cites[-1][2] if cites else None, scoped=_scoped_mentions(text, groups, cites))


# 1. mention cues scoped to the place


def _scoped_mention(ctx: _Sentence) -> Classification:
    _kind, cue, rule = ctx.scoped[ctx.ti]
    return Classification("mention", cue, rule=f"mention: {rule}")


def _scoped_mentions(text: str, groups: list[_Group], cites: list[tuple[int, int, str]]) -> dict[int, tuple[str, str, str]]:
    """Groups that are mere mentions: index -> (kind, cue text, rule)."""
    # every place of a sentence asks this of the same sentence and groups: it is read once
    return dict(_scoped_mentions_once(text, tuple(tuple(g.spans) for g in groups), tuple(cites)))


@functools.lru_cache(maxsize=4096)
def _scoped_mentions_once(text: str, group_spans: tuple, cites: tuple) -> dict[int, tuple[str, str, str]]:
    groups = [_Group(list(spans)) for spans in group_spans]
    C = _cues()
    out: dict[int, tuple[str, str, str]] = {}
    event_starts = sorted(
        [c.start for c in _find_incident_cues(text) if not c.weak and not c.anaphoric]
        + [c.start for c in _find_status_cues(text)]
    )
    for m in finditer(C.origin_re, text):
        tail = text[m.end() : m.end() + 160]
        e = _SCOPE_END.search(tail)
        stop = m.end() + (e.start() if e else len(tail))
        nxt = [p for p in event_starts if m.end() < p < stop]
        if nxt:
            stop = nxt[0]
        for i, g in enumerate(groups):
            if m.end() <= g.start < stop and i not in out:
                out[i] = ("origin", m.group(0), f"origin cue '{m.group(0)}' scopes the place (origin > incident > contested)")
    near: dict[int, tuple[int, str, str]] = {}
    # "ISKP's leaders relocated to Balochistan": where an armed group goes, it is present
    group_moves = {(c.start, c.end) for c in _find_status_cues(text)} if _has_militant(text) else set()
    for kind, rx, maxw in (("movement", C.movement_re, 3), ("title", C.title_re, 3), ("comparison", C.comparison_re, 3),
                           ("reference", C.reference_re, 1)):
        for m in finditer(rx, text):
            if kind == "movement" and m.span() in group_moves:
                continue
            for i, g in enumerate(groups):
                if g.start < m.end() or i in out:
                    continue
                gap = text[m.end() : g.start]
                if re.search(r"[,;:()—–.]", gap) or _words(gap) > maxw:
                    continue
                if re.search(r"\b(?:in|at|near|inside|outside)\b", gap, re.I) and kind != "title":
                    continue
                if i not in near or len(gap) < near[i][0]:
                    near[i] = (len(gap), kind, m.group(0))
                break
    for i, (_, kind, cue) in near.items():
        out[i] = (kind, cue, f"{kind} cue '{cue}' right before the place → mention")
    for i, g in enumerate(groups):
        if i in out:
            continue
        before = text[max(0, g.start - 60) : g.start]
        fm = re.search(r"(?:^|\W)(?P<w>from)\s+(?:the\s+)?(?:[a-z][\w’'\-]*\s+){0,2}$", before)
        if fm and re.search(r"\b(?:that|which|what|how|whether|when|where)\s+$", before):
            fm = None  # "stems from the fact that Mastung has ...": the place starts a clause
        if fm:
            # "in cities from Jalalabad ... to Quetta": a range, not an origin
            after_grp = text[g.end : g.end + 120]
            if re.match(r"^[^;.]{0,60}?,?\s+to\s+", after_grp) and re.search(
                r"\b(?:in|at|across|throughout)\s+(?:\w+\s+){0,2}from\s+(?:the\s+)?$", before, re.I
            ):
                continue
            if C.place_event_re.match(text, g.end):
                continue  # "the death toll from the Peshawar mosque blast": the event's place, not an origin
            out[i] = ("origin", "from", "introduced by 'from' (where someone or something comes from) → mention")
    for i, g in enumerate(groups):
        if any(s <= g.start < e for s, e, _ in cites):
            out[i] = ("citation", None, "inside a source citation → mention")
    return out


# 2. incidents


def _read_incidents(ctx: _Sentence) -> None:
    """The incident cues of the sentence, where each event happened, and which can make an incident."""
    # the same for every place of the sentence (its groups and blocked places are the same): read once
    cues, live, located, agg_words, usable, incident_groups, frame = _incident_phase(
        ctx.text, tuple(tuple(g.spans) for g in ctx.groups), tuple(sorted(ctx.blocked)), ctx.cite_text,
        ctx.ti if ctx.default_site and len(ctx.groups) == 1 else None)
    ctx.cues, ctx.live, ctx.frame = cues, list(live), frame
    ctx.located = {k: list(v) for k, v in located}
    ctx.agg_words = dict(agg_words)
    ctx.usable = set(usable)
    ctx.incident_groups = {k: list(v) for k, v in incident_groups}


@functools.lru_cache(maxsize=4096)
def _incident_phase(text: str, group_spans: tuple, blocked_t: tuple, cite_text: str | None, default_ti: int | None):
    groups = [_Group(list(spans)) for spans in group_spans]
    blocked = set(blocked_t)
    precision = _date_precision(text)
    day_date = precision == "day"
    month_date = precision in ("day", "month")
    any_date = precision is not None or cite_text is not None
    cues = _find_incident_cues(text)
    live = [c for c in cues if c.anaphoric or not (_is_hypothetical(text, c) or _is_negated(text, c))]
    located = {k: _locate_incident(text, c, groups, blocked) for k, c in enumerate(live)}
    agg_words = {
        k: (None if c.anaphoric else _is_aggregate(text, c, day_date, month_date, any_date))
        for k, c in enumerate(live)
    }
    weak_ok = month_date or parse_casualties(text) != (None, None)
    usable = {k for k, c in enumerate(live) if not agg_words[k] and (weak_ok or not c.weak)}
    incident_groups: dict[int, list[int]] = {}
    for k, gl in located.items():
        if k in usable:
            for gi in gl:
                incident_groups.setdefault(gi, []).append(k)
    frame = _frame_index(text, groups, blocked)
    if frame is None and default_ti is not None:
        frame = default_ti
    unlocated = [k for k in located if not located[k] and k in usable]
    if not incident_groups and frame is not None and unlocated:
        incident_groups[frame] = list(unlocated)
    return (cues, tuple(live), tuple((k, tuple(v)) for k, v in located.items()), tuple(agg_words.items()),
            frozenset(usable), tuple((k, tuple(v)) for k, v in incident_groups.items()), frame)


def _event_segment(ctx: _Sentence) -> tuple[int, int]:
    """The part of the sentence about the event at the place (several events split the sentence)."""
    order = sorted(ctx.incident_groups)
    pos = order.index(ctx.ti)
    seg_lo, seg_hi = 0, len(ctx.text)
    if pos > 0:
        seg_lo = _split_point(ctx.text, ctx.groups[order[pos - 1]], ctx.tg, ctx.live, ctx.incident_groups[ctx.ti])
    if pos + 1 < len(order):
        seg_hi = _split_point(ctx.text, ctx.tg, ctx.groups[order[pos + 1]], ctx.live,
                              ctx.incident_groups[order[pos + 1]])
    return seg_lo, seg_hi


def _incident(ctx: _Sentence) -> Classification | None:
    if ctx.ti not in ctx.incident_groups:
        return None
    text, live, located, tg = ctx.text, ctx.live, ctx.located, ctx.tg
    seg_lo, seg_hi = _event_segment(ctx)
    own = set(ctx.incident_groups[ctx.ti])
    pool = [k for k in range(len(live))
            if k in ctx.usable and (k in own or (not located[k] and seg_lo <= live[k].start < seg_hi))]
    if not pool:
        pool = list(own)
    best = min(pool, key=lambda k: (_type_rank(live[k]), abs(live[k].start - tg.start)))
    bc = live[best]
    aside = next((m for m in _ASIDES.finditer(text) if m.start() < min(bc.start, tg.start)
                  and max(bc.end, tg.end) < m.end()), None)
    if aside:  # "the worst attack in years — when gunmen stormed a school in Peshawar, killing 150 —"
        seg_lo, seg_hi = max(seg_lo, aside.start() + 1), min(seg_hi, aside.end() - 1)
    seg = text[seg_lo:seg_hi]
    date = _first_date(seg, ctx.doc, _cite_anchor(ctx.cite_text))
    date_note = ""
    if date is None and ctx.cite_text:
        date = _first_date(ctx.cite_text, ctx.doc)
        if date:
            date_note = " date from the citation;"
    toll = read_casualties(seg)
    actor = _find_actor(text, seg_lo, seg_hi, bc.start)
    loc = [k for k in own if located[k]]
    lc = live[min(loc, key=lambda k: _distance(tg, live[k]))] if loc else bc
    if ctx.ti == ctx.frame and not loc and ctx.default_site:
        how = f"the sentence tells an event (cue '{lc.text}') and names no place but its dateline"
    elif ctx.ti == ctx.frame and not loc:
        how = f"place frames the sentence ('In X, ...') and no other place is the event's location (cue '{lc.text}')"
    elif lc.end <= tg.start:
        how = f"place introduced by a locative preposition after {'anaphoric ' if lc.anaphoric else ''}event cue '{lc.text}'"
    else:
        how = f"place located just before event cue '{lc.text}'"
    chain = f"; location chain '{ctx.group_text(ctx.ti)}'" if len(tg.spans) > 1 else ""
    typed = "" if lc is bc else f"; type from cue '{bc.text}'"
    rule = f"incident: {how} → {bc.label}{typed}{chain};{date_note} {PRECEDENCE}"
    return Classification(
        "incident",
        ctx.sentence[bc.start : bc.end],
        type=bc.label,
        date=date,
        fatalities=toll.fatalities,
        injured=toll.injured,
        fatalities_range=toll.fatalities_range,
        attackers_killed=toll.attackers_killed,
        actor=actor,
        rule=rule,
    )


# 3. region claims


def _claims(ctx: _Sentence) -> list[tuple[int, _Cue, str]]:
    """(distance, cue, status) of every claim about the place."""
    C = _cues()
    text, tg, ti = ctx.text, ctx.tg, ctx.ti
    militant = _has_militant(text) or ctx.group_before
    claims: list[tuple[int, _Cue, str]] = []
    for c in _find_status_cues(text):
        if _is_hypothetical(text, c) or _is_negated(text, c):
            continue
        if c.label in C.weak_status and not militant:
            continue
        gov = _status_governs(text, c, ctx.groups, ctx.blocked, ctx.frame)
        if ti in gov:
            claims.append((10**6 if -1 in gov else _distance(tg, c), c, c.label))
    if not claims and (militant or C.isk_re.search(text)):
        claims += _loose_claims(ctx)
    # "IS-K in Sindh province"
    for m in C.isk_re.finditer(text):
        gap = text[m.end() : tg.start]
        if tg.start >= m.end() and re.fullmatch(r"\s+in\s+(?:(?:the|its)\s+)?(?:[a-z][\w’'\-]*\s+){0,2}", gap):
            c_end = m.end() + len(re.match(r"\s+in", gap).group(0))
            c = _Cue(m.start(), c_end, text[m.start() : c_end], "presence")
            claims.append((_distance(tg, c), c, "presence"))
    # patterns of events located here ("has perpetrated attacks in ...") show activity there
    for k, gl in ctx.located.items():
        c = ctx.live[k]
        if ti in gl and ctx.agg_words[k] and militant:
            claims.append((_distance(tg, c), c, "presence"))
    return claims


#: A claim about an armed group's hold reaches a place this many words away in the same clause run,
#: when no stricter reading ("bases in X", "X remains the hub") places it.
CLAIM_REACH_WORDS = 14
#: Ranks a loosely governed claim after every strict one.
_LOOSE = 10**5


def _loose_claims(ctx: _Sentence) -> list[tuple[int, _Cue, str]]:
    """Claims that reach the place across a few words: "The Islamic State's main concentration is in
    the south of Nangarhar", "Achin ... has been heavily fought over by the Taleban, ISKP ..."."""
    text, tg = ctx.text, ctx.tg
    out = []
    for c in _find_status_cues(text):
        if _is_hypothetical(text, c) or _is_negated(text, c) or ctx.ti in ctx.blocked:
            continue
        lo, hi = (c.end, tg.start) if c.end <= tg.start else (tg.end, c.start)
        gap = text[lo:hi]
        if (hi < lo or ";" in gap or _words(gap) > CLAIM_REACH_WORDS or re.search(r"[.!?]\s", gap)
                or re.search(r",\s*(?:which|who|whose|while|whereas|bordering)\b"
                             r"|\b(?:and|but)\s+(?:this|these|that|those|it|they|he|she|we|its|their)\b", gap, re.I)):
            # another clause
            continue
        out.append((_LOOSE + _words(gap), c, c.label))
    return out


def _claim_actor(text: str, c: _Cue) -> str | None:
    """The group a claim is about: the one glued to an "-based" cue, else the first IS-K name."""
    C = _cues()
    actor = None
    if c.text.startswith("-"):
        pm = C.isk_re.search(text[max(0, c.start - 25) : c.start] + " ")
        actor = pm.group(0) if pm else None
        if actor is None:
            for rx, name in C.actors:
                am = rx.search(text[max(0, c.start - 25) : c.start] + " ")
                if am:
                    actor = name or am.group(0)
                    break
    if actor is None:
        am = C.isk_re.search(text)
        actor = am.group(0) if am else None
    return actor


def _region_claim(ctx: _Sentence) -> Classification | None:
    C = _cues()
    claims = _claims(ctx)
    if not claims:
        return None
    text = ctx.text
    _dist, c, status = min(claims, key=lambda x: (x[0], C.status_order.index(x[2]) if x[2] in C.status_order else 99))
    agg = c in ctx.live and ctx.agg_words.get(ctx.live.index(c))
    actor = _claim_actor(text, c)
    date = _first_date(text, ctx.doc, _cite_anchor(ctx.cite_text))
    if date is None and ctx.cite_text:
        date = _first_date(ctx.cite_text, ctx.doc)
    if agg:
        rule = f"contested: a pattern of events ('{agg}') located at the place shows presence"
    elif c.text.lower().endswith(" in") and C.isk_re.match(c.text):
        rule = f"contested: '{c.text}' + place reads as the group's presence there"
    else:
        rule = f"contested: status cue '{c.text}' ({status}) governs the place"
    if len(ctx.tg.spans) > 1:
        rule += f" (location chain '{ctx.group_text(ctx.ti)}')"
    past = claim_is_past(text, c.start, c.end)
    if past:
        rule += "; a past claim"
    return Classification("contested", ctx.sentence[c.start : c.end], status=status, date=date, actor=actor, rule=rule,
                          past=past)


# 4. plain mention, with the reason


def _plain_mention(ctx: _Sentence) -> Classification:
    if ctx.incident_groups:
        names = ", ".join(f"'{ctx.group_text(i)}'" for i in sorted(ctx.incident_groups))
        if ctx.ti == ctx.frame:
            return Classification("mention", None, rule=f"mention: framing place; the event is located at {names}")
        return Classification("mention", None, rule=f"mention: the event cue refers to another place ({names})")
    if any(ctx.ti in gl for gl in ctx.located.values()):
        k = next(k for k, gl in ctx.located.items() if ctx.ti in gl)
        why = (
            f"a pattern of events ('{ctx.agg_words[k]}'), not one incident"
            if ctx.agg_words[k]
            else f"weak cue '{ctx.live[k].text}' without a date or casualty figure"
        )
        return Classification("mention", None, rule=f"mention: {why}")
    if ctx.cues and not ctx.live:
        return Classification("mention", None, rule="mention: event cues are hypothetical or negated")
    return Classification("mention", None, rule="mention: no incident or status cue reaches the place")
