"""Turn classified mentions into incidents and regions, each carrying its sources."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .classify import Classification
from .gazetteer.index import Gazetteer
from .records import Document, Incident, Region, RegionClaim, Resolution, Source
from .resolve import LEVEL_RANK

#: When several statuses are claimed for one area, the strongest is shown.
STATUS_ORDER = ["controlled", "stronghold", "headquarters", "hub", "safe haven", "training", "contested", "presence"]
#: Statuses that make an area a region on the map; a mere presence stays a mention with role "contested".
REGION_STATUSES = frozenset(STATUS_ORDER) - {"presence"}


@dataclass(frozen=True)
class ClassifiedMention:
    doc: Document
    resolution: Resolution
    classification: Classification
    citation: str | None

    @property
    def id(self) -> str:
        return f"{self.doc.id}:{self.resolution.mention.start}"

    def source(self) -> Source:
        m = self.resolution.mention
        return Source(doc=self.doc.id, sentence=self.doc.text[m.sentence_start:m.sentence_end], start=m.start,
                      end=m.end, citation=self.citation, url=self.doc.meta.url, sentence_start=m.sentence_start,
                      sentence_end=m.sentence_end, text=m.text)


def _date_key(date: str | None) -> str:
    return date or ""


def _same_event(a: Incident, b: Incident, gaz: Gazetteer) -> bool:
    """Two reports of one event: same or nested place, same date (to the month at least), and
    fatality counts that do not contradict each other."""
    if not a.date or not b.date or len(a.date) < 7 or len(b.date) < 7:
        return False
    if not (a.date.startswith(b.date) or b.date.startswith(a.date)):
        return False
    if a.place.id != b.place.id and not (gaz.contains(a.place, b.place) or gaz.contains(b.place, a.place)):
        return False
    if a.fatalities and b.fatalities:
        hi, lo = max(a.fatalities, b.fatalities), min(a.fatalities, b.fatalities)
        if hi > 1.5 * lo + 2:
            return False
    return True


def _merge(a: Incident, b: Incident) -> Incident:
    # keep the more precise place and the more precise date; the larger count (the later toll)
    if b.precision < a.precision:
        a.place, a.precision = b.place, b.precision
    if len(b.date or "") > len(a.date or ""):
        a.date = b.date
    for attr in ("fatalities", "injured"):
        va, vb = getattr(a, attr), getattr(b, attr)
        setattr(a, attr, max(v for v in (va, vb) if v is not None) if (va or vb) is not None else None)
    if a.type in ("attack", "") and b.type:
        a.type = b.type
    a.actor = a.actor or b.actor
    for s in b.sources:
        if s not in a.sources:
            a.sources.append(s)
    return a


def incidents(mentions: list[ClassifiedMention], gaz: Gazetteer) -> list[Incident]:
    """One incident per sentence that reports one, at its most precise place; then reports of
    the same event (in one article or several) are merged into one incident with several sources."""
    by_sentence: dict[tuple[str, int], list[ClassifiedMention]] = defaultdict(list)
    for cm in mentions:
        if cm.classification.role == "incident":
            by_sentence[(cm.doc.id, cm.resolution.mention.sentence_start)].append(cm)
    found: list[Incident] = []
    clusters = []
    for key in sorted(by_sentence):
        # one sentence may report several events ("a bombing in Mastung on July 13 ... and another
        # in Quetta on July 25"): mentions with different dates or tolls are different incidents
        by_event: dict[tuple, list[ClassifiedMention]] = defaultdict(list)
        for cm in by_sentence[key]:
            c = cm.classification
            by_event[(c.date or "", c.fatalities or -1)].append(cm)
        clusters.extend(by_event[k] for k in sorted(by_event))
    for group in clusters:
        # the smallest place the sentence names; a fallback ("Khairkhana area of Kabul") is more
        # specific than its container named in the same sentence
        best = min(group, key=lambda cm: (LEVEL_RANK[cm.resolution.place.level], 0 if cm.resolution.note else 1,
                                          cm.resolution.precision, cm.resolution.mention.start))
        c = best.classification
        found.append(Incident(
            id=f"{best.doc.id}:{best.resolution.mention.start}", place=best.resolution.place,
            precision=best.resolution.precision, date=c.date, fatalities=c.fatalities, injured=c.injured,
            type=c.type or "attack", actor=c.actor, sources=[best.source()]))
    merged: list[Incident] = []
    for inc in found:
        for m in merged:
            if _same_event(m, inc, gaz):
                _merge(m, inc)
                break
        else:
            merged.append(inc)
    return merged


def regions(mentions: list[ClassifiedMention], gaz: Gazetteer) -> list[Region]:
    claims: dict[str, list[RegionClaim]] = defaultdict(list)
    places = {}
    # a whole country is too vague an area to shade for a claim ("hubs in neighbouring Afghanistan")
    strong = [cm for cm in mentions if cm.classification.role == "contested" and cm.classification.status in REGION_STATUSES
              and cm.resolution.place.level != "country"]
    for cm in strong:
        c = cm.classification
        place = cm.resolution.place
        m = cm.resolution.mention
        # "its headquarters in Afghanistan's Nangarhar province": the claim is about the smallest area
        if any(o is not cm and o.doc.id == cm.doc.id and o.resolution.mention.sentence_start == m.sentence_start
               and o.classification.status == c.status and gaz.contains(place, o.resolution.place) for o in strong):
            continue
        places[place.id] = place
        claims[place.id].append(RegionClaim(place=place, status=c.status or "presence", cue=c.cue or "", source=cm.source()))
    out = []
    for pid in sorted(claims):
        counts = Counter(cl.status for cl in claims[pid])
        status = min(counts, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER))
        out.append(Region(place=places[pid], status=status, claims=claims[pid]))
    return out
