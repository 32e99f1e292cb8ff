"""Analyst corrections, kept in ``seeds/corrections.yaml`` and re-applied on every build.

The file is a YAML list; each entry names one mention by its document id, its words as written,
and words of its sentence (or its offset ``at:``), so that it is checked against the text on
every build, and says what to change::

    - doc: 000_ab97ea6bb9ccf034
      mention: Mastung
      sentence: suicide bombing at an election rally in Mastung
      place: geonames:1170394          # pin to another place (an id from `geo-khorasan review`, or a name)
      why: the district is meant       # optional; shown in the popup
    - {doc: 000_ab97ea6bb9ccf034, mention: Quetta, sentence: "IS-K in Quetta", role: mention}
    - {doc: 001_42884ccd0e27e094, mention: Kabul, sentence: "flights to Kabul", drop: true}
    - {doc: 000_ab97ea6bb9ccf034, mention: Mastung, sentence: "...", date: 2018-07-13, fatalities: 149}
    - merge:                           # two reports of one event
        - {doc: 000_ab97ea6bb9ccf034, mention: Mastung, sentence: "..."}
        - {doc: 003_d787b477f72f5154, mention: Mastung, sentence: "..."}
    - split: {doc: 003_d787b477f72f5154, mention: Quetta, sentence: "..."}

Every value is read as text (``Yes`` stays "Yes", ``2018-07-13`` a date string). A file that is
not valid YAML stops the build (the previous maps stay); an entry that is malformed or no longer
matches the text gets one line naming the file, its line and the problem, and is not applied.
Applied corrections travel in the exports as a ``correction`` property, shown in the popups.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .reading.datelines import document_date
from .reading.reader import Reader
from .records import ClassifiedMention, Document, Incident, Mention, Resolution
from .vocabulary import LEVEL_PRECISION, LEVELS, ROLES, STATUS_ORDER

CORRECTIONS_NAME = "corrections.yaml"
REF_KEYS = ("doc", "mention", "sentence", "at")
MENTION_CHANGES = ("place", "role", "status", "type", "date", "fatalities", "injured", "drop")
INCIDENT_FIELDS = ("type", "date", "fatalities", "injured")
KEYS = {
    "mention": set(REF_KEYS) | set(MENTION_CHANGES) | {"country", "level", "why"},
    "merge": {"merge", "why", *INCIDENT_FIELDS},
    "split": {"split", "why"},
}
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_TRUE, _FALSE = {"true", "yes", "y", "on"}, {"false", "no", "n", "off", ""}
PREFIX = "Analyst correction: "


class CorrectionsError(ValueError):
    """The corrections file cannot be read at all; the message names it and the problem."""


class _Problem(Exception):
    """One entry cannot be applied."""


@dataclass
class Entry:
    line: int
    kind: str  # mention | merge | split
    data: dict
    refs: list[dict] = field(default_factory=list)

    @property
    def why(self) -> str:
        return f" — {self.data['why']}" if self.data.get("why") else ""


def _ref(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise _Problem(f"{what} must be a mapping with doc:, mention: and sentence: (or at:)")
    unknown = set(value) - set(REF_KEYS)
    if unknown:
        raise _Problem(f"{what}: unknown key(s) {', '.join(sorted(unknown))} (expected {', '.join(REF_KEYS)})")
    return _check_ref(dict(value), what)


def _check_ref(d: dict, what: str = "entry") -> dict:
    for k in ("doc", "mention"):
        if not isinstance(d.get(k), str) or not d[k].strip():
            raise _Problem(f"{what}: {k}: is missing")
    for k in ("sentence",):
        if k in d and (not isinstance(d[k], str) or not d[k].strip()):
            raise _Problem(f"{what}: {k}: must be words of the sentence")
    if "at" in d:
        if not isinstance(d["at"], str) or not d["at"].isdigit():
            raise _Problem(f"{what}: at: must be a character offset (a whole number), not {d['at']!r}")
        d["at"] = int(d["at"])
    return d


def _entry(item: dict, line: int) -> Entry:
    kind = "merge" if "merge" in item else "split" if "split" in item else "mention"
    unknown = sorted(map(str, set(item) - KEYS[kind]))
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(KEYS[kind]), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise _Problem(f"unknown key(s) {', '.join(map(repr, unknown))} ({hint}a {kind} correction takes "
                       f"{', '.join(sorted(KEYS[kind]))})")
    for k, v in item.items():
        if k not in ("merge", "split") and not isinstance(v, str):
            raise _Problem(f"{k}: must be a single value, not a {'list' if isinstance(v, list) else 'mapping'}")
    data = dict(item)
    if "date" in data and not _ISO_DATE.fullmatch(data["date"]):
        raise _Problem(f"date {data['date']!r} is not ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)")
    for k in ("fatalities", "injured"):
        if k in data:
            v = data[k].strip().lower()
            if v in ("unknown", "none", "null", "~"):
                data[k] = None
            elif v.isdigit():
                data[k] = int(v)
            else:
                raise _Problem(f"{k}: must be a whole number (or 'unknown'), not {data[k]!r}")
    if kind == "merge":
        refs = data["merge"]
        if not isinstance(refs, list) or len(refs) < 2:
            raise _Problem("merge: must list two or more mentions (doc:, mention:, sentence:) of the reports to merge")
        return Entry(line, kind, data, [_ref(r, f"merge item {i}") for i, r in enumerate(refs, 1)])
    if kind == "split":
        return Entry(line, kind, data, [_ref(data["split"], "split")])
    _check_ref(data)
    if not any(k in data for k in MENTION_CHANGES):
        raise _Problem(f"says nothing to change (give one of {', '.join(MENTION_CHANGES)})")
    if "drop" in data:
        v = data["drop"].strip().lower()
        if v not in _TRUE | _FALSE:
            raise _Problem(f"drop: must be true or false, not {data['drop']!r}")
        data["drop"] = v in _TRUE
        if data["drop"] and any(k in data for k in MENTION_CHANGES if k != "drop"):
            raise _Problem("drop: true cannot be combined with other changes")
    if "role" in data and data["role"] not in ROLES:
        raise _Problem(f"role {data['role']!r} is not one of {', '.join(ROLES)}")
    if "status" in data and data["status"] not in STATUS_ORDER:
        raise _Problem(f"status {data['status']!r} is not one of {', '.join(STATUS_ORDER)}")
    if data.get("role") == "contested" and "status" not in data:
        raise _Problem(f"role: contested needs a status: ({', '.join(s for s in STATUS_ORDER if s != 'presence')})")
    if "level" in data and data["level"] not in LEVELS:
        raise _Problem(f"level {data['level']!r} is not one of {', '.join(LEVELS)}")
    if ("country" in data or "level" in data) and "place" not in data:
        raise _Problem("country: and level: narrow down place:, which is missing")
    return Entry(line, kind, data, [data])


def load(path: Path) -> tuple[list[Entry], list[str]]:
    """The entries of a corrections file, and one line per malformed entry (those are left out).
    Raises CorrectionsError when the file cannot be read as a YAML list."""
    entries, errors = _load(path)
    return entries, [msg for _, msg in errors]


#: A corrections file larger than this is refused (a long file of corrections is well under 1 MB).
MAX_CORRECTIONS_BYTES = 2 * 2**20
#: Deeper nesting than this is refused before it is parsed (an entry needs three levels).
MAX_DEPTH = 20


def _too_deep(text: str) -> bool:
    """More than MAX_DEPTH open flow brackets, or block indentation deeper than 2 * MAX_DEPTH columns."""
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif ch in "]}":
            depth = max(0, depth - 1)
    return any(len(line) - len(line.lstrip(" -")) > 4 * MAX_DEPTH for line in text.splitlines())


def _load(path: Path) -> tuple[list[Entry], list[tuple[int, str]]]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CORRECTIONS_BYTES:
            raise CorrectionsError(f"{path}: {size / 2**20:.1f} MB is over the {MAX_CORRECTIONS_BYTES // 2**20} MB "
                                   f"limit for a corrections file; not read")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorrectionsError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if _too_deep(text):
        raise CorrectionsError(f"{path}: nested more than {MAX_DEPTH} levels deep; not read")
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
        data = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text: no Norway problem, no dates
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CorrectionsError(f"{path}: {where}not valid YAML ({problem})") from None
    if root is None or data in ("", None):
        return [], []
    if not isinstance(root, yaml.SequenceNode):
        raise CorrectionsError(f"{path}: expected a list of corrections (each starting with '- doc:'), "
                               f"found a {'mapping' if isinstance(root, yaml.MappingNode) else 'single value'}")
    entries, errors = [], []
    for node, item in zip(root.value, data):
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            what = repr(item[:60]) if isinstance(item, str) else "a list"  # never the repr of a YAML alias bomb
            errors.append((line, f"{path}: line {line}: a correction is a mapping (doc:, mention:, sentence:, ...), "
                                 f"not {what}; not applied"))
            continue
        try:
            entries.append(_entry(item, line))
        except _Problem as exc:
            errors.append((line, f"{path}: line {line}: {exc}; not applied"))
    return entries, errors


def _words_re(words: str, bounded: bool = True) -> re.Pattern:
    """``words`` with any run of white space between them, straight and curly quotes alike."""
    parts = []
    for w in words.split():
        parts.append("".join("['’‘]" if c in "'’‘" else '["“”]' if c in '"“”' else re.escape(c) for c in w))
    body = r"\s+".join(parts)
    return re.compile(rf"(?<!\w){body}(?!\w)" if bounded else body)


def _place_words(p) -> str:
    where = ", ".join(x for x in (p.level, p.admin1 if p.admin1 != p.name else None, p.country) if x)
    return f"{p.name} ({where})"


class Corrections:
    """Applies the entries of one corrections file to one build."""

    def __init__(self, path: Path | None, entries: list[Entry], errors: list[tuple[int, str]], docs: list[Document], gaz):
        self.path = path
        self.entries = entries
        self._errors = list(errors)
        self.docs = {d.id: d for d in docs}
        self.gaz = gaz
        self.applied = 0
        self.mention_notes: dict[str, list[str]] = {}
        self.incident_notes: dict[str, list[str]] = {}
        self.dropped: list[tuple[ClassifiedMention, str]] = []
        self._pending: list[tuple[Entry, Document, int, int]] = []

    @classmethod
    def read(cls, path: Path | None, docs: list[Document], gaz) -> "Corrections":
        if path is None or not Path(path).exists():
            return cls(None, [], [], docs, gaz)
        entries, errors = _load(path)
        return cls(Path(path), entries, errors, docs, gaz)

    @property
    def errors(self) -> list[str]:
        """One line per correction not applied, in the order of the file."""
        return [msg for _, msg in sorted(self._errors, key=lambda e: e[0])]

    @property
    def not_applied(self) -> int:
        return len(self._errors)

    def _fail(self, entry: Entry, problem: str) -> None:
        ref = entry.refs[0] if entry.kind == "mention" else None
        what = f"{ref['mention']!r} in {ref['doc']}: " if ref else f"{entry.kind}: "
        self._errors.append((entry.line, f"{self.path}: line {entry.line}: {what}{problem}; not applied"))

    # -- finding the words -------------------------------------------------------------------
    def _locate(self, ref: dict) -> tuple[Document, int, int]:
        doc = self.docs.get(ref["doc"])
        if doc is None:
            raise _Problem(f"document {ref['doc']!r} is not among the documents read")
        words, text = ref["mention"], doc.text
        pat = _words_re(words)
        if "at" in ref:
            m = pat.match(text, ref["at"])
            if not m:
                found = text[ref["at"]:ref["at"] + len(words)]
                raise _Problem(f"the text at offset {ref['at']} is now {found!r}")
            return doc, m.start(), m.end()
        if "sentence" in ref:
            quotes = list(_words_re(ref["sentence"], bounded=False).finditer(text))
            if not quotes:
                raise _Problem(f"the sentence quoted is no longer in the document: {ref['sentence']!r}")
            hits: set[tuple[int, int]] = set()
            for q in quotes:
                inside = [(m.start(), m.end()) for m in pat.finditer(text, q.start(), q.end())]
                if inside:
                    hits.update(inside)
                    continue
                s0, s1 = doc.sentence_at(q.start())[0], doc.sentence_at(max(q.start(), q.end() - 1))[1]
                hits.update((m.start(), m.end()) for m in pat.finditer(text, s0, s1))
            if not hits:
                raise _Problem("no longer in the sentence quoted")
            if len(hits) > 1:
                raise _Problem(f"occurs {len(hits)} times where the sentence is quoted; quote the words "
                               f"around the one meant, or give at: with its offset")
            (start, end), = hits
            return doc, start, end
        found = [(m.start(), m.end()) for m in pat.finditer(text)]
        if not found:
            raise _Problem("no longer in the document")
        if len(found) > 1:
            raise _Problem(f"occurs {len(found)} times in the document; add sentence: with words of its sentence")
        return doc, found[0][0], found[0][1]

    @staticmethod
    def _find(classified: list[ClassifiedMention], doc: Document, start: int, end: int) -> int | None:
        exact = None
        overlapping = []
        for i, cm in enumerate(classified):
            m = cm.resolution.mention
            if cm.doc.id != doc.id:
                continue
            if (m.start, m.end) == (start, end):
                exact = i
            elif m.start < end and start < m.end:
                overlapping.append(i)
        if exact is not None:
            return exact
        return overlapping[0] if len(overlapping) == 1 else None

    def _place(self, data: dict):
        value = data["place"].strip()
        p = self.gaz.get(value)
        if p is not None:
            return p
        found = self.gaz.match(value)
        exact = [nm for nm in found if nm.exact]  # "Quetta" is not Kuta, however alike their keys
        matches = [nm.place for nm in exact or found]
        if data.get("country"):
            matches = [p for p in matches if p.country == data["country"].upper()]
        if data.get("level"):
            matches = [p for p in matches if p.level == data["level"]]
        matches = sorted({p.id: p for p in matches}.values(), key=lambda p: p.id)
        if not matches:
            raise _Problem(f"place {value!r} is neither a place id nor a name in the gazetteer "
                           f"(see `geo-khorasan geocode {value!r}`)")
        if len(matches) > 1:
            shown = ", ".join(f"{p.id} {_place_words(p)}" for p in matches[:5])
            raise _Problem(f"place {value!r} names {len(matches)} places: {shown}{' ...' if len(matches) > 5 else ''}; "
                           f"give its id, or country: and level:")
        return matches[0]

    def _note(self, key: str, text: str, entry: Entry, store: dict) -> None:
        store.setdefault(key, []).append(text + entry.why)

    # -- mentions: pin, role, drop ----------------------------------------------------------------
    def apply_to_mentions(self, classified: list[ClassifiedMention]) -> list[ClassifiedMention]:
        out = list(classified)
        for entry in self.entries:
            if entry.kind != "mention":
                continue
            d = entry.data
            try:
                doc, start, end = self._locate(d)
                i = self._find(out, doc, start, end)
                if d.get("drop"):
                    if i is None:
                        raise _Problem("nothing to drop: the words are not mapped as a place")
                    cm = out.pop(i)
                    self.dropped.append((cm, f"{PREFIX}dropped{entry.why}"))
                    self.applied += 1
                    continue
                notes = []
                if "place" in d:
                    place = self._place(d)
                    if i is None:
                        cm = self._new_mention(doc, start, end, place, document_date(doc)[0], out)
                        out.append(cm)
                        out.sort(key=lambda c: (c.doc.id, c.resolution.mention.start))
                        i = out.index(cm)
                        notes.append(f"added at {_place_words(place)} (not found by the recogniser)")
                    else:
                        cm = out[i]
                        r = cm.resolution
                        was = r.place
                        out[i] = dataclasses.replace(cm, resolution=dataclasses.replace(
                            r, place=place, precision=LEVEL_PRECISION[place.level], rule="analyst correction", note=None))
                        notes.append(f"pinned to {_place_words(place)} instead of {_place_words(was)}" if was.id != place.id
                                     else f"place confirmed as {_place_words(place)}")
                elif i is None:
                    raise _Problem("the words are not mapped as a place; give place: to add them")
                cm = out[i]
                c = cm.classification
                if "role" in d or "status" in d:
                    role = d.get("role", c.role)
                    changes = {"role": role, "rule": "analyst correction"}
                    if role == "contested":
                        changes["status"] = d.get("status", c.status)
                    if role == "incident" and not c.type:
                        changes["type"] = "attack"
                    out[i] = dataclasses.replace(cm, classification=dataclasses.replace(c, **changes))
                    if role != c.role:
                        notes.append(f"role set to {role} instead of {c.role}")
                    if role == "contested" and changes.get("status") != c.status:
                        notes.append(f"status set to {changes['status']}" + (f" instead of {c.status}" if c.status else ""))
                if any(k in d for k in INCIDENT_FIELDS):
                    if out[i].classification.role != "incident":
                        raise _Problem(f"{', '.join(k for k in INCIDENT_FIELDS if k in d)} set on a mention whose role is "
                                       f"{out[i].classification.role}; add role: incident")
                    m = out[i].resolution.mention
                    self._pending.append((entry, doc, m.start, m.end))
                mid = f"{doc.id}:{out[i].resolution.mention.start}"
                for n in notes:
                    self._note(mid, n, entry, self.mention_notes)
                if not any(k in d for k in INCIDENT_FIELDS):
                    self.applied += 1
            except _Problem as exc:
                self._fail(entry, str(exc))
        return out

    def _new_mention(self, doc: Document, start: int, end: int, place, doc_date, classified) -> ClassifiedMention:
        s0, s1 = doc.sentence_at(start)
        m = Mention(doc=doc.id, start=start, end=end, text=doc.text[start:end], sentence_start=s0, sentence_end=s1)
        res = Resolution(mention=m, place=place, precision=LEVEL_PRECISION[place.level], score=1.0,
                         rule="analyst correction")
        return Reader(doc, doc_date)([res], context=[c.resolution.mention for c in classified if c.doc.id == doc.id])[0]

    # -- incidents: date, toll, type, merge, split ---------------------------------------------------
    @staticmethod
    def _incident_at(incidents: list[Incident], doc: Document, start: int) -> Incident:
        exact = [inc for inc in incidents if any(s.doc == doc.id and s.start == start for s in inc.sources)]
        if exact:
            return exact[0]
        s0 = doc.sentence_at(start)[0]
        same = [inc for inc in incidents if any(s.doc == doc.id and s.sentence_start == s0 for s in inc.sources)]
        if not same:
            raise _Problem("no incident is reported at these words (add role: incident to make one)")
        if len(same) > 1:
            raise _Problem(f"its sentence reports {len(same)} incidents ({', '.join(i.place.name for i in same)}); "
                           f"name the place of the one meant")
        return same[0]

    def _set_fields(self, inc: Incident, d: dict, entry: Entry) -> None:
        for k in INCIDENT_FIELDS:
            if k in d:
                old = getattr(inc, k)
                setattr(inc, k, d[k])
                shown = "unknown" if d[k] is None else d[k]
                was = f" instead of {'unknown' if old is None else old}" if old != d[k] else ""
                self._note(inc.id, f"{k} set to {shown}{was}", entry, self.incident_notes)

    def apply_to_incidents(self, incidents: list[Incident], classified: list[ClassifiedMention]) -> list[Incident]:
        incidents = list(incidents)
        for entry, doc, start, _end in self._pending:
            try:
                self._set_fields(self._incident_at(incidents, doc, start), entry.data, entry)
                self.applied += 1
            except _Problem as exc:
                self._fail(entry, str(exc))
        for entry in self.entries:
            if entry.kind not in ("merge", "split"):
                continue
            try:
                located = [self._locate(r) for r in entry.refs]
                found = [self._incident_at(incidents, doc, start) for doc, start, _ in located]
                if entry.kind == "merge":
                    self._merge(incidents, found, entry)
                else:
                    (doc, start, end), inc = located[0], found[0]
                    self._split(incidents, inc, doc, start, end, classified, entry)
                self.applied += 1
            except _Problem as exc:
                self._fail(entry, str(exc))
        return incidents

    def _merge(self, incidents: list[Incident], found: list[Incident], entry: Entry) -> None:
        target, others = found[0], []
        for inc in found[1:]:
            if inc is not target and all(inc is not o for o in others):
                others.append(inc)
        for inc in others:
            if inc.precision < target.precision:
                target.place, target.precision = inc.place, inc.precision
            if len(inc.date or "") > len(target.date or ""):
                target.date = inc.date
            for attr in ("fatalities", "injured"):
                vals = [v for v in (getattr(target, attr), getattr(inc, attr)) if v is not None]
                setattr(target, attr, max(vals) if vals else None)
            if target.type in ("attack", "") and inc.type:
                target.type = inc.type
            target.actor = target.actor or inc.actor
            target.sources.extend(s for s in inc.sources if s not in target.sources)
            self.incident_notes.setdefault(target.id, []).extend(self.incident_notes.pop(inc.id, []))
            incidents.remove(inc)
        n = len(others) + 1
        self._note(target.id, f"{n} reports merged into one incident" if others else "reports already one incident",
                   entry, self.incident_notes)
        self._set_fields(target, entry.data, entry)

    def _split(self, incidents, inc: Incident, doc: Document, start: int, end: int, classified, entry: Entry) -> None:
        s0 = doc.sentence_at(start)[0]
        moved = [s for s in inc.sources if s.doc == doc.id and (s.start == start or s.sentence_start == s0)]
        if len(moved) == len(inc.sources):
            raise _Problem("already an incident of its own")
        inc.sources[:] = [s for s in inc.sources if s not in moved]
        i = self._find(classified, doc, start, end)
        if i is not None:
            cm = classified[i]
            c = cm.classification
            new = Incident(id=f"{doc.id}:{cm.resolution.mention.start}", place=cm.resolution.place,
                           precision=cm.resolution.precision, date=c.date, fatalities=c.fatalities, injured=c.injured,
                           type=c.type or "attack", actor=c.actor, sources=moved)
        else:
            new = Incident(id=f"{doc.id}:{start}", place=inc.place, precision=inc.precision, date=inc.date,
                           fatalities=inc.fatalities, injured=inc.injured, type=inc.type, actor=inc.actor, sources=moved)
        incidents.insert(incidents.index(inc) + 1, new)
        self._note(new.id, f"split off from the incident at {inc.place.name}", entry, self.incident_notes)
        self._note(inc.id, f"the report in {doc.id} split off as an incident of its own", entry, self.incident_notes)

    # -- exports ------------------------------------------------------------------------------
    def _text(self, notes: list[str]) -> str | None:
        notes = list(dict.fromkeys(notes))
        return PREFIX + "; ".join(notes) if notes else None

    def mention_correction(self, mention_id: str) -> str | None:
        return self._text(self.mention_notes.get(mention_id, []))

    def annotate(self, mentions_fc: dict, incidents_fc: dict, regions_fc: dict) -> None:
        """Set the ``correction`` property (text, or None) on every exported feature."""
        for f in mentions_fc["features"]:
            f["properties"]["correction"] = self.mention_correction(f["properties"]["id"])
        for f in incidents_fc["features"]:
            p = f["properties"]
            notes = list(self.incident_notes.get(p["id"], []))
            for s in p.get("sources") or []:
                notes += self.mention_notes.get(s.get("mention_id"), [])
            p["correction"] = self._text(notes)
        for f in regions_fc["features"]:
            p = f["properties"]
            notes = []
            for s in p.get("claims") or []:
                notes += self.mention_notes.get(s.get("mention_id"), [])
            p["correction"] = self._text(notes)
