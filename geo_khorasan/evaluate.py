"""Score a build against hand-coded expected results (``tests/fixtures/seeds_expected.yaml``).

The expected file codes, per document, every place name the article writes (with the place
meant and how far a point may lie from it), the strings that must not be mapped, every
incident (place, date, fatalities) and every region claim. The scores are what an analyst
checking the map would count: how many of the places are on it, how many of its points are
places at all, how many sit where they should, and whether incidents carry the right date
and toll.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .gazetteer.build import distance_km


@dataclass
class Score:
    found: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 1.0

    def add(self, ok: bool, label: str) -> None:
        self.total += 1
        self.found += bool(ok)
        if not ok:
            self.misses.append(label)

    def __str__(self) -> str:
        return f"{self.share:.3f} ({self.found}/{self.total})"


@dataclass
class SeedScores:
    mention_recall: Score
    mention_precision: Score
    resolution: Score
    roles: Score
    incident_recall: Score
    incident_precision: Score
    incident_date: Score
    incident_fatalities: Score
    region_recall: Score
    region_status: Score

    def lines(self) -> list[str]:
        names = {"mention_recall": "place names found (recall)", "mention_precision": "mapped names that are places (precision)",
                 "resolution": "mapped where they should be", "roles": "roles found",
                 "incident_recall": "incidents found (recall)", "incident_precision": "incidents that are real (precision)",
                 "incident_date": "incident dates right", "incident_fatalities": "incident fatalities right",
                 "region_recall": "region claims shaded (presence aside)",
                 "region_status": "region statuses right"}
        return [f"{label:42s} {getattr(self, key)}" for key, label in names.items()]


def _near(point, want: dict) -> bool:
    if point is None or want.get("lat") is None:
        return False
    return distance_km(point[1], point[0], want["lat"], want["lon"]) <= want.get("tolerance_km", 25)


def _point(feature: dict):
    geom = feature.get("geometry")
    if not geom:
        return None
    if geom["type"] == "Point":
        return geom["coordinates"]
    from shapely.geometry import shape

    pt = shape(geom).representative_point()
    return (pt.x, pt.y)


def _assign(props: dict, coded: list[dict]) -> int | None:
    """Index of the coded string whose occurrence in the sentence overlaps the mapped words most
    (on a tie, the longer string), or None."""
    sentence, s0 = props["sentence"], props["sentence_start"]
    start, end = props["start"], props["end"]
    best, key = None, (0, 0)
    for i, c in enumerate(coded):
        text = c["text"]
        at = sentence.find(text)
        while at >= 0:
            overlap = min(end, s0 + at + len(text)) - max(start, s0 + at)
            if overlap > 0 and (overlap, len(text)) > key:
                best, key = i, (overlap, len(text))
            at = sentence.find(text, at + 1)
    return best


def score(expected_path: Path, mentions: dict, incidents: dict, regions: dict) -> SeedScores:
    spec = yaml.safe_load(Path(expected_path).read_text("utf-8"))["documents"]
    s = SeedScores(*(Score() for _ in range(10)))
    by_doc: dict[str, list[dict]] = {}
    for f in mentions["features"]:
        by_doc.setdefault(f["properties"]["doc"], []).append(f)

    for doc, want in spec.items():
        places = want.get("places") or []
        wrong = [{"text": w} for w in want.get("not_places") or []]
        assigned: dict[int, list[dict]] = {}
        for f in by_doc.get(doc, []):
            # each point is the coded form whose words it covers; a point inside a longer coded
            # string ("Pakistan" in "Pakistan Today") is that string
            p = f["properties"]
            best = _assign(p, places + wrong)
            if best is None or best >= len(places):
                s.mention_precision.add(False, f"{doc}: {p['text']!r} mapped "
                                        + ("but is " + repr(wrong[best - len(places)]["text"]) if best is not None
                                           else "but is no place the article names"))
                continue
            s.mention_precision.add(True, "")
            assigned.setdefault(best, []).append(f)
        for i, p in enumerate(places):
            hits = assigned.get(i, [])
            s.mention_recall.add(bool(hits), f"{doc}: {p['text']!r} not mapped")
            for f in hits:
                s.resolution.add(_near(_point(f), p), f"{doc}: {p['text']!r} -> {f['properties']['place_name']} "
                                                     f"(want {p.get('place')})")
            if hits:
                got_roles = {f["properties"]["role"] for f in hits}
                for role in p.get("roles") or []:
                    s.roles.add(role in got_roles, f"{doc}: {p['text']!r} never {role}")

    produced = incidents["features"]
    matched: set[int] = set()
    for doc, want in spec.items():
        for inc in want.get("incidents") or []:
            cands = [(i, f) for i, f in enumerate(produced)
                     if any(src["doc"] == doc for src in f["properties"]["sources"]) and _near(_point(f), inc)
                     and (not inc.get("quote") or any(inc["quote"] in src["sentence"] or src["sentence"] in inc["quote"]
                                                      for src in f["properties"]["sources"]))]
            label = f"{doc}: incident at {inc['place_text']!r} ({inc.get('date')})"
            s.incident_recall.add(bool(cands), label + " not found")
            if not cands:
                continue
            i, f = cands[0]
            matched.add(i)
            p = f["properties"]
            s.incident_date.add(p.get("date") == _iso(inc.get("date")), f"{label}: date {p.get('date')}")
            s.incident_fatalities.add(p.get("fatalities") == inc.get("fatalities"),
                                      f"{label}: fatalities {p.get('fatalities')} (want {inc.get('fatalities')})")
    seed_docs = set(spec)
    for i, f in enumerate(produced):
        if any(src["doc"] in seed_docs for src in f["properties"]["sources"]):
            p = f["properties"]
            s.incident_precision.add(i in matched, f"{p['id']}: {p['type']} at {p['place_name']} ({p.get('date')}) "
                                                   f"is no incident coded by hand")

    for doc, want in spec.items():
        for reg in want.get("regions") or []:
            if reg["status"] == "presence":
                continue  # a mere presence is a mention with role "contested" (scored in roles), not a shaded area
            cands = [f for f in regions["features"] if _near(_point(f), reg)
                     and any(c["doc"] == doc for c in f["properties"]["claims"])]
            label = f"{doc}: {reg['status']} at {reg['place_text']!r}"
            s.region_recall.add(bool(cands), label + " not shaded")
            if cands:
                statuses = {c["status"] for f in cands for c in f["properties"]["claims"] if c["doc"] == doc}
                s.region_status.add(reg["status"] in statuses, f"{label}: claimed as {sorted(statuses)}")
    return s


def _iso(value) -> str | None:
    # YAML reads 2018-07-13 as a date
    return None if value is None else str(value)
