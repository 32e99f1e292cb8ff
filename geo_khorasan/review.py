"""``geo-khorasan review``: one CSV row per place mention, with its candidates, for an analyst to check.

Rows are every mention the recogniser found, in document order: those on the map (with the
place chosen, its score and the deciding rule, the role the classifier gave, and any analyst
correction), those dropped by a correction, and those left off the map because no candidate
was plausible. ``margin`` is how far the best candidate's score is ahead of the next one's: a
small margin is a close call, worth checking first. The ``doc``, ``text`` and ``sentence`` columns are what a correction in
``corrections.yaml`` names (``doc:``, ``mention:``, ``sentence:``), and the candidates' ids are
what ``place:`` takes.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from . import csvcells
from .corpus import MAX_DOCUMENT_MB
from .pipeline import BuildReport, analyse_corpus
from .recognise import Recogniser
from .resolve import precision_words

CANDIDATES = 5
COLUMNS = ["doc", "mention_id", "start", "end", "text", "sentence", "mapped", "place_id", "place_name", "level",
           "country", "precision", "score", "rule", "note", "role", "status", "type", "date", "fatalities", "injured",
           "cue", "classification_rule", "citation", "correction", "candidate_count", "margin",
           *[f"candidate_{i}" for i in range(1, CANDIDATES + 1)]]


def _candidate(place, score=None, why=None) -> str:
    where = ", ".join(x for x in (place.level, place.admin1, place.country) if x)
    text = f"{place.id} {place.name} ({where})"
    if score is not None:
        text += f" score {score:.3f}"
    return text + (f": {why}" if why else "")


def _blank(doc, m) -> dict:
    return {"doc": doc.id, "mention_id": f"{doc.id}:{m.start}", "start": m.start, "end": m.end, "text": m.text,
            "sentence": doc.text[m.sentence_start:m.sentence_end]}


def _mapped(cm, correction: str | None, mapped: str) -> dict:
    r, c, m = cm.resolution, cm.classification, cm.resolution.mention
    row = _blank(cm.doc, m)
    row.update(mapped=mapped, place_id=r.place.id, place_name=r.place.name, level=r.place.level,
               country=r.place.country, precision=precision_words(r.precision, r.place), score=r.score, rule=r.rule,
               note=r.note, role=c.role, status=c.status, type=c.type, date=c.date, fatalities=c.fatalities,
               injured=c.injured, cue=c.cue, classification_rule=c.rule, citation=cm.citation, correction=correction,
               candidate_count=len(r.candidates),
               margin=round(r.candidates[0].score - r.candidates[1].score, 3) if len(r.candidates) > 1 else None)
    for i, x in enumerate(r.candidates[:CANDIDATES], 1):
        row[f"candidate_{i}"] = _candidate(x.place, x.score, x.why)
    return row


def review_rows(seeds: Path, gaz, **options) -> tuple[list[dict], BuildReport]:
    report = BuildReport()
    a = analyse_corpus(Path(seeds), gaz, report, **options)
    rows = {}
    for cm in a.classified:
        rows[(cm.doc.id, cm.resolution.mention.start)] = _mapped(cm, a.corrections.mention_correction(cm.id), "yes")
    for cm, note in a.corrections.dropped:
        rows[(cm.doc.id, cm.resolution.mention.start)] = _mapped(cm, note, "dropped")
    recogniser = Recogniser(gaz)
    for doc in a.docs:
        for m in recogniser.mentions(doc):
            if (doc.id, m.start) in rows:
                continue
            row = _blank(doc, m)
            matches = sorted({nm.place.id: nm.place for nm in gaz.match(m.text)}.values(), key=lambda p: p.id) \
                if m.known and not m.region else []
            row.update(mapped="no", rule="not placed: no candidate was plausible" if matches else "not in the gazetteer",
                       candidate_count=len(matches))
            for i, p in enumerate(matches[:CANDIDATES], 1):
                row[f"candidate_{i}"] = _candidate(p)
            rows[(doc.id, m.start)] = row
    return [rows[k] for k in sorted(rows)], report


def review_csv(seeds: Path, gaz, *, cache=None, corrections_file=None,
               max_document_bytes: int | None = MAX_DOCUMENT_MB * 2**20) -> tuple[str, BuildReport, int]:
    rows, report = review_rows(seeds, gaz, cache=cache, corrections_file=corrections_file,
                               max_document_bytes=max_document_bytes)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow(csvcells.row({k: "" if v is None else v for k, v in row.items()}))
    return buf.getvalue(), report, len(rows)
