"""A geopy-compatible geocoder over the local gazetteer index.

``LocalGeocoder().geocode("Torghandi, Bajaur agency")`` reads the query the way the
pipeline reads a sentence, so that "X, Y" and "X area of Y" fall back to the smallest
place the text and the data support, with a precision that says so.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .corpus import split_sentences
from .gazetteer.index import Gazetteer
from .recognise import Recogniser
from .records import Document, DocumentMeta, Mention, Place
from .resolve import Resolver
from .vocabulary import LEVEL_PRECISION

log = logging.getLogger(__name__)

_REFERENCE = re.compile(r"(?:\d[\d,.]*\s*(?:km|kms|kilomet(?:re|er)s?|miles?|mi)\b[^.;]{0,40}?"
                        r"\b(?:of|from)|\bcapital,?)\s+(?:the\s+)?(?:[a-z]+\s+){0,2}(?:of\s+)?$", re.I)


@dataclass(frozen=True)
class GeocodeResult:
    place: Place
    score: float
    precision: int
    rule: str
    note: str | None = None

    def as_dict(self) -> dict:
        p = self.place
        return {"place_name": p.name, "place_id": p.id, "level": p.level, "country": p.country, "admin1": p.admin1,
                "admin2": p.admin2, "latitude": p.lat, "longitude": p.lon, "precision": self.precision,
                "score": self.score, "rule": self.rule, "note": self.note}


class LocalGeocoder(Geocoder):
    """Offline geocoder: ``geocode`` and ``reverse`` return :class:`geopy.location.Location`."""

    def __init__(self, gazetteer: Gazetteer | None = None, country: str | None = None, online=None, **kwargs):
        """``gazetteer``: default the one the command line uses (``Gazetteer.open()``, see
        :mod:`geo_khorasan.config`). ``online``: an :class:`geo_khorasan.online.OnlineGazetteer`
        asked, with the place name only, when the local index cannot place a name (opt-in)."""
        super().__init__(**kwargs)
        self.gaz = gazetteer or Gazetteer.open()
        self.country = country
        self.online = online
        self._recogniser = Recogniser(self.gaz)
        self._resolver = Resolver(self.gaz)

    def candidates(self, query: str, country: str | None = None, limit: int = 5) -> list[GeocodeResult]:
        """The best place first, then the runners-up."""
        country = country or self.country
        text = query.strip()
        if country:
            # the country, written after the query, decides between namesakes as in an article
            import pycountry

            c = pycountry.countries.get(alpha_2=country.upper())
            text = f"{text}, {getattr(c, 'common_name', None) or c.name}" if c else text
        doc = Document(id="query", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
        mentions = self._recogniser.mentions(doc)
        if not any(m.start < len(query.strip()) for m in mentions):
            mentions = [Mention("query", 0, len(query.strip()), query.strip(), 0, len(text))] + mentions
        resolved = [r for r in self._resolver.resolve_document(doc, mentions) if r.mention.start < len(query.strip())]
        if country:
            # the appended country only decides between namesakes: a name it cannot place stays unresolved
            resolved = [r for r in resolved if (r.place.country == country.upper() or r.place.level == "region")
                        and not (r.place.level == "country" and r.rule.startswith("fallback"))]
        # "Jandola, 60 km east of Wana": a place given as a reference point is a last resort
        located = [r for r in resolved if not _REFERENCE.search(text[max(0, r.mention.start - 60):r.mention.start])]
        # the smallest place wins; between equals, the one the text names first ("Swat and Shangla")
        best = min(located or resolved, key=lambda r: (r.precision, r.mention.start, -r.score)) if resolved else None
        if self.online is not None:
            name = _unplaced_name(query.strip(), mentions, best)
            found = self._ask_online(name, best, country) if name else []
            if found:
                return found
        if best is None:
            return []
        out = [GeocodeResult(best.place, best.score, best.precision, best.rule, best.note)]
        for c in best.candidates:
            if c.place.id != best.place.id and (not country or c.place.country == country.upper()):
                out.append(GeocodeResult(c.place, c.score, _precision(c.place), c.why))
        return out[:limit]

    def _ask_online(self, name: str, local, country: str | None) -> list[GeocodeResult]:
        """The name the index lacks, and only that name, asked of the online service."""
        container = local.place if local is not None else None
        from .online import OnlineError

        try:
            found = self.online.lookup(name, country=country)
        except OnlineError as exc:
            log.warning("online look-up failed, local answer kept: %s", exc)
            return []
        out = []
        for place in found:
            if country and place.country and place.country != country.upper():
                continue
            if container is not None and not self.gaz.contains(container, place):
                continue  # a namesake outside the area the text gives
            rule = f"online: {self.online.service} ({self.online.licence})"
            note = f"{name!r} is not in the local gazetteer; found by {self.online.service}"
            out.append(GeocodeResult(place, 0.5, LEVEL_PRECISION[place.level], rule, note))
        if out and local is not None:
            out.append(GeocodeResult(local.place, local.score, local.precision, local.rule, local.note))
        return out

    def geocode(self, query: str, *, exactly_one: bool = True, country: str | None = None, **_):
        results = self.candidates(query, country=country)
        locs = [_location(r) for r in results]
        if not locs:
            return None
        return locs[0] if exactly_one else locs

    def reverse(self, query, *, exactly_one: bool = True, **_):
        """The gazetteer areas containing the point, smallest first."""
        pt = Point(query)
        found = self.gaz.areas_containing(pt.latitude, pt.longitude)
        if not found:
            return None
        locs = [Location(p.name, (p.lat, p.lon), {"place_id": p.id, "level": p.level, "country": p.country}) for p in found]
        return locs[0] if exactly_one else locs


_TRAILING = re.compile(r"(?:[\s,;:(\-]+(?:of|in|near|the|and|a|an|" + "|".join(
    sorted({"area", "areas", "village", "villages", "town", "city", "district", "tehsil", "agency", "valley", "bazaar",
            "sector", "locality", "region", "province"})) + r"))+[\s,;:(\-]*$|[\s,;:(\-]+$", re.I)


def _unplaced_name(query: str, mentions, best) -> str | None:
    """The name the local answer leaves unplaced: the words before the place it found
    ("Dabori" in "Dabori, Orakzai district"), or the name it could only place by its container."""
    if best is None:
        text = query
    elif best.rule.startswith("fallback"):
        text = best.mention.text
    else:
        text = query[:best.mention.start]
    name = _TRAILING.sub("", " " + text).strip()
    return name if name[:1].isalpha() and name[:1].isupper() or best is None and name else None


def _precision(place: Place) -> int:
    return LEVEL_PRECISION[place.level]


def _location(r: GeocodeResult) -> Location:
    p = r.place
    address = ", ".join(x for x in (p.name, p.admin2 if p.admin2 != p.name else None, p.admin1, p.country) if x)
    return Location(address, (p.lat, p.lon), r.as_dict())
