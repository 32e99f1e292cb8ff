"""Dates in free text: find every date expression, resolve it against the article's date.

* ``parse_date``: the first event date a text states, as ISO 8601 at the precision stated.
* ``_find_dates`` / ``_resolve``: the date expressions of a text and their ISO value.
* ``_date_precision``: the finest precision a text states (day, month, year).
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass

from .cues import _cues
from .prefilter import finditer_each
from .text import _clause_before


@dataclass
class _DateHit:
    start: int
    end: int
    kind: str  # full | monyear | year | md | m | rel
    year: int | None = None
    month: int | None = None
    day: int | None = None
    rel: str | None = None  # last_year, this_year, last_month_name, yesterday, weekday:N, years_ago:N ...
    end_year: int | None = None  # second year of a range "1996-2001"


@functools.cache
def _date_res() -> dict[str, re.Pattern]:
    C = _cues()
    names = sorted(C.months, key=len, reverse=True)
    mon = "(?P<mon>" + "|".join(f"{n.capitalize()}|{n.upper()}" for n in names) + r")\.?(?![a-z])"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
    year = r"(?P<year>(?:19|20)\d\d)(?![\d\w])"
    pre = rf"(?:(?P<pre>{C.date_prefix_alt})\s*)?"
    rel_year = r"(?:\s*,?\s*(?P<rel>last year|this year|the previous year|the year before))?"
    few = r"\d+|" + "|".join(w for w, v in C.number_words.items() if 1 <= v <= 19 and " " not in w) + r"|a|an"
    I = re.IGNORECASE
    return {
        "full1": re.compile(rf"(?<![\w]){mon}\s+{day}(?:\s*[,.]\s*|\s+){year}"),
        "full2": re.compile(rf"(?<![\w\d]){day}(?:\s+of)?\s+{mon}\s*,?\s*{year}"),
        "iso": re.compile(r"(?<![\w\d])(?P<year>(?:19|20)\d\d)-(?P<mon>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),
        "monyear": re.compile(rf"(?<![\w]){pre}{mon}(?:\s*,)?\s+(?:of\s+)?{year}"),
        "md": re.compile(rf"(?<![\w]){mon}\s+{day}(?!\s*[,.]?\s*(?:19|20)\d\d){rel_year}"),
        "dm": re.compile(rf"(?<![\w\d]){day}(?:\s+of)?\s+{mon}(?!\s*,?\s*(?:19|20)\d\d){rel_year}"),
        "m": re.compile(rf"(?<![\w]){pre}{mon}(?!\s*[,.]?\s*(?:[0-3]?\d(?!\d)|(?:19|20)\d\d)){rel_year}"),
        "year": re.compile(
            rf"(?<![\w\d,.$£€]){pre}(?P<year>(?:19|20)\d\d)(?:\s*[-–]\s*(?P<y2>(?:19|20)?\d\d))?(?![\d\w%])"
        ),
        "rel": re.compile(
            r"(?<![\w])(?P<rel>yesterday|today|this morning|last night|last week|last month|this month"
            r"|earlier this month|earlier this year|last year|this year"
            r"|(?:on|last|this past)\s+(?:" + "|".join(C.weekdays) + r")"
            # a bare weekday, capitalised: "attacked a bank Saturday", "were martyred Friday"
            r"|(?-i:(?:" + "|".join(w.capitalize() for w in C.weekdays) + r"))"
            rf"|(?P<n>{few})\s+(?P<unit>days?|weeks?|months?|years?)\s+ago"
            # "claimed on Saturday an attack a day earlier": the day before the date just named
            rf"|(?P<sn>{few})\s+days?\s+(?:earlier|before)(?!\s+(?:the|a|an|his|her|its|their)\b)"
            r"|the\s+(?:previous|preceding)\s+day|the\s+day\s+before(?!\s+(?:the|a|an|his|her|its|their)\b))(?![\w])",
            I,
        ),
    }


@functools.cache
def _date_scan() -> tuple[re.Pattern, ...]:
    return tuple(_date_res().values())  # one tuple, kept: prefilter.finditer_each makes its automaton once


@functools.lru_cache(maxsize=4096)
def _find_dates(text: str) -> tuple[_DateHit, ...]:
    """Every date expression in ``text``, left to right, overlaps resolved (longest wins)."""
    C = _cues()
    R = _date_res()
    hits: list[_DateHit] = []

    def mon_of(m) -> int | None:
        return C.months.get(m.group("mon").lower().rstrip("."))

    # one pass over the text says where each kind of date can start; each is tried only there
    for kind, found in zip(R, finditer_each(_date_scan(), text)):
        for m in found:
            gd = m.groupdict()
            if kind in ("full1", "full2", "iso"):
                mo = int(gd["mon"]) if kind == "iso" else mon_of(m)
                hits.append(_DateHit(m.start(), m.end(), "full", int(gd["year"]), mo, int(gd["day"])))
            elif kind == "monyear":
                hits.append(_DateHit(m.start(), m.end(), "monyear", int(gd["year"]), mon_of(m)))
            elif kind in ("md", "dm"):
                hits.append(_DateHit(m.start(), m.end(), "md", None, mon_of(m), int(gd["day"]), rel=_rel_key(gd.get("rel"))))
            elif kind == "m":
                rel = _rel_key(gd.get("rel"))
                before = text[max(0, m.start() - 20) : m.start()]
                last_before = re.search(r"(?:^|\W)last\s+$", before, re.IGNORECASE)
                if last_before and not rel and not gd.get("pre"):
                    rel = "last_month_name"
                if not (gd.get("pre") or rel or C.month_context_re.search(before)):
                    continue
                if mon_of(m) == 5 and not (gd.get("pre") or rel) and m.group("mon") == "May":
                    # "May" also a modal verb at a sentence start; require a date-like context word.
                    if not re.search(r"(?:^|\W)(?:in|since|during|early|late|mid|of|until|by|last|this)\s+$", before, re.I):
                        continue
                # "in February and March 2020": the year after the list is each month's
                later = re.match(r"\s*(?:,|and|or|to|through|until|-|–)\s*(?:" + R["monyear"].pattern + ")", text[m.end():])
                if later and not rel:
                    hits.append(_DateHit(m.start(), m.end(), "monyear", int(later.group("year")), mon_of(m)))
                    continue
                hits.append(_DateHit(m.start(), m.end(), "m", None, mon_of(m), None, rel=rel))
            elif kind == "year":
                if C.not_year_after_re.search(text[m.end() :]):
                    continue
                y2 = gd.get("y2")
                end_year = None
                y = int(gd["year"])
                if y2:
                    end_year = int(y2) if len(y2) == 4 else (y // 100) * 100 + int(y2)
                    if end_year < y:
                        end_year = None
                hits.append(_DateHit(m.start(), m.end(), "year", y, end_year=end_year))
            elif kind == "rel":
                r = gd["rel"].lower()
                r = re.sub(r"\s+", " ", r)
                key: str
                if gd.get("sn") or r.startswith("the"):
                    key = f"days_before:{_few(gd.get('sn') or 'a')}"
                elif gd.get("unit"):
                    unit = gd["unit"].lower().rstrip("s")
                    key = f"{unit}s_ago:{_few(gd['n'])}"
                elif r.split()[-1] in C.weekdays:
                    key = f"weekday:{C.weekdays.index(r.split()[-1])}"
                else:
                    key = r.replace(" ", "_")
                hits.append(_DateHit(m.start(), m.end(), "rel", rel=key))
    # overlaps: earliest start, then longest, then the more precise kind
    order = {"full": 0, "monyear": 1, "md": 2, "m": 3, "year": 4, "rel": 5}
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), order[h.kind]))
    out: list[_DateHit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    # "on Sunday, Aug. 2, 2020": the weekday only names the explicit date after it;
    # "Today Friday, ...": a statement's "today" is the weekday it names
    return tuple(h for k, h in enumerate(out) if not (
        k + 1 < len(out) and re.fullmatch(r"[\s,]{0,3}", text[h.end:out[k + 1].start]) and (
            ((h.rel or "").startswith("weekday:") and out[k + 1].kind in ("full", "md"))
            or (h.rel == "today" and (out[k + 1].rel or "").startswith("weekday:")))))


def _few(n: str) -> int:
    """The number of "a day", "two weeks", "3 months"."""
    n = n.lower()
    return 1 if n in ("a", "an") else int(n) if n.isdigit() else _cues().number_words.get(n, 0)


def _rel_key(rel: str | None) -> str | None:
    if not rel:
        return None
    rel = rel.lower()
    if rel in ("last year", "the previous year", "the year before"):
        return "last_year"
    return "this_year"


def _parse_iso(d: str | None) -> tuple[int, int | None, int | None] | None:
    if not d:
        return None
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", str(d))
    if not m:
        return None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None), (int(m.group(3)) if m.group(3) else None)


def _fmt(y: int | None, m: int | None = None, d: int | None = None) -> str | None:
    if y is None:
        return None
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        _dt.date(y, m, d)
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _shift_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _resolve(h: _DateHit, doc: tuple | None, cite: tuple | None = None) -> str | None:
    """ISO text for a date hit; ``doc``/``cite`` are (y, m, d) anchors for yearless dates."""
    if h.kind == "full":  # an impossible day ("February 30, 2021") keeps its month
        return _fmt(h.year, h.month, h.day) or _fmt(h.year, h.month)
    if h.kind == "monyear":
        return _fmt(h.year, h.month)
    if h.kind == "year":
        return _fmt(h.year)
    if h.kind in ("md", "m"):
        if h.rel == "last_year":
            return _fmt(doc[0] - 1, h.month, h.day) if doc else None
        if h.rel == "this_year":
            return _fmt(doc[0], h.month, h.day) if doc else None
        if h.rel == "last_month_name":
            if not doc:
                return None
            y = doc[0] if (doc[1] and h.month < doc[1]) else doc[0] - 1
            return _fmt(y, h.month, h.day)
        if cite and cite[0]:
            cm, cd = cite[1] or 12, cite[2] or 31
            y = cite[0] if (h.month, h.day or 1) <= (cm, cd) else cite[0] - 1
            return _fmt(y, h.month, h.day)
        if not doc:
            return None
        y = doc[0]
        if doc[1] and (h.month, h.day or 1) > (doc[1], doc[2] or 31):
            y -= 1
        return _fmt(y, h.month, h.day)
    # relative
    if not doc:
        return None
    y, m, d = doc
    r = h.rel or ""
    full = _dt.date(y, m, d) if (m and d) else None
    if r in ("last_year",):
        return _fmt(y - 1)
    if r in ("this_year", "earlier_this_year"):
        return _fmt(y)
    if r in ("this_month", "earlier_this_month"):
        return _fmt(y, m) if m else None
    if r == "last_month":
        if not m:
            return None
        return _fmt(*_shift_months(y, m, -1))
    if r in ("today", "this_morning", "yesterday", "last_night", "last_week") or r.startswith(
            ("weekday:", "days_ago:", "days_before:", "weeks_ago:")):
        if full is None:
            return _fmt(y, m) if m else _fmt(y)
        if r in ("today", "this_morning"):
            return full.isoformat()
        if r in ("yesterday", "last_night"):
            return (full - _dt.timedelta(days=1)).isoformat()
        if r == "last_week":
            return (full - _dt.timedelta(days=7)).strftime("%Y-%m")
        if r.startswith("weekday:"):
            wd = int(r.split(":")[1])
            return (full - _dt.timedelta(days=(full.weekday() - wd) % 7)).isoformat()
        if r.startswith(("days_ago:", "days_before:")):
            return (full - _dt.timedelta(days=int(r.split(":")[1]))).isoformat()
        if r.startswith("weeks_ago:"):
            return (full - _dt.timedelta(days=7 * int(r.split(":")[1]))).strftime("%Y-%m")
    if r.startswith("months_ago:"):
        return _fmt(*_shift_months(y, m, -int(r.split(":")[1]))) if m else None
    if r.startswith("years_ago:"):
        return _fmt(y - int(r.split(":")[1]))
    return None


def parse_date(text: str, doc_date: str | None) -> str | None:
    """First event date expressed in ``text``, as ISO 8601 at the precision stated.

    "on July 13" takes the year of ``doc_date`` (the previous year if that would fall after
    it); "December 17 last year" and "October last year" take the year before; "early January"
    and "mid-2017" keep month/year precision; "yesterday", "on Friday", "last week" need a
    ``doc_date`` precise enough. Returns None when the text states no date it can place.
    """
    return _first_date(text, _parse_iso(doc_date))


def _first_date(text: str, doc: tuple | None, cite: tuple | None = None) -> str | None:
    reported = _cues().reported_re
    hits = _find_dates(text)
    for k, h in enumerate(hits):
        if (h.rel or "").startswith("days_before:"):
            # "on Saturday claimed ... an attack a day earlier": counted back from the date just named
            prior = next((iso for iso in (_resolve(p, doc, cite) for p in reversed(hits[:k])) if iso), None)
            return _days_before(prior, int(h.rel.split(":")[1])) if prior else _resolve(h, doc, cite)
    C = _cues()
    for h in hits:
        if (reported.search(_clause_before(text, h.start, 6)) and not C.event_noun_after_re.match(text, h.end)
                or C.reported_after_re.match(text, h.end)):
            continue  # the day something was said about the event (not "claimed a January 13, 2016 attack")
        iso = _resolve(h, doc, cite)
        if iso:
            return iso
    return None


def _days_before(iso: str, n: int) -> str:
    """``iso`` less ``n`` days, when it names a day (a month or year stays as it is)."""
    d = _parse_iso(iso)
    if d and d[1] and d[2]:
        return (_dt.date(*d) - _dt.timedelta(days=n)).isoformat()
    return iso


def _date_precision(text: str) -> str | None:
    """'day', 'month' or 'year': the finest date the text states (without resolving it)."""
    best = None
    rank = {"year": 0, "month": 1, "day": 2}
    for h in _find_dates(text):
        p = {"full": "day", "md": "day", "monyear": "month", "m": "month", "year": "year"}.get(h.kind)
        if h.kind == "rel":
            p = "day" if (h.rel or "").startswith(("weekday", "yesterday", "today", "last_night", "this_morning", "days_ago",
                                                  "days_before")) else "month"
        if p and (best is None or rank[p] > rank[best]):
            best = p
    return best
