"""The article as a story: an incident sentence that states no date or toll takes them from the
sentences that go on telling the same event.

News reports spread one event over several sentences: the lead gives the day ("attacked a bank
Saturday"), a later sentence the place ("The attack in Jalalabad ..."), another the toll ("The
blast killed at least 35"). A sentence continues the story of an incident when it reports an
event and names no other incident site, and no report of an incident elsewhere stands between
them. What the incident's own sentence states always wins.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..gazetteer.names import named_in
from ..records import ClassifiedMention, Document, Place
from ..vocabulary import LEVEL_RANK
from .casualties import Casualties, read_casualties
from .cues import _cues
from .dates import _first_date, _parse_iso
from .actors import claimant
from .incidents import _find_incident_cues, _is_hypothetical, _is_negated

#: How many sentences before or after an incident's own sentence may continue its story.
STORY_WINDOW = 2
#: The article's opening sentences (headline, standfirst, lead), read as telling its main event.
LEAD_SENTENCES = 4


@dataclass(frozen=True)
class _Told:
    """What one sentence says of an event, if it reports one."""

    event: bool
    date: str | None
    toll: Casualties
    claimant: str | None = None  # "IS claimed responsibility for the attack"


def _told(doc: Document, span: tuple[int, int], anchor: tuple | None) -> _Told:
    text = doc.text[span[0]:span[1]]
    cues = [c for c in _find_incident_cues(text) if not c.anaphoric and not _is_hypothetical(text, c)
            and not _is_negated(text, c)]
    if not cues:
        return _Told(False, None, Casualties())
    return _Told(True, _first_date(text, anchor), read_casualties(text), claimant(text))


def fill_from_story(doc: Document, read: list[ClassifiedMention], doc_date: str | None) -> list[ClassifiedMention]:
    """``read`` with the date and toll of undated or uncounted incidents taken from the sentences
    that continue their story (see the module docstring)."""
    incidents = [cm for cm in read if cm.classification.role == "incident"]
    if not incidents:
        return read
    spans = list(doc.sentences)
    index = {s: k for k, (s, _e) in enumerate(spans)}
    anchor = _parse_iso(doc_date)
    told: dict[int, _Told] = {}

    def at(k: int) -> _Told:
        if k not in told:
            told[k] = _told(doc, spans[k], anchor)
        return told[k]

    # sentences reporting an incident, by the places they report it at
    sites: dict[int, dict[str, Place]] = {}
    for cm in incidents:
        k = index.get(cm.resolution.mention.sentence_start)
        if k is not None:
            sites.setdefault(k, {})[cm.resolution.place.id] = cm.resolution.place
    out = []
    for cm in read:
        c = cm.classification
        k = index.get(cm.resolution.mention.sentence_start)
        if c.role != "incident" or k is None or (c.date and c.fatalities is not None and c.actor):
            out.append(cm)
            continue
        own = sites.get(k, {})
        date, actor, used = c.date, c.actor, []
        toll = Casualties(c.fatalities, c.injured, c.fatalities_range, c.attackers_killed)
        for j in _story_sentences(k, len(spans), sites, own):
            t = at(j)
            if not t.event:
                continue
            if date is None and t.date and len(t.date) >= 7:  # a bare year there is background, not the day
                date = t.date
                used.append(f"date from sentence {j + 1}")
            if toll.fatalities is None and t.toll.fatalities is not None:
                toll = replace(t.toll, injured=toll.injured if t.toll.injured is None else t.toll.injured)
                used.append(f"toll from sentence {j + 1}")
            if actor is None and t.claimant and j > k:
                actor = t.claimant
                used.append(f"actor from sentence {j + 1}")
            if date and toll.fatalities is not None and actor:
                break
        if date is None and doc_date and len(doc_date) >= 7 and (
                LEVEL_RANK[cm.resolution.place.level] < LEVEL_RANK["province"]):  # a province or country told undated is no incident
            date, why = _around_the_article_date(doc, spans[k], k, doc_date)
            if date:
                used.append(why)
        if used:
            c = replace(c, date=date, actor=actor, fatalities=toll.fatalities, injured=toll.injured,
                        fatalities_range=toll.fatalities_range, attackers_killed=toll.attackers_killed,
                        rule=f"{c.rule}; {', '.join(used)} (the story of the same event)")
            cm = replace(cm, classification=c)
        out.append(cm)
    return out


def _around_the_article_date(doc: Document, span: tuple[int, int], k: int, doc_date: str) -> tuple[str | None, str]:
    """An event no sentence dates, told in the lead of a dated report, happened in the month of the
    report; one called recent, in its year. Never more precise than that."""
    if k < LEAD_SENTENCES:
        return doc_date[:7], "the month of the report (an undated event of its lead)"
    if _cues().recent_re.search(doc.text, span[0], span[1]):
        return doc_date[:4], "the year of the report (a recent event it does not date)"
    return None, ""


def _elsewhere(site: dict[str, Place], own: dict[str, Place]) -> bool:
    """The sentence reports an incident at another place, one no vaguer than this one's or one
    that does not hold it: "in eastern Afghanistan" in the lead does not stop the story of "the
    attack in Jalalabad"; "in Bajaur district" stops the story of "a blast in Kohat"."""
    if site.keys() & own.keys():
        return False
    finest = min((LEVEL_RANK[p.level] for p in own.values()), default=LEVEL_RANK["country"])
    return any(LEVEL_RANK[p.level] <= finest or not any(_holds(p, q) for q in own.values()) for p in site.values())


def _holds(outer: Place, inner: Place) -> bool:
    """Whether ``outer`` may contain ``inner``, by the names of ``inner``'s containers (a region
    of no such name is given the benefit of the doubt within its country)."""
    if outer.country != inner.country:
        return False
    return outer.level in ("country", "region") or named_in(outer.name, (inner.admin1, inner.admin2))


def _story_sentences(k: int, n: int, sites: dict[int, dict[str, Place]], own: dict[str, Place]) -> list[int]:
    """Sentences that may continue the story of the incident told in sentence ``k``: the nearest
    first, up to another incident site; then the article's lead when no other site precedes."""
    out = []
    for step in (1, -1):
        for d in range(1, STORY_WINDOW + 1):
            j = k + step * d
            if not 0 <= j < n:
                break
            if j in sites and _elsewhere(sites[j], own):
                break  # an incident elsewhere: the story has moved on
            out.append(j)
    out.sort(key=lambda j: (abs(j - k), j < k))
    if not any(j < k and _elsewhere(sites[j], own) for j in sites):
        out += [j for j in range(min(k, LEAD_SENTENCES)) if j not in out]
    return out
