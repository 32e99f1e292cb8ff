"""Datelines, and when an article was written: its sidecar date, else its dateline's, else its
address's, else one inferred from the dates it names."""
from __future__ import annotations

import re

from ..records import Document
from .cues import _cues
from .dates import _find_dates, _fmt


# A dateline opens a line: "QUETTA:", "FAIZABAD, Afghanistan –", "KABUL, Aug 26 (Reuters) -",
# "Peshawar, Pakistan (AP) —". Capitals alone, or any case when an agency or a dash follows.
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][A-Za-z'’.\-]*(?:[ \t]+[A-Z][A-Za-z'’.\-]*){0,2})"
    r"(?P<rest>(?:,[ \t]*[A-Z][A-Za-z.\-]*(?:[ \t]+[A-Z][A-Za-z.\-]*){0,2})?"
    r"(?:,?[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}(?:,[ \t]*\d{4})?)?"
    r"(?:[ \t]*\([^()\n]{1,40}\))?)[ \t]*(?P<end>:|[—–]|-{1,2}(?=[ \t]))")


def datelines(text: str) -> list[tuple[int, int]]:
    """Spans of dateline place names: the capitalised name at a line's start before ":" or a dash."""
    out = []
    for m in _DATELINE.finditer(text[:3000] if len(text) > 3000 else text):
        name = m.group("place")
        if name.isupper() or (m.group("rest") and m.group("end") != ":"):
            out.append((m.start("place"), m.end("place")))
    return out


def _dateline_date(text: str) -> str | None:
    """The date a dateline gives: "KABUL, Feb 13, 2025 (BSS/AFP) -"."""
    for m in _DATELINE.finditer(text[:3000]):
        for h in _find_dates(m.group("rest") or ""):
            if h.kind == "full":
                return _fmt(h.year, h.month, h.day)
    return None


_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d|[a-z]{3,9})(?:[/-]([0-3]?\d))?(?:/|$|[^\w])", re.I)


def _url_date(url: str | None) -> str | None:
    """The date in an article's address: ".../2023/07/31/...", ".../2015/apr/19/...", ".../2025/05/..."."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    month = m.group(2)
    month_no = int(month) if month.isdigit() else _cues().months.get(month.lower())
    if not month_no:
        return None
    return _fmt(int(m.group(1)), month_no, int(m.group(3)) if m.group(3) else None)  # ".../2025/05/slug": a month


def infer_document_date(text: str) -> str | None:
    """Best guess of when the article was written: 'YYYY' or 'YYYY-MM'.

    The latest explicit date or year in the text (a range like 1996-2001 counts as both years),
    ignoring years marked as future or planned ("scheduled for 2029", "by next year") and years
    inside URLs. When the text says "<Month> last year" next to an explicit "<Month> ..., YYYY"
    (a citation), the article is from YYYY+1. Month precision only when the latest date names
    its month.
    """
    C = _cues()
    t = re.sub(r"(?:https?://|www\.)\S+", " ", text)
    best: tuple[int, int] | None = None
    for h in _find_dates(t):
        if h.kind not in ("full", "monyear", "year"):
            continue
        before = t[max(0, h.start - 30) : h.start]
        if C.future_re.search(before):
            continue
        years = [h.year] + ([h.end_year] if h.end_year else [])
        for y in years:
            if y is None:
                continue
            key = (y, h.month or 0 if y == h.year else 0)
            if best is None or key > best:
                best = key
    # "<Month> [day] last year" next to the same month with an explicit year: written a year later
    evidence = None
    for sent in re.split(r"(?<=[.!?])\s+|\n+", t):
        hits = _find_dates(sent)
        for h in hits:
            if h.kind in ("md", "m") and h.rel == "last_year":
                for o in hits:
                    if o.kind in ("full", "monyear") and o.month == h.month and o.year:
                        evidence = max(evidence or 0, o.year + 1)
    if evidence and (best is None or evidence > best[0]):
        return _fmt(evidence)
    if best is None:
        return None
    return _fmt(best[0], best[1] or None)


def document_date(doc: Document) -> tuple[str | None, bool]:
    """The article's date and whether it was inferred from its text (its metadata gives none)."""
    if doc.meta.date:
        return doc.meta.date, False
    stated = _dateline_date(doc.text) or _url_date(doc.meta.url)
    if stated:
        return stated, False
    inferred = infer_document_date(doc.text)
    return inferred, inferred is not None


def anchor_date(doc: Document) -> str | None:
    """The date that anchors the article's relative dates. An inferred date is only the latest
    date the text names, a lower bound: it anchors "on July 13" to a year, but "last week" to
    nothing finer than that year."""
    date, inferred = document_date(doc)
    return date[:4] if inferred else date
