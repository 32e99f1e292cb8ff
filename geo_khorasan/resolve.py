"""Resolve each place mention to one gazetteer place, using the sentence and the document.

Every candidate gets a score from plain, named rules; the rules that applied are kept
with the candidate so that the analyst can see why a place was chosen.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace

from geopy.distance import EARTH_RADIUS

from .gazetteer.build import distance_km
from .gazetteer.geonames import REGION_COUNTRIES
from .gazetteer.index import Gazetteer, NameMatch
from .gazetteer.names import keys, loose_key, split_level
from .knowledge import load_toml
from .recognise import words
from .records import Candidate, Document, Mention, Place, Resolution
from .vocabulary import LEVEL_PRECISION, LEVEL_RANK, PRECISION_WORDS, THEATRE  # the theatre's places win ties against namesakes

#: Preference between levels for a bare name with no other evidence.
LEVEL_PRIOR = {"country": 1.5, "province": 0.5, "region": 0.5, "district": 0.3, "town": 0.15, "village": -0.5,
               "neighbourhood": -0.5}
#: A city this large is meant by its name wherever the article is set.
WORLD_CITY_POPULATION = 1_000_000
#: Bonus for a candidate in the country of, or near, the places named in the same sentence.
SENTENCE_COUNTRY_BONUS, SENTENCE_NEAR_BONUS, SENTENCE_NEAR_KM = 0.3, 0.2, 250
#: The levels a fuzzy match may take, by the level the text gives.
FUZZY_LEVELS = {"district": frozenset({"district"}), "province": frozenset({"province"}),
                "town": frozenset({"town", "village", "neighbourhood"})}
#: How far from a district's namesake town a place may lie and still be "in" that district.
DISTRICT_RADIUS_KM = 40
#: Namesakes: candidates whose scores differ by no more than this are equally likely; settlements
#: within NAMESAKE_CLUSTER_KM of one another are taken as one place recorded several times, and a
#: namesake within NAMESAKE_DOC_KM of another place of the document is the one meant.
NAMESAKE_MARGIN, NAMESAKE_CLUSTER_KM, NAMESAKE_DOC_KM = 0.05, 30, 100
#: In a cell, "X, Y" with Y a town or village: X lies within this distance of Y.
CELL_TOWN_KM = 20
#: Two names of one text whose namesakes meet only once, within this distance, are that pair.
NAMESAKE_PAIR_KM = 30
SETTLEMENTS = frozenset({"town", "village", "neighbourhood"})
HINT_LEVELS = {"district": {"district"}, "province": {"province"}, "town": {"town", "village", "neighbourhood"},
               "village": {"village", "town", "neighbourhood"}}

#: Words that make a name a stretch of ground rather than a settlement (data/name_rules.toml).
GROUND_WORDS = frozenset(load_toml("name_rules.toml").get("ground_words", []))

# Words between X and Y that say X lies within Y: "X, Y", "X of the Y", "X in Y", "X, in Y", "X near Y".
_LEVEL_WORDS = "|".join(sorted(map(re.escape, words().level_after), key=len, reverse=True))
_DIRECTIONS = "|".join(sorted(map(re.escape, words().directions), key=len, reverse=True))
_WITHIN = re.compile(rf"^(?:\s*(?i:{_LEVEL_WORDS}))?"
                     r"(?:\s*,\s*(?:in\s+|near\s+)?|\s+(?i:of|in|near|in\s+the|of\s+the|near\s+the)\s+"
                     # "Sangan area Sibi district": after a level word a space is enough
                     r"|(?<=[a-z])\s+)"
                     r"(?:the\s+)?"
                     # "Bolan, southwestern Baluchistan"
                     rf"(?:(?i:{_DIRECTIONS})\s+)?"
                     # an unnamed sub-unit in between: "area of Police District Kabul City", "near PD12, Kabul City"
                     r"(?:(?:[A-Z][A-Za-z-]*\s+){1,3}|[A-Z]+\d+,?\s+)?$")
# A name that ends in its own small level word ("Jawarah village", "Mattak area"): in "X village, Y" Y holds X
_SMALL_WORD = re.compile(r"\s(?:" + "|".join(w for w, level in words().level_after.items() if level in ("village", "town", "area"))
                         + r")$", re.I)
_FUZZY_FAR = re.compile(r"^fuzzy match: .*, [2-9] letters apart")
# "Jandola, 60 km east of Wana, South Waziristan": what follows a distance or a bearing is a reference point
_REFERENCE_BETWEEN = re.compile(r"\d[\d,.]*\s*(?:km|kms|kilomet(?:re|er)s?|miles?)\b"
                                r"|\b(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+of\b", re.I)
_AFTER_COMMA = re.compile(r",\s*(?:the\s+)?$")
_NEAR = re.compile(r"\bnear\s*(?:the\s+)?$", re.I)
# "the shrine of Lal Shahbaz Qalandar": a building named for a person; a village of that name is not meant
_DEDICATED = re.compile(r"\b(?:shrine|tomb|mausoleum|dargah|mosque|madrassa|seminary)\s+of\s+(?:the\s+)?$", re.I)


def precision_words(precision: int, place: Place) -> str:
    words = "near" if precision == 2 else PRECISION_WORDS[precision]
    return f"{words}: {place.name}"


class Resolver:
    def __init__(self, gazetteer: Gazetteer, cell: bool = False):
        """``cell``: the texts are place descriptions (a batch cell, a geocoder query), not prose: in
        "X, Y" Y says where X lies, never the next name of a list (see :meth:`resolve_document`)."""
        self.gaz = gazetteer
        self.cell = cell

    # -- candidates ----------------------------------------------------------------------------
    def _matches(self, m: Mention) -> list[NameMatch]:
        if m.region:
            p = self.gaz.get(m.region)
            return [NameMatch(p, p.name, "primary", True)] if p else []
        if not m.known:
            return []
        matches = self.gaz.match(m.text)
        if m.level_hint in HINT_LEVELS:
            # the level the text gives decides among places of this country, not against a
            # spelling variant abroad ("Buner town" is the Buner district, not Bon Air, US)
            hinted = [x for x in matches if x.place.level in HINT_LEVELS[m.level_hint]]
            theatre_hinted = [x for x in hinted if x.exact or x.place.country in THEATRE]
            if theatre_hinted or not any(x.place.country in THEATRE for x in matches):
                matches = hinted or matches
        return matches

    def _score(self, m: Mention, nm: NameMatch, doc_countries: Counter, doc_admin1: set[str]) -> tuple[float, list[str]]:
        p = nm.place
        why = []
        score = 1.0 if nm.exact else 0.75
        why.append("exact name" if nm.exact else "spelling variant")
        if nm.kind != "primary":
            score -= {"alias": 0.02, "alt": 0.08}[nm.kind]
            why.append(f"{nm.kind} name {nm.name!r}")
        level_bonus = LEVEL_PRIOR.get(p.level, 0)
        if p.level == "town" and (p.population or 0) >= 100_000:
            level_bonus = 0.6 if p.population >= 1_000_000 else 0.55
        if p.level == "village" and m.level_hint == "village":
            level_bonus = 0.15  # the text says it is a village
        score += level_bonus
        if p.population:
            score += 0.05 * math.log10(p.population + 1) / 7
        if nm.kind == "primary" and nm.exact and p.level == "town" and (p.population or 0) >= WORLD_CITY_POPULATION:
            # Baghdad is the capital of Iraq even in an article about Iran that names a Baghdadeh
            score += 0.8
            why.append("a city of over a million")
        if p.country in THEATRE:
            score += 0.3
            why.append("in the theatre (PK/AF/IR)")
        elif p.country in REGION_COUNTRIES:
            score += 0.1
        if p.country and doc_countries.get(p.country):
            score += 0.3
            why.append(f"article names {p.country}")
        if p.admin1 and p.admin1 in doc_admin1:
            score += 0.15
            why.append(f"article names {p.admin1}")
        return score, why

    def _fuzzy(self, m: Mention, doc_countries: Counter, doc_admin1: set[str]) -> list[Candidate]:
        """Last resort for a name the gazetteer lacks in every spelling: near-misses in the
        article's own countries, at the level the text gives."""
        levels = FUZZY_LEVELS.get(m.level_hint or "", FUZZY_LEVELS["town"])
        out = []
        for country in sorted(c for c in doc_countries if c in THEATRE):
            for f in self.gaz.fuzzy(m.text, country, levels):
                nm = NameMatch(f.place, f.name, "alt", False)
                s, why = self._score(m, nm, doc_countries, doc_admin1)
                why[:2] = [f"fuzzy match: {f.name!r}, {f.distance} letter{'s' if f.distance > 1 else ''} apart"]
                out.append(Candidate(f.place, round(s - 0.3 * f.distance, 3), "; ".join(why)))
        return out

    def _plausible(self, m: Mention, best: Candidate, doc_countries: Counter, doc_admin1: set[str]) -> bool:
        """Drop matches that are far more likely a word than a place ("Time", "Police", "JUI"), and
        villages far more likely a namesake of a place the data lacks."""
        p = best.place
        if p.level in ("village", "neighbourhood") and not p.population and doc_admin1 and p.admin1 not in doc_admin1:
            # "Shahkot village in Neelum valley, Azad Kashmir": a village of that name in Punjab is not
            # meant; the province the text names (or a container) places the name instead
            return False
        if m.level_hint in ("district", "province") and p.level == "region" and not m.region:
            return False  # "Khorasan Province" is the group's branch, not the vague Khorasan region
        if m.region or p.level in ("country", "region"):
            return True
        if m.text.isupper() and not m.dateline and "alias name" not in best.why and p.level not in ("province", "district"):
            return False
        if (m.level_hint == "district" and p.level in ("town", "village") and p.country not in THEATRE
                and not doc_countries.get(p.country or "") and "alt name" in best.why):
            return False  # "Rudaki district" unknown: its container beats a foreign town with a like other name
        if (p.level in ("village", "neighbourhood") and not p.population and m.level_hint not in HINT_LEVELS
                and m.level_hint != "area" and ("alt name" in best.why or "spelling variant" in best.why)):
            # a village known by that name only as another spelling or alternate ("Bugti", "Sham",
            # "Khorasani"): far more often a tribe, a word or a group's name; a container can still place it
            return False
        if p.country in THEATRE or doc_countries.get(p.country or ""):
            return "spelling variant" not in best.why or p.country in THEATRE
        if p.country in REGION_COUNTRIES:
            return m.level_hint is not None or (p.population or 0) >= 100_000
        return (p.population or 0) >= 250_000 or m.level_hint == "town"

    # -- document ------------------------------------------------------------------------------
    def resolve_document(self, doc: Document, mentions: list[Mention]) -> list[Resolution]:
        text = doc.text
        matches = [self._matches(m) for m in mentions]
        # Document geography from names that are unambiguous: countries and provinces written out.
        doc_countries: Counter = Counter()
        doc_admin1: set[str] = set()
        for ms in matches:
            levels = {x.place.level for x in ms}
            if ms and levels <= {"country"}:
                doc_countries[ms[0].place.country] += 1
            if len(ms) == 1 and ms[0].place.level == "province":
                doc_admin1.add(ms[0].place.name)
                doc_countries[ms[0].place.country] += 1
        chosen: list[Candidate | None] = []
        scored: list[list[Candidate]] = []
        fuzzy: set[int] = set()
        for i, (m, ms) in enumerate(zip(mentions, matches)):
            cands = []
            for nm in ms:
                s, why = self._score(m, nm, doc_countries, doc_admin1)
                cands.append(Candidate(nm.place, round(s, 3), "; ".join(why)))
            if not ms and not m.region:
                cands = self._fuzzy(m, doc_countries, doc_admin1)
                fuzzy.update([i] if cands else [])
            cands.sort(key=lambda c: (-c.score, c.place.id))
            scored.append(cands)
            chosen.append(cands[0] if cands and self._plausible(m, cands[0], doc_countries, doc_admin1) else None)
            if (chosen[-1] is not None and chosen[-1].place.level in ("village", "neighbourhood")
                    and _DEDICATED.search(text[max(0, m.start - 30):m.start])):
                chosen[-1] = None

        self._sentence_context(mentions, scored, chosen, doc_countries, doc_admin1)
        pools = [list(c) for c in scored]  # the candidates still in the running, with their own scores
        via: dict[int, Place] = {}  # the container the text names, for the mentions it chose

        # Sentence structure: "X village of the Y district", "X, Y", "Y's X" -- X must lie within Y.
        containers = [self._container(text, mentions, i) for i in range(len(mentions))]
        final: int | None = None  # in a cell, the district or province the description ends with
        for _ in range(2):
            final = self._final_container(text, mentions, chosen, containers) if self.cell else None
            for i, (m, cands) in enumerate(zip(mentions, scored)):
                if not cands or m.region:
                    continue
                j = containers[i]
                hops = 0
                while self.cell and j is not None and chosen[j] is None and hops < 3:
                    # "Tarkai, Kirala, Bajaur agency": the first container that resolved holds X
                    j, hops = containers[j], hops + 1
                if self._hold(text, mentions, i, j, scored, chosen, pools, via, doc_countries, doc_admin1):
                    continue
                if (final is not None and i < final and j != final
                        and not _REFERENCE_BETWEEN.search(text[m.end:mentions[final].start])):
                    # "Mamozai and Khadizai areas of Orakzai", "Dabori, Mamozai and Ghaljo, Orakzai agency":
                    # a cell's names before the district it ends with lie in that district
                    if self._hold(text, mentions, i, final, scored, chosen, pools, via, doc_countries, doc_admin1):
                        containers[i] = final  # and places it when it is not in the data

        # A fuzzy match stands only where the text supports it: inside the container it names
        # (checked above), in a province the article names, or when nothing else is named.
        only_countries = all(c is None or c.place.level == "country" for k, c in enumerate(chosen) if k not in fuzzy)
        for i in fuzzy:
            c = chosen[i]
            if c is None:
                continue
            if containers[i] is None and not only_countries and c.place.admin1 not in doc_admin1:
                chosen[i] = None
            elif (c.place.level in ("village", "neighbourhood") and _FUZZY_FAR.search(c.why) and c.place.admin1 not in doc_admin1
                  and (i not in via or via[i].level == "country")):
                # a village two letters away is another name more often than a misspelling, unless
                # the text says where to look (UCDP's events: right for 1 row in 10 without a container)
                chosen[i] = None

        self._one_sense(mentions, chosen, pools)

        # "Tirah Valley": a stretch of ground, not the village of that name elsewhere; a village of
        # that name inside the container the text names may be meant (a country is no such container)
        for i, m in enumerate(mentions):
            c = chosen[i]
            if (c is not None and c.place.level in SETTLEMENTS and _names_ground(text, m)
                    and (via.get(i) is None or via[i].level == "country")):
                chosen[i] = None

        # Namesakes the text does not tell apart: the one near the document's other places, else
        # the place they share (their district or province), never one of them by chance.
        shared_notes: dict[int, str] = {}
        # a name whose own namesakes are still apart points nowhere yet (its pairs are looked at below)
        far_ties = [_far_ties(pool) for pool in pools]  # the pools no longer change: grouped once
        unsettled = {k for k, c in enumerate(chosen) if c is not None and k not in via and len(far_ties[k]) > 1}
        settlements = [[c.place for c in pool if c.place.level in SETTLEMENTS] for pool in pools]
        other_pools: dict[str, list[list[Place]]] = {}  # by name: the pools do not change in this loop
        for i, m in enumerate(mentions):
            # fewer than two groups of namesakes: nothing to choose, and the other places (quadratic) are not gathered
            if chosen[i] is not None and not m.region and i not in fuzzy and len(far_ties[i]) > 1:
                if m.text not in other_pools:
                    other_pools[m.text] = [settlements[k] for k in range(len(mentions))
                                           if mentions[k].text != m.text and not mentions[k].region]
                found = self._namesakes(m, chosen[i], pools[i], far_ties[i], [c.place for k, c in enumerate(chosen)
                                                                 if k != i and c is not None and mentions[k].text != m.text
                                                                 and k not in unsettled],
                                        via.get(i), other_pools[m.text])
                if found is not None:
                    chosen[i], note = found
                    if note:
                        shared_notes[i] = note

        out = []
        for i, m in enumerate(mentions):
            cands = tuple(scored[i][:5])
            best = chosen[i]
            if best is not None:
                prec = LEVEL_PRECISION[best.place.level]
                note = shared_notes.get(i)
                if m.level_hint in ("district", "province") and best.place.level in ("town", "village"):
                    prec = LEVEL_PRECISION[m.level_hint]
                    note = f"the {m.level_hint} is not in the gazetteer; placed at its namesake town"
                elif m.level_hint in ("town", "village") and LEVEL_RANK[best.place.level] >= LEVEL_RANK["district"]:
                    note = f"the {m.level_hint} is not in the gazetteer; placed at the {best.place.level} of that name"
                elif m.level_hint == "area" and prec == 1:
                    prec = 2
                    note = "an area at or around this place"
                elif _NEAR.search(text[max(0, m.start - 12):m.start]) and prec == 1:
                    prec = 2
                    note = "near this place"
                rule = "region phrase (data/regions.yaml)" if m.region else best.why
                out.append(Resolution(m, best.place, prec, best.score, rule, cands, note))
                continue
            fallback = self._fallback(mentions, chosen, containers, i)
            if fallback is not None:
                place, how = fallback
                prec = 2 if place.level in ("town", "village", "neighbourhood") else LEVEL_PRECISION[place.level]
                note = f"{m.text!r} is not in the gazetteer{'' if not cands else ' within ' + place.name}; placed at {place.name} ({how})"
                out.append(Resolution(m, place, prec, 0.5, f"fallback to containing place: {how}", cands, note))
        return out

    def _one_sense(self, mentions: list[Mention], chosen: list[Candidate | None], pools: list[list[Candidate]]) -> None:
        """One name, one place per article: where the text says which it means ("Bamyan city") and
        says it the same way each time, the bare name ("Bamyan") is that place too."""
        told: dict[str, set[str]] = {}
        for m, c in zip(mentions, chosen):
            if c is not None and m.level_hint and not m.region:
                told.setdefault(keys(split_level(m.text)[0])[1], set()).add(c.place.id)
        for i, m in enumerate(mentions):
            ids = told.get(keys(split_level(m.text)[0])[1]) if not m.level_hint and not m.region else None
            if not ids or len(ids) != 1 or chosen[i] is None or chosen[i].place.id in ids:
                continue
            same = [c for c in pools[i] if c.place.id in ids]
            if same:
                chosen[i] = replace(same[0], why=same[0].why + "; the place the article names this way elsewhere")
                pools[i] = same

    def _sentence_context(self, mentions, scored, chosen, doc_countries, doc_admin1) -> None:
        """A name with namesakes takes the one in the country of, or near, the places it is listed
        with: "Saravan, Khash, Iranshahr" is the Iranian Khash."""
        by_sentence: dict[int, list[int]] = {}
        for i, m in enumerate(mentions):
            by_sentence.setdefault(m.sentence_start, []).append(i)
        for i, m in enumerate(mentions):
            cands = scored[i]
            if len({(c.place.country, c.place.admin1) for c in cands}) < 2 or m.region:
                continue
            # the other places of the sentence, as far as their own candidates agree: on the country
            # ("Saravan" may be a district or a town, both Iranian), on the spot (within 50 km)
            settled = [(k, [c for c in scored[k] if scored[k][0].score - c.score < 0.5])
                       for k in by_sentence[m.sentence_start] if k != i and chosen[k] is not None and scored[k]]
            countries = {chosen[k].place.country for k, close in settled
                         if all(c.place.country == chosen[k].place.country for c in close)}
            near = [chosen[k].place for k, close in settled if chosen[k].place.level != "country"
                    and chosen[k].place.lat is not None and all(
                        c.place.lat is not None and distance_km(c.place.lat, c.place.lon, chosen[k].place.lat,
                                                                chosen[k].place.lon) <= 50 for c in close)]
            if not countries and not near:
                continue
            rescored = []
            for c in cands:
                bonus, why = 0.0, []
                if c.place.country in countries:
                    bonus += SENTENCE_COUNTRY_BONUS
                    why.append(f"sentence names {c.place.country}")
                if c.place.lat is not None and any(
                        distance_km(c.place.lat, c.place.lon, p.lat, p.lon) <= SENTENCE_NEAR_KM for p in near):
                    bonus += SENTENCE_NEAR_BONUS
                    why.append("near the places named with it")
                rescored.append(Candidate(c.place, round(c.score + bonus, 3), "; ".join([c.why, *why])) if bonus else c)
            rescored.sort(key=lambda c: (-c.score, c.place.id))
            scored[i] = rescored
            chosen[i] = rescored[0] if self._plausible(m, rescored[0], doc_countries, doc_admin1) else None

    def _namesakes(self, m: Mention, best: Candidate, pool: list[Candidate], groups: list[list[Candidate]],
                   others: list[Place],
                   container: Place | None = None, other_pools: list[list[Place]] = ()) -> tuple[Candidate, str | None] | None:
        """Among settlements of equal score (records within NAMESAKE_CLUSTER_KM of one another being
        one place), the one the container the text names holds, else the one near the document's
        other places, else the one near a namesake of another place of the text, else the one other
        records nearby are named after, else their common district, province or country with a note.
        None when there is nothing to choose."""
        if best.place.level not in SETTLEMENTS:
            return None
        top = max(c.score for c in pool)
        ties = [c for g in groups for c in g]
        if len(groups) < 2 or best.place.id not in {c.place.id for c in ties}:
            return None
        bonus = 0.6 if best.score > top + 0.3 else 0.0  # the container's bonus, when it chose
        if container is not None and container.level != "country":
            # all lie within the container the text names: the one nearest its point
            pick = min(ties, key=lambda c: (distance_km(c.place.lat, c.place.lon, container.lat, container.lon), c.place.id))
            return Candidate(pick.place, round(pick.score + bonus, 3),
                             pick.why + f"; of {len(ties)} namesakes within {container.name}, the nearest to it"), None
        near = [g for g in groups if any(distance_km(c.place.lat, c.place.lon, o.lat, o.lon) <= NAMESAKE_DOC_KM
                                         for c in g for o in others if o.level not in ("country", "province", "region"))]
        if near:
            # the namesake nearest the document's other places ("Khairkhana" in an article about Kabul)
            pick = min((c for g in near for c in g), key=lambda c: (min(
                distance_km(c.place.lat, c.place.lon, o.lat, o.lon) for o in others
                if o.level not in ("country", "province", "region")), c.place.id))
            return Candidate(pick.place, round(pick.score + bonus + 0.2, 3),
                             pick.why + f"; of {len(ties)} namesakes, the one near the document's other places"), None
        # "Ladha and Makeen": of the namesakes of two names, the only pair that lies together
        paired = [g for g in groups if any(distance_km(c.place.lat, c.place.lon, o.lat, o.lon) <= NAMESAKE_PAIR_KM
                                           for c in g for pool_k in other_pools for o in pool_k)]
        if len(paired) == 1:
            near_other = lambda c: min(distance_km(c.place.lat, c.place.lon, o.lat, o.lon)  # noqa: E731
                                       for pool_k in other_pools for o in pool_k)
            pick = min(paired[0], key=lambda c: (near_other(c), c.place.id))
            return Candidate(pick.place, round(pick.score + bonus + 0.2, 3),
                             pick.why + f"; of {len(ties)} namesakes, the only one near a namesake of another place "
                                        f"named with it"), None
        # a place other records are named after ("Mir Ali Cantonment"; records whose other name it is)
        # is the known one; more records of the name itself in one spot is no evidence (on UCDP's
        # events such a choice was right for 29 rows of 100)
        tie_ids = {c.place.id for c in ties}
        # named after it: the record's own name holds the name ("Mir Ali Cantonment"), not merely
        # an alternate spelling of another village's name (one of 17 Baras has such a neighbour by chance)
        own = keys(split_level(m.text)[0])[1]
        kin = [c for c in pool if c.place.level in SETTLEMENTS and c.place.id not in tie_ids
               and top - c.score <= 2 * NAMESAKE_MARGIN and _named_after(c.place.name, own)]
        support = [sum(any(distance_km(k.place.lat, k.place.lon, c.place.lat, c.place.lon) <= NAMESAKE_CLUSTER_KM
                           for c in g) for k in kin) for g in groups]
        if sum(x > 0 for x in support) == 1:
            group = groups[next(n for n, x in enumerate(support) if x)]
            pick = max(group, key=lambda c: (c.score, c.place.id))
            return Candidate(pick.place, round(pick.score + bonus, 3),
                             pick.why + f"; of {len(ties)} namesakes, the one that other records near it "
                                        f"are named after"), None
        unit = self._common_unit([c.place for c in ties])
        if unit is None:
            return None
        where = ", ".join(f"{c.place.admin2 or c.place.admin1 or c.place.country}" for c in ties[:4])
        return (Candidate(unit, round(top + bonus, 3),
                          f"{len(ties)} places named {m.text!r} far apart ({where}) and nothing in the text to choose: "
                          f"their common {unit.level}"),
                f"{len(ties)} places of this name far apart; placed at the {unit.level} they share")

    def _common_unit(self, places: list[Place]) -> Place | None:
        """The smallest district, province or country all ``places`` lie in."""
        for level, attr in (("district", "admin2"), ("province", "admin1"), ("country", "country")):
            values = {getattr(p, attr) for p in places}
            countries = {p.country for p in places}
            if len(values) != 1 or None in values or len(countries) != 1:
                continue
            (value,), (country,) = values, countries
            if level == "country":
                found = [p for p in [self.gaz.country_place(country)] if p is not None]
            else:
                found = [x.place for x in self.gaz.match(value) if x.place.level == level and x.place.country == country]
            found = [p for p in found if all(self.gaz.contains(p, q) for q in places)] or found
            if found:
                return min(found, key=lambda p: (not p.has_polygon, p.id))
        return None

    def _hold(self, text, mentions, i, j, scored, chosen, pools, via, doc_countries, doc_admin1) -> bool:
        """Mention ``i`` lies within the place mention ``j`` resolved to ("X village of the Y district",
        "X, Y", "Y's X"): its candidates inside Y, else a near-miss spelling inside Y, else none (a
        namesake elsewhere is not meant). False when Y says nothing of X (unresolved, or a list:
        "Iran, Central Asia, Afghanistan and Pakistan", "Saravan, Khash, Iranshahr")."""
        if j is None or chosen[j] is None:
            return False
        m, cands = mentions[i], scored[i]
        outer = chosen[j].place
        # "Qambar area of Mingora Tehsil": the text's own level word says how big the container is
        outer_rank = max(LEVEL_RANK[outer.level], LEVEL_RANK.get(mentions[j].level_hint or "", 0))
        if all(LEVEL_RANK[c.place.level] >= outer_rank for c in cands):
            return False  # "Iran, Central Asia, Afghanistan and Pakistan" is a list, not a nesting
        within = lambda o, p: self._inside(o, outer_rank, p) or self.cell and self._near_town(o, p)  # noqa: E731
        groups = _far_ties(pools[j]) if j not in via and not mentions[j].region else []
        if len(groups) > 1 and chosen[j].place.id in {o.place.id for g in groups for o in g}:
            # the container's namesakes are far apart ("Gulagai area of Matta Tehsil" with Mattas in
            # Swat and Batagram): the one that holds a place of X's name is meant, and X is that place
            holding = [(g, [c for c in cands if any(within(o.place, c.place) for o in g)]) for g in groups]
            holding = [(g, ins) for g, ins in holding if ins]
            if len(holding) > 1:
                # several do: nothing chooses between them here (the namesake rules decide later)
                return True
            if holding:
                g, ins = holding[0]
                pick = min(g, key=lambda o: (min(distance_km(o.place.lat, o.place.lon, c.place.lat, c.place.lon)
                                                 for c in ins), o.place.id))
                n = sum(len(x) for x in groups)
                chosen[j] = Candidate(pick.place, round(pick.score + 0.2, 3),
                                      pick.why + f"; of {n} namesakes, the one that holds {m.text!r}")
                pools[j] = g
                outer = pick.place
        inside = [c for c in cands if within(outer, c.place)]
        if inside:
            pools[i] = inside
            via[i] = outer
            best = max(inside, key=lambda c: (c.score, c.place.id))
            chosen[i] = Candidate(best.place, round(best.score + 0.6, 3),
                                  best.why + f"; within {outer.name} (named in the sentence)")
            return True
        # "Saravan, Khash, Iranshahr": after a bare comma the next name may be the next of a list,
        # unless the name's own level word says it is the smaller ("Jawarah village, Poonch district");
        # in a cell ("Civil Colony, Miranshah") it is always the container
        if (self.cell and outer.level != "country" or _SMALL_WORD.search(m.text)
                or not re.fullmatch(r"\s*,\s*", text[m.end:mentions[j].start])):
            # a namesake elsewhere is worse than the container the text gives; a near-miss
            # spelling inside it is better ("Batkhak village near Kabul City": Butkhak)
            near_miss = [c for c in self._fuzzy(m, doc_countries, doc_admin1)
                         if self._inside(outer, outer_rank, c.place)]
            best = max(near_miss, key=lambda c: (c.score, c.place.id)) if near_miss else None
            chosen[i] = None if best is None else Candidate(
                best.place, round(best.score + 0.6, 3), best.why + f"; within {outer.name} (named in the sentence)")
            return True
        return False

    @staticmethod
    def _final_container(text, mentions, chosen, containers) -> int | None:
        """The last mention of a cell that holds the one before it and is a district or province
        (by its place or its level word): "Dabori, Mamozai and Ghaljo, Orakzai agency"."""
        for k in range(len(mentions) - 1, 0, -1):
            c = chosen[k]
            # it holds the name before it, or follows a comma ("..., Khadezai and Ghaljo, Orakzai agency")
            holds = containers[k - 1] == k or bool(_AFTER_COMMA.search(text[mentions[k - 1].end:mentions[k].start]))
            if holds and c is not None and not mentions[k].region and c.place.level != "country":
                rank = max(LEVEL_RANK[c.place.level], LEVEL_RANK.get(mentions[k].level_hint or "", 0))
                return k if LEVEL_RANK["district"] <= rank <= LEVEL_RANK["province"] else None
        return None

    @staticmethod
    def _near_town(outer: Place, place: Place) -> bool:
        """A settlement named as the container of a cell ("Civil Colony, Miranshah") holds the places
        within CELL_TOWN_KM of it."""
        return (outer.level in SETTLEMENTS and outer.lat is not None and place.lat is not None
                and distance_km(outer.lat, outer.lon, place.lat, place.lon) <= CELL_TOWN_KM)

    def _inside(self, outer: Place, outer_rank: int, place: Place) -> bool:
        if self.gaz.contains(outer, place):
            return True
        # a district known only by its namesake town: "inside" means near that town
        return (LEVEL_RANK[outer.level] < outer_rank and outer.lat is not None and place.lat is not None
                and distance_km(outer.lat, outer.lon, place.lat, place.lon) <= DISTRICT_RADIUS_KM)

    def _container(self, text: str, mentions: list[Mention], i: int) -> int | None:
        m = mentions[i]
        j = i + 1
        if j < len(mentions) and mentions[j].sentence_start == m.sentence_start:
            between = text[m.end:mentions[j].start]
            # "Safi tehsils Mohmand Agency": after the name's own level word a space is enough too
            own_word = m.level_hint is not None and m.level_hint != "area" and _SMALL_WORD.search(m.text) is None
            if (len(between) < 40 and (_WITHIN.match(between) or own_word and re.fullmatch(r"[ \t]+", between))
                    and not mentions[j].region):
                return j
        # "Khyber Pakhtunkhwa's Bajaur district"
        k = i - 1
        if k >= 0 and mentions[k].sentence_start == m.sentence_start:
            between = text[mentions[k].end:m.start]
            if re.fullmatch(r"\s*['’]s?\s*", between):
                return k
        return None

    def _fallback(self, mentions, chosen, containers, i) -> tuple[Place, str] | None:
        m = mentions[i]
        j = containers[i]
        # follow the chain of containers to the first one that resolved ("X village of Y valley of Z district")
        hops = 0
        while j is not None and hops < 4:
            if chosen[j] is not None:
                return chosen[j].place, f"named as its container in the sentence: {mentions[j].text!r}"
            j = containers[j]
            hops += 1
        if m.known or m.level_hint not in ("village", "area", "town"):
            return None
        # "the villages of Moghul and Sar Dara" after "In the Darzab district ...": the nearest
        # district or smaller place named just before, in this or the previous sentence.
        for k in range(i - 1, -1, -1):
            prev = mentions[k]
            if m.sentence_start - prev.sentence_end > 400:
                break
            if chosen[k] is not None and chosen[k].place.level in ("district", "town", "village"):
                return chosen[k].place, f"nearest smaller place named before: {prev.text!r}"
        return None


#: Level words that make a mention an area ("the Takhar provinces", "Kunar valley").
_AREA_HINTS = ("province", "district", "region", "area")


def within_article_countries(resolutions: list[Resolution], gaz: Gazetteer) -> list[Resolution]:
    """An area the gazetteer does not have ("the Takhar provinces" without the pack), which the
    resolver stood in for by a namesake town, never lands outside the countries the article is
    about: it falls back to the country the article names most, or is left off the map when the
    article names no other place."""
    out = []
    for i, r in enumerate(resolutions):
        m = r.mention
        if not (m.level_hint in _AREA_HINTS and r.place.level in ("town", "village", "neighbourhood")):
            out.append(r)  # no stand-in: the other places need not be counted (that is quadratic)
            continue
        others = Counter(o.place.country for k, o in enumerate(resolutions) if k != i and o.place.country)
        if r.place.country in others:
            out.append(r)
            continue
        country = next((p for cc, _ in others.most_common(1)
                        for p in [gaz.get(pid) for pid in gaz.places(level="country", country=cc)["place_id"]]), None)
        if country is not None:
            out.append(replace(r, place=country, precision=LEVEL_PRECISION["country"], score=0.5,
                               rule=f"fallback to the article's country: {r.place.name} ({r.place.country}) is a "
                                    "namesake outside the countries the article names",
                               note=f"{m.text!r} is not in the gazetteer; placed at {country.name}, the country "
                                    "the article names most"))
    return out


def _far_ties(pool: list[Candidate]) -> list[list[Candidate]]:
    """The settlements of the best score (within NAMESAKE_MARGIN), in groups of records of one place."""
    if not pool:
        return []
    top = max(c.score for c in pool)
    return _clusters([c for c in pool if c.place.level in SETTLEMENTS and top - c.score <= NAMESAKE_MARGIN],
                     NAMESAKE_CLUSTER_KM)


def _named_after(name: str, key: str) -> bool:
    """``name`` is a longer name that holds the name of loose key ``key`` ("Mir Ali Cantonment")."""
    words = keys(name)[0].split()
    return any(loose_key(" ".join(words[i:j])) == key for i in range(len(words))
               for j in range(i + 1, len(words) + 1) if j - i < len(words))


def _names_ground(text: str, m: Mention) -> bool:
    """The mention is a valley or the like: its last word, or the word after it, is a ground word."""
    words = m.text.lower().split()
    after = re.match(r"\s+([A-Za-z]+)", text[m.end:m.end + 20])
    return bool(words and words[-1] in GROUND_WORDS or after and after.group(1).lower() in GROUND_WORDS)


def _clusters(cands: list[Candidate], km: float) -> list[list[Candidate]]:
    """Single-linkage groups of candidates within ``km`` of one another."""
    groups: list[list[Candidate]] = []
    # two places are at least their difference in latitude apart: most pairs need no great circle
    dlat = math.degrees(km / EARTH_RADIUS)
    for c in cands:
        joined = [g for g in groups if any(abs(c.place.lat - o.place.lat) <= dlat
                                           and distance_km(c.place.lat, c.place.lon, o.place.lat, o.place.lon) <= km
                                           for o in g)]
        merged = [c] + [x for g in joined for x in g]
        groups = [g for g in groups if g not in joined] + [merged]
    return groups
