"""Source citations: the "(Outlet, Month D, YYYY)" a sentence cites, and the date it anchors."""
from __future__ import annotations

import functools
import re

from .cues import _cues
from .dates import _find_dates


@functools.cache
def _cite_part_re() -> re.Pattern:
    C = _cues()
    names = sorted(C.months, key=len, reverse=True)
    mon = "(?:" + "|".join(f"{n.capitalize()}|{n.upper()}" for n in names) + r")\.?"
    lower = "|".join(re.escape(w) for w in C.cite_words)
    token = rf"(?:(?!{mon}\s+\d)[A-Z][\w’'&.\-]*|\[[^\]]{{1,40}}\]|(?:{lower}))"
    outlet = rf"(?!{mon}(?:\s|,|$))[A-Z\[][\w’'&.\-\[\]]*(?:\s+{token}){{0,7}}?"
    dateish = (
        rf"(?:{mon}\s+[0-3]?\d(?:st|nd|rd|th)?(?:\s*[,.]\s*(?:19|20)\d\d)?"
        rf"|[0-3]?\d\s+{mon}(?:\s*,?\s*(?:19|20)\d\d)?"
        rf"|{mon}\s*,?\s*(?:19|20)\d\d"
        rf"|(?:19|20)\d\d(?:-[01]\d-[0-3]\d)?)"
    )
    return re.compile(rf"^(?P<outlet>{outlet})\s*,?\s+(?P<date>{dateish})\s*[.,]?\s*(?:p+\.\s*\d+)?$")


def _is_citation(content: str) -> bool:
    content = re.sub(r"\s+", " ", content).strip()
    if not content or len(content) > 250:
        return False
    parts = [p.strip() for p in content.split(";")]
    return all(p and _cite_part_re().match(p) for p in parts)


def _paren_spans(text: str, lo: int, hi: int, tail: int = 0) -> list[tuple[int, int, str]]:
    """Citation parentheticals whose '(' lies in [lo, hi) or right after hi (within ``tail``)."""
    out = []
    if lo >= 0:
        starts, end = [], min(hi, len(text))
        i = text.find("(", lo, end)
        while i >= 0:
            starts.append(i)
            i = text.find("(", i + 1, end)
    else:
        starts = [i for i in range(lo, min(hi, len(text))) if text[i] == "("]
    if tail:
        m = re.match(r"[\s.,;:]*\(", text[hi : hi + tail])
        if m:
            starts.append(hi + m.end() - 1)
    for s in starts:
        close = text.find(")", s + 1, s + 300)
        if close < 0:
            continue
        inner = text[s + 1 : close]
        if "(" in inner:
            continue
        if _is_citation(inner):
            out.append((s, close + 1, re.sub(r"\s+", " ", inner).strip()))
    return out


def find_citation(text: str, sentence_start: int, sentence_end: int) -> str | None:
    """The source the sentence cites: '(Dawn, June 8, 2017)' inside it or right after it.

    Returns the citation without parentheses, whitespace-normalised; several citation
    parentheticals are joined with '; '. Footnote marks like '[1]' and parentheticals that are
    not "Outlet, date" ('(LeI)', '(1996-2001)', '(a.k.a. ...)') are not citations.
    """
    spans = _paren_spans(text, sentence_start, sentence_end, tail=40)
    if not spans:
        return None
    seen: list[str] = []
    for _, _, c in spans:
        if c not in seen:
            seen.append(c)
    return "; ".join(seen)


def _sentence_citations(sentence: str) -> list[tuple[int, int, str]]:
    """Citation spans inside a sentence string. An unclosed '(' at the end counts if what follows
    it reads like the start of a citation; so does a leading "Outlet, date)" left over from the
    previous sentence's citation (its date is not this sentence's)."""
    return list(_sentence_citations_once(sentence))  # every place of a sentence asks: read once


@functools.lru_cache(maxsize=1024)
def _sentence_citations_once(sentence: str) -> tuple[tuple[int, int, str], ...]:
    spans = _paren_spans(sentence, 0, len(sentence))
    # the tail of the previous sentence's citation: "Dawn, May 13, 2015). The cell ..."
    lead = re.match(r"^\s*([^()]{1,250})\)", sentence)
    if lead and _is_citation(lead.group(1)):
        spans.insert(0, (0, lead.end(), re.sub(r"\s+", " ", lead.group(1)).strip()))
    m = re.search(r"\(([^()]*)$", sentence)
    if m and (not spans or spans[-1][0] != m.start()):
        inner = m.group(1).strip()
        if not inner or _is_citation(inner) or re.match(r"^[A-Z][\w’'&.\-]*(?:\s+\S+){0,6},", inner):
            spans.append((m.start(), len(sentence), re.sub(r"\s+", " ", inner)))
    return tuple(spans)


def _cite_anchor(cite_text: str | None) -> tuple | None:
    """(y, m, d) of the first dated part of a citation, when it states a year."""
    if not cite_text:
        return None
    for h in _find_dates(cite_text):
        if h.kind in ("full", "monyear", "year") and h.year:
            return (h.year, h.month, h.day)
    return None
