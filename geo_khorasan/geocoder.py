"""A geopy-compatible geocoder over the local gazetteer index.

``LocalGeocoder().geocode("Torghandi, Bajaur agency")`` reads the query the way the
pipeline reads a sentence, so that "X, Y" and "X area of Y" fall back to the smallest
place the text and the data support, with a precision that says so.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import cache

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .corpus import split_sentences
from .gazetteer.index import Gazetteer
from .recognise import Recogniser
from .records import Document, DocumentMeta, Mention, Place
from .gazetteer.build import distance_km
from .resolve import NAMESAKE_DOC_KM, Resolver
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
        """``gazetteer``: the index to use; by default the one the command line uses (the folder of
        ``$GEO_KHORASAN_GAZETTEER``, else ``[tool.geo_khorasan] gazetteer`` of ./pyproject.toml, else
        the data installed by ``geo-khorasan data install``). ``online``: an
        :class:`geo_khorasan.online.OnlineGazetteer` asked, with the place name only, when the local
        index cannot place a name (opt-in)."""
        super().__init__(**kwargs)
        self.gaz = gazetteer or Gazetteer.open()  # found as the command line finds it (geo_khorasan.config)
        self.country = country
        self.online = online
        self._recogniser = Recogniser(self.gaz)
        self._resolver = Resolver(self.gaz, cell=True)  # a query describes a place: "X, Y" nests

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
        contained: set[int] = set()
        whole_cell = not any(m.start < len(query.strip()) for m in mentions)  # nothing recognised in the cell
        if whole_cell:
            mentions = [Mention("query", 0, len(query.strip()), query.strip(), 0, len(text))] + mentions
        resolved = self._resolved(doc, mentions, len(query.strip()), country)
        if not resolved and whole_cell:
            # a cell is a place description, not prose: a known name inside a longer one the
            # gazetteer lacks ("Kulachi Police Station", "Para Chamkani") places it, which in an
            # article would be an outlet's or a team's name
            inner = _contained_names(self.gaz, query.strip(), len(text))
            if inner:
                contained = {m.start for m in inner}
                mentions = inner + mentions[1:]
                # only a sizeable place: a village named like one word of a longer name is most
                # often a namesake ("Karam" of "Kani Karam"), and the part of a town is near the town
                resolved = [r if r.place.level != "town" or r.precision != 1 else replace(r, precision=2)
                            for r in self._resolved(doc, mentions, len(query.strip()), country)
                            if r.mention.start not in contained or _sizeable(r)]
        # "Jandola, 60 km east of Wana": a place given as a reference point is a last resort
        located = [r for r in resolved if not _REFERENCE.search(text[max(0, r.mention.start - 60):r.mention.start])]
        # the smallest place wins; between equals, the one the cell's other places lie near (a cell
        # describes one spot: "Totai, Langar Khel, Gutsurai and Kund Mela"), then the one the text
        # names first ("Swat and Shangla")
        pool = located or resolved
        near = {id(r): sum(o.place.id != r.place.id and _near(o.place, r.place) for o in pool) for r in pool}
        best = min(pool, key=lambda r: (r.precision, -near[id(r)], r.mention.start, -r.score)) if resolved else None
        if self.online is not None:
            name = _unplaced_name(query.strip(), mentions, best)
            found = self._ask_online(name, best, country) if name else []
            if found:
                return found
        if best is None:
            return []
        note = best.note
        if best.mention.start in contained:
            note = f"placed by the name {best.mention.text!r} inside {query.strip()!r}"
        out = [GeocodeResult(best.place, best.score, best.precision, best.rule, note)]
        for c in best.candidates:
            if c.place.id != best.place.id and (not country or c.place.country == country.upper()):
                out.append(GeocodeResult(c.place, c.score, _precision(c.place), c.why))
        return out[:limit]

    def _resolved(self, doc: Document, mentions: list[Mention], query_end: int, country: str | None) -> list:
        """The resolutions of the mentions within the query (not of the country appended to it)."""
        resolved = [r for r in self._resolver.resolve_document(doc, mentions) if r.mention.start < query_end]
        if country:
            # the appended country only decides between namesakes: a name it cannot place stays unresolved
            # nor does the country stand for a name it cannot place (a fallback, far-apart namesakes)
            resolved = [r for r in resolved if (r.place.country == country.upper() or r.place.level == "region")
                        and not (r.place.level == "country" and all(c.place.id != r.place.id for c in r.candidates))]
        return resolved

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

    def geocode(self, query: str, *, exactly_one: bool = True, timeout=None, country_codes=None,
                country: str | None = None):
        """geopy's ``geocode``: ``country_codes`` (a code or a list, as geopy's Nominatim takes) restricts
        to those countries; ``timeout`` is accepted and ignored (nothing goes over the network unless
        ``online`` was given). Other keywords raise TypeError, as a typo should."""
        codes = [country] if country else _codes(country_codes)
        if len(codes) <= 1:
            results = self.candidates(query, country=codes[0] if codes else None)
        else:
            found = [rs for rs in (self.candidates(query, country=c) for c in codes) if rs]
            results = min(found, key=lambda rs: (rs[0].precision, -rs[0].score)) if found else []
        locs = [_location(r) for r in results]
        if not locs:
            return None
        return locs[0] if exactly_one else locs

    def reverse(self, query, *, exactly_one: bool = True, timeout=None, max_km: float = 50):
        """geopy's ``reverse``: the nearest town (a village when much nearer) within ``max_km``, its address naming
        the district and province it lies in; then the areas containing the point, smallest first."""
        pt = Point(query)
        town = self.gaz.nearest(pt.latitude, pt.longitude, levels=("town",), max_km=max_km)
        village = self.gaz.nearest(pt.latitude, pt.longitude, levels=("village", "neighbourhood"), max_km=max_km)
        # a town names the point, as geopy's services do, unless a village is much nearer
        near = village if village and (town is None or village[1] < town[1] / 4) else town
        areas = self.gaz.areas_containing(pt.latitude, pt.longitude)
        locs = []
        if near is not None:
            place, km = near
            r = GeocodeResult(place, 1.0, _precision(place), f"nearest {place.level}, {km:.1f} km away")
            locs.append(_location(r))
        locs += [Location(p.name, (p.lat, p.lon), {"place_id": p.id, "level": p.level, "country": p.country}) for p in areas]
        if not locs:
            return None
        return locs[0] if exactly_one else locs


def _codes(country_codes) -> list[str]:
    if not country_codes:
        return []
    if isinstance(country_codes, str):
        country_codes = [country_codes]
    return [c.upper() for c in country_codes]


#: Columns the batch command adds to each row.
GEOCODE_COLUMNS = ("latitude", "longitude", "place_name", "place_id", "level", "country", "precision", "score",
                   "rule", "note")


def geocode_row(coder: LocalGeocoder, text: str, country: str | None) -> dict:
    """The batch columns for one cell; unresolved cells get the reason in ``note``."""
    extra = dict.fromkeys(GEOCODE_COLUMNS, "")
    text = (text or "").strip()
    if not text:
        extra["note"] = "unresolved: empty cell"
        return extra
    memo = coder.__dict__.setdefault("_row_memo", {})  # analysts' tables repeat their places

    def candidates(country: str | None) -> list[GeocodeResult]:
        if (text, country) not in memo:
            memo[(text, country)] = coder.candidates(text, country=country)
        return memo[(text, country)]

    res = candidates(country)
    if res:
        r = res[0]
        extra.update(latitude=round(r.place.lat, 5), longitude=round(r.place.lon, 5), place_name=r.place.name,
                     place_id=r.place.id, level=r.place.level, country=r.place.country or "", precision=r.precision,
                     score=round(r.score, 3), rule=r.rule, note=r.note or "")
    elif country and (anywhere := candidates(None)):  # why not: asked once per cell too
        inside = anywhere[0].place.country == country.upper()
        extra["note"] = (f"unresolved: places of this name far apart in {country.upper()} and nothing in the text to choose"
                         if inside else f"unresolved: places of this name only outside {country.upper()}")
    else:
        extra["note"] = "unresolved: no place of this name in the gazetteer"
    return extra


_TRAILING = re.compile(r"(?:[\s,;:(\-]+(?:of|in|near|the|and|a|an|" + "|".join(
    sorted({"area", "areas", "village", "villages", "town", "city", "district", "tehsil", "agency", "valley", "bazaar",
            "sector", "locality", "region", "province"})) + r"))+[\s,;:(\-]*$|[\s,;:(\-]+$", re.I)


def _near(a: Place, b: Place) -> bool:
    """Two places of one cell that agree: within NAMESAKE_DOC_KM of one another."""
    return (a.lat is not None and b.lat is not None
            and distance_km(a.lat, a.lon, b.lat, b.lon) <= NAMESAKE_DOC_KM)


def _sizeable(r) -> bool:
    """A district, province or populated town known by exactly this name (not by another spelling,
    nor the unit far-apart namesakes share)."""
    return (r.rule.startswith("exact name") and "alt name" not in r.rule and "far apart" not in r.rule
            and (r.place.level in ("district", "province", "region") or r.place.level == "town" and (r.place.population or 0) > 0))


_WORD = re.compile(r"[^\W\d_][\w'’\-]*")


@cache
def _not_alone() -> frozenset[str]:
    """Words that name no place on their own (data/recognise.yaml), in lower case."""
    from .recognise import words

    w = words()
    return w.place | w.directions | w.stop | w.not_places | w.person | w.organisation


def _contained_names(gaz: Gazetteer, query: str, sentence_end: int) -> list[Mention]:
    """The longest names of the index, up to four words, among the capitalised words of ``query``,
    left to right; words that name no place alone (level words, directions, stop words) are skipped."""
    alone = _not_alone()
    toks = [m for m in _WORD.finditer(query) if m.group()[0].isupper()]
    found, i = [], 0
    while i < len(toks):
        for j in range(min(len(toks), i + 4), i, -1):
            s, e = toks[i].start(), toks[j - 1].end()
            if re.search(r"[^\w\s'’\-]|\s{2,}", query[s:e]):
                continue  # not one name: punctuation between the words
            name = query[s:e]
            if j - i == 1 and name.lower() in alone:
                continue
            if len(name) >= 3 and gaz.match(name):
                found.append(Mention("query", s, e, name, 0, sentence_end))
                i = j
                break
        else:
            i += 1
    return found


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
