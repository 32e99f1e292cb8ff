"""Turn classified mentions into incidents and regions, each carrying its sources."""
from __future__ import annotations

from collections import Counter, defaultdict

from .gazetteer.index import Gazetteer
from .reading.datelines import document_date
from .records import ClassifiedMention, Incident, Region, RegionClaim
from .vocabulary import LEVEL_RANK, REGION_STATUSES, STATUS_ORDER


def _date_key(date: str | None) -> str:
    return date or ""


#: Incident types that can name the same event ("the bombing" / "the suicide attack").
_TYPE_FAMILIES = ({"suicide bombing", "bombing", "attack"}, {"airstrike", "drone strike", "attack"},
                  {"armed attack", "attack", "targeted killing", "shooting"})
#: Reports of an undated event within this many characters of a report naming its place are the same event.
NEARBY_CHARS = 600


def _types_agree(a: Incident, b: Incident) -> bool:
    return a.type == b.type or "attack" in (a.type, b.type) or any({a.type, b.type} <= f for f in _TYPE_FAMILIES)


def _tolls_agree(a: Incident, b: Incident) -> bool:
    if a.fatalities and b.fatalities:
        hi, lo = max(a.fatalities, b.fatalities), min(a.fatalities, b.fatalities)
        return hi <= 1.5 * lo + 2
    return True


def _dates_agree(a: str | None, b: str | None) -> bool:
    return not a or not b or a.startswith(b) or b.startswith(a)


def _nested(a: Incident, b: Incident, gaz: Gazetteer) -> bool:
    return a.place.id == b.place.id or gaz.contains(a.place, b.place) or gaz.contains(b.place, a.place)


def _same_event(a: Incident, b: Incident, gaz: Gazetteer) -> str | None:
    """Why two reports are of one event, or None: same or nested place, dates that agree to the
    month at least, and fatality counts and types that do not contradict each other."""
    if not a.date or not b.date or len(a.date) < 7 or len(b.date) < 7 or not _dates_agree(a.date, b.date):
        return None
    if not _nested(a, b, gaz) or not _tolls_agree(a, b) or not _types_agree(a, b):
        return None
    return f"same event: {b.place.name} and {a.place.name}, {a.date[:7]}"


def _same_event_nearby(a: Incident, b: Incident, gaz: Gazetteer) -> str | None:
    """In one article, a report without a date is of the event reported just before or after it at
    the same or a nested place ("bombings in the city of Kerman ... the most deadly attack in Iran")."""
    sa, sb = a.sources[0], b.sources[0]
    if sa.doc != sb.doc or (a.date and b.date) or not _dates_agree(a.date, b.date):
        return None
    if not _nested(a, b, gaz) or not _tolls_agree(a, b) or not _types_agree(a, b):
        return None
    gap = max(sa.sentence_start, sb.sentence_start) - min(sa.sentence_end, sb.sentence_end)
    if a.place.id != b.place.id and gap > NEARBY_CHARS:
        return None
    return f"same event, told again in the article without a date: {b.place.name} and {a.place.name}"


def _merge(a: Incident, b: Incident, why: str) -> Incident:
    # keep the more precise place and the more precise date; the larger count (the later toll)
    if b.precision < a.precision:
        a.place, a.precision = b.place, b.precision
    if len(b.date or "") > len(a.date or ""):
        a.date = b.date
    if b.fatalities is not None and (a.fatalities is None or b.fatalities > a.fatalities):
        a.fatalities_range = b.fatalities_range  # the range the kept figure comes from
    for attr in ("fatalities", "injured", "attackers_killed"):
        va, vb = getattr(a, attr), getattr(b, attr)
        setattr(a, attr, max(v for v in (va, vb) if v is not None) if (va, vb) != (None, None) else None)
    if a.type in ("attack", "") and b.type or a.type == "bombing" and b.type == "suicide bombing":
        a.type = b.type
    a.actor = a.actor or b.actor
    for s in b.sources:
        if s not in a.sources:
            a.sources.append(s)
    a.rules.append(why)
    return a


def _merge_all(items: list[Incident], rule, bucket, gaz: Gazetteer) -> list[Incident]:
    """Each report merged into the first earlier one ``rule`` joins it with, else kept. ``bucket``
    is a key two reports must share for ``rule`` to join them (and that merging does not change);
    ``rule`` joins only reports at nested places. So each report is compared with the reports of its
    bucket a ``Nesting`` finds nested with it (in the order they were kept), not with every other."""
    merged: list[Incident] = []
    buckets: dict = {}
    for inc in items:
        key = bucket(inc)
        kept = None if key is None else buckets.setdefault(key, gaz.nesting())
        for m in kept.candidates(inc.place) if kept is not None else ():
            why = rule(m, inc)
            if why:
                before = m.place
                _merge(m, inc, why)
                if m.place is not before:
                    kept.add(m.place, m)  # it moved to the more precise place of the report merged in
                break
        else:
            merged.append(inc)
            if kept is not None:
                kept.add(inc.place, inc)
    return merged


def _merge_undated_across(items: list[Incident], gaz: Gazetteer, published: dict[str, str]) -> list[Incident]:
    """An article that gives no date for an event is merged with the one dated report of it in
    another article, when exactly one dated report fits (place nested, type and toll agreeing, not
    after the undated article's publication date)."""
    merged_in: set[int] = set()
    dated = gaz.nesting()  # the dated reports by place: each undated one is compared with those nested with it
    for o in items:
        if o.date:
            dated.add(o.place, o)
    for inc in [i for i in items if not i.date]:
        doc = inc.sources[0].doc
        fits = []
        for o in dated.candidates(inc.place):
            if (o is not inc and o.date and all(s.doc != doc for s in o.sources) and _types_agree(o, inc)
                    and _tolls_agree(o, inc) and not (published.get(doc) and o.date[:len(published[doc])] > published[doc])
                    and _nested(o, inc, gaz)):
                fits.append(o)
                if len(fits) > 1:
                    break  # only a report that fits one dated report alone is merged
        if len(fits) == 1:
            (o,) = fits
            before = o.place
            _merge(o, inc, f"same event: the undated report at {inc.place.name} ({doc}) fits only this dated one")
            merged_in.add(id(inc))  # (ids are unique: no other report equals it)
            if o.place is not before:
                dated.add(o.place, o)  # it moved to the undated report's more precise place
    return [i for i in items if id(i) not in merged_in]


def _sites(group: list[ClassifiedMention], gaz: Gazetteer) -> list[tuple[ClassifiedMention, int]]:
    """The incident sites of one sentence's event: the smallest place of each chain of nested places
    ("Khar, the main town of Bajaur" is one site; "raids in Kabul and Nimroz" are two), with the
    size of its chain. A fallback ("Khairkhana area of Kabul") is more specific than its container."""
    remaining = sorted(group, key=lambda cm: (LEVEL_RANK[cm.resolution.place.level], 0 if cm.resolution.note else 1,
                                              cm.resolution.precision, cm.resolution.mention.start))
    out = []
    while remaining:
        best, place = remaining[0], remaining[0].resolution.place
        chain = [cm for cm in remaining if cm.resolution.place.id == place.id or gaz.contains(cm.resolution.place, place)
                 or gaz.contains(place, cm.resolution.place)]
        out.append((best, len(chain)))
        remaining = [cm for cm in remaining if cm not in chain]
    return out


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
        for best, nested in _sites(group, gaz):
            c = best.classification
            rules = [f"place: the smallest place the sentence names ({best.resolution.mention.text!r})"
                     if nested > 1 else f"place: {best.resolution.mention.text!r}", f"role: {c.rule}"]
            inc = Incident(
                id=f"{best.doc.id}:{best.resolution.mention.start}", place=best.resolution.place,
                precision=best.resolution.precision, date=c.date, fatalities=c.fatalities, injured=c.injured,
                type=c.type or "attack", actor=c.actor, sources=[best.source()], rules=rules,
                fatalities_range=c.fatalities_range, attackers_killed=c.attackers_killed)
            found.append(inc)
    # an undated report is never merged with an event after its article was written (the date its
    # sidecar, dateline or address states; an inferred date is only a lower bound)
    published = {cm.doc.id: d for cm in mentions for d, inferred in [document_date(cm.doc)] if d and not inferred}
    # reports told again in one article share their first source's document; reports of one event
    # in several share the month (a merge keeps it: dates that agree have the same month)
    merged = _merge_all(found, lambda a, b: _same_event_nearby(a, b, gaz), lambda i: i.sources[0].doc, gaz)
    merged = _merge_all(merged, lambda a, b: _same_event(a, b, gaz),
                        lambda i: i.date[:7] if i.date and len(i.date) >= 7 else None, gaz)
    return _merge_undated_across(merged, gaz, published)


def regions(mentions: list[ClassifiedMention], gaz: Gazetteer) -> list[Region]:
    claims: dict[str, list[RegionClaim]] = defaultdict(list)
    places = {}
    # a whole country is too vague an area to shade for a claim ("hubs in neighbouring Afghanistan")
    strong = [cm for cm in mentions if cm.classification.role == "contested" and cm.classification.status in REGION_STATUSES
              and cm.resolution.place.level != "country"]
    by_sentence: dict[tuple, list[ClassifiedMention]] = defaultdict(list)  # claims of one status in one sentence
    for cm in strong:
        by_sentence[(cm.doc.id, cm.resolution.mention.sentence_start, cm.classification.status)].append(cm)
    for cm in strong:
        c = cm.classification
        place = cm.resolution.place
        m = cm.resolution.mention
        # "its headquarters in Afghanistan's Nangarhar province": the claim is about the smallest area
        if any(o is not cm and gaz.contains(place, o.resolution.place)
               for o in by_sentence[(cm.doc.id, m.sentence_start, c.status)]):
            continue
        places[place.id] = place
        claims[place.id].append(RegionClaim(place=place, status=c.status or "presence", cue=c.cue or "", source=cm.source(),
                                             past=c.past))
    out = []
    for pid in sorted(claims):
        # what the articles say holds now outranks what they say held once
        counts = Counter(cl.status for cl in ([c for c in claims[pid] if not c.past] or claims[pid]))
        status = min(counts, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER))
        out.append(Region(place=places[pid], status=status, claims=claims[pid]))
    return out
