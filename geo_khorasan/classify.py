"""What a sentence says happened at a place: incident, region claim ("contested") or mention.

Pure text functions: no HTML, no gazetteer. Every cue word lives in ``data/cues.yaml``; this
module holds the patterns that combine them:

* ``classify``: the role of one place mention within its sentence, with the incident facts
  (type, date, casualties, actor) or the region status, the cue words that decided and the rule
  that fired (shown to the analyst).
* ``parse_date``, ``parse_casualties``: event dates and casualty figures in free text.
* ``find_citation``: the "(Outlet, Month D, YYYY)" source a sentence cites.
* ``infer_document_date``: when an article was probably written, from the dates it mentions.

Role precedence, when a sentence holds several cues: a cue scoped to the place that makes it
a mere mention (origin "originally from X", title "governor of X", comparison "the size of X",
"from X", inside a citation) wins over an incident located at the place, which wins over a
region claim about it. A place no cue reaches is a plain mention.
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CUES_PATH = DATA_DIR / "cues.yaml"

__all__ = [
    "Classification",
    "classify",
    "parse_date",
    "parse_casualties",
    "find_citation",
    "infer_document_date",
    "load_cues",
]


@dataclass(frozen=True)
class Classification:
    role: str  # "incident" | "contested" | "mention"
    cue: str | None  # the words in the sentence that decided (as written); None for plain mention
    status: str | None = None  # contested: controlled|contested|stronghold|hub|headquarters|safe haven|training|presence
    type: str | None = None  # incident: suicide bombing|bombing|airstrike|drone strike|... |attack
    date: str | None = None  # ISO 8601 as precise as the text allows
    fatalities: int | None = None
    injured: int | None = None
    actor: str | None = None
    rule: str = ""


# ---------------------------------------------------------------------------------------------
# Cue loading and compilation
# ---------------------------------------------------------------------------------------------

_WORDCH = r"[\w’'\-]"


def _phrase_re(phrase: str) -> str:
    """A cues.yaml phrase as a regular expression (see the file's header for the syntax)."""
    phrase = str(phrase)
    if phrase.startswith("re:"):
        return f"(?:{phrase[3:]})"
    words = phrase.split()
    parts = []
    for w in words:
        star = w.endswith("*") and len(w) > 1
        if star:
            w = w[:-1]
        e = re.escape(w)
        if star:
            e += r"[\w’'\-]*"
        parts.append(e)
    body = r"\s+".join(parts)
    pre = r"(?<![\w\-])" if words[0][0].isalnum() else ""
    post = "" if phrase.endswith("*") or not phrase[-1].isalnum() else r"(?![\w])"
    return pre + body + post


def _alt(phrases: Iterable[str]) -> str:
    items = sorted((str(p) for p in phrases), key=lambda p: -len(p))
    return "(?:" + "|".join(_phrase_re(p) for p in items) + ")"


def _cs_alt(patterns: Iterable[str]) -> str:
    """Case-sensitive names: longest first, bounded so that 'IS' is not the start of 'IS-K'."""
    items = sorted((str(p) for p in patterns), key=lambda p: -len(p))
    return r"(?<![\w\-])(?:" + "|".join(items) + r")(?![\w]|-[A-Z0-9])"


class _Cues:
    """Compiled view of cues.yaml."""

    def __init__(self, raw: dict):
        self.raw = raw
        I = re.IGNORECASE
        # incident cues: (type, regex), most specific first
        self.incident_types: list[str] = list(raw["incident_types"])
        self.incident_res = [(t, re.compile(_alt(raw["incident_types"][t]), I)) for t in self.incident_types]
        self.weak_re = re.compile(_alt(raw["weak_incident_cues"]), I)
        self.anaphoric_re = re.compile(
            "|".join(
                (r"(?<![\w])" if p[0].isalnum() else "") + r"\s+".join(map(re.escape, p.split())) + r"(?![\w])"
                for p in sorted(raw["anaphoric_cues"], key=len, reverse=True)
            ),
            I,
        )
        self.specific_plural_re = re.compile(_alt(raw["specific_plural_determiners"]), I)
        self.campaign_re = re.compile(_alt(raw["campaign_cues"]), I)
        self.aggregate_q_re = re.compile(_alt(raw["aggregate_quantifiers"]), I)
        self.aggregate_t_re = re.compile(_alt(raw["aggregate_time_markers"]), I)
        self.hypothetical_re = re.compile(_alt(raw["hypothetical_markers"]), I)
        self.negation_re = re.compile(_alt(raw["negation_markers"]), I)
        preps = _alt(raw["locative_prepositions"])
        blockers = "|".join(map(re.escape, raw["locative_blockers"]))
        self.loc_intro_re = re.compile(
            rf"(?:^|[^\w’'\-])(?P<prep>{preps})\s+(?:(?!(?:{blockers})\b){_WORDCH}+\s+){{0,4}}$", I
        )
        sp = _alt(list(raw["locative_prepositions"]) + list(raw["status_prepositions"]))
        self.status_intro_re = re.compile(
            rf"(?:^|[^\w’'\-])(?P<prep>{sp})\s+(?:(?!(?:{blockers})\b){_WORDCH}+\s+){{0,4}}$", I
        )
        cw = _alt(raw["chain_words"])
        self.chain_gap_re = re.compile(
            rf"^(?:\s|,|[’']s\b|[’']|{cw}|\b[A-Z]{{1,4}}-?\d{{1,3}}\b)*$", I
        )
        self.coord_gap_re = re.compile(
            rf"^\s*,?\s*(?:and|or|as well as|plus)\s+(?:(?:in|at|near|across|throughout)\s+)?"
            rf"(?:(?!(?:{blockers})\b)[a-z][\w’'\-]*\s+){{0,5}}$",
            I,
        )
        self.origin_re = re.compile(_alt(raw["origin_cues"]), I)
        self.movement_re = re.compile(_alt(raw["movement_cues"]), I)
        self.title_re = re.compile(_alt(raw["title_cues"]), I)
        self.comparison_re = re.compile(_alt(raw["comparison_cues"]), I)
        self.status_order: list[str] = list(raw["status_cues"])
        self.status_res = [(s, re.compile(_alt(raw["status_cues"][s]), I)) for s in self.status_order]
        self.weak_status = set(raw.get("weak_status", []))
        self.isk_re = re.compile(_cs_alt(raw["isk_names"]))
        self.militant_re = re.compile(_alt(raw["militant_terms"]), I)
        self.actors = [
            (re.compile(_cs_alt([a["pattern"]])), a.get("name") or "") for a in raw["actors"]
        ]
        self.actor_nouns_re = re.compile(_alt(raw["actor_nouns"]), I)
        # numbers
        nw = {str(k).lower(): int(v) for k, v in raw["number_words"].items()}
        self.number_words = nw
        units = [w for w, v in nw.items() if 1 <= v <= 9 and " " not in w]
        teens = [w for w, v in nw.items() if 10 <= v <= 19 and " " not in w and w != "dozen"]
        tens = [w for w, v in nw.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)]
        U, T, X = "|".join(units), "|".join(teens), "|".join(tens)
        below100 = rf"(?:(?:{X})(?:[\-\s](?:{U}))?|{T}|{U})"
        multi = "|".join(sorted((w for w in nw if " " in w), key=len, reverse=True))
        numword = (
            rf"(?:(?:a|one|{U})\s+hundred(?:\s+(?:and\s+)?{below100})?"
            rf"|(?:{U})\s+dozen|{multi}|dozen|{below100}|zero)"
        )
        quals = _alt(raw["number_qualifiers"])
        self.num_re = re.compile(
            rf"(?<![\w\-,.$])(?P<q>{quals}\s+)?(?P<n>\d{{1,3}}(?:,\d{{3}})+(?![\d])|\d+(?![\d,.]\d)|{numword}(?![\w]))",
            I,
        )
        self.toll_re = re.compile(
            _alt(raw["toll_words"]) + r"(?:[^.;]{0,160}?)\b" + _alt(raw["toll_verbs"]) + r"\s+" + self.num_re.pattern, I
        )
        self.non_person_after_re = re.compile(r"^\s*(?:" + _alt(raw["non_person_units"]) + ")", I)
        self.non_count_before_re = re.compile(_alt(raw["non_count_before"]) + r"\s*$", I)
        self.killed_kw_re = re.compile(_alt(raw["killed_words"]), I)
        self.killing_verb_re = re.compile(_alt(raw["killing_verbs"]), I)
        self.injured_kw_re = re.compile(_alt(raw["injured_words"]), I)
        self.injuring_verb_re = re.compile(_alt(raw["injuring_verbs"]), I)
        # dates
        self.months = {str(k).lower(): int(v) for k, v in raw["months"].items()}
        self.date_prefix_alt = _alt(raw["date_prefixes"])
        self.month_context_re = re.compile(r"(?:^|\W)" + _alt(raw["month_context"]) + r"\s+$", I)
        self.weekdays = [str(w).lower() for w in raw["weekdays"]]
        self.future_re = re.compile(_alt(raw["future_markers"]) + r"(?:\s+[\w’'\-]+){0,2}\s*(?:in\s+|of\s+|by\s+)?$", I)
        self.cite_words = [str(w) for w in raw["citation_name_words"]]


def load_cues(path: str | Path | None = None) -> dict:
    """The raw cue lists (a dict), from ``data/cues.yaml`` unless ``path`` is given."""
    return yaml.safe_load(Path(path or CUES_PATH).read_text(encoding="utf-8"))


@functools.cache
def _cues() -> _Cues:
    return _Cues(load_cues())


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


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
            r"|(?P<n>\d+|" + "|".join(w for w, v in C.number_words.items() if 1 <= v <= 19 and " " not in w)
            + r"|a|an)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago)(?![\w])",
            I,
        ),
    }


_NOT_A_YEAR_AFTER = re.compile(
    r"^\s*(?:people|persons|civilians|fighters|militants|members|men|soldiers|troops|families|recruits|"
    r"students|km|kilometres|kilometers|miles|metres|meters|feet|kg|rupees|dollars|hours|votes|strong)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def _find_dates(text: str) -> tuple[_DateHit, ...]:
    """Every date expression in ``text``, left to right, overlaps resolved (longest wins)."""
    C = _cues()
    R = _date_res()
    hits: list[_DateHit] = []

    def mon_of(m) -> int | None:
        return C.months.get(m.group("mon").lower().rstrip("."))

    for kind, rx in R.items():
        for m in rx.finditer(text):
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
                hits.append(_DateHit(m.start(), m.end(), "m", None, mon_of(m), None, rel=rel))
            elif kind == "year":
                if _NOT_A_YEAR_AFTER.search(text[m.end() :]):
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
                if gd.get("unit"):
                    n = gd["n"].lower()
                    num = 1 if n in ("a", "an") else (int(n) if n.isdigit() else C.number_words.get(n, 0))
                    unit = gd["unit"].lower().rstrip("s")
                    key = f"{unit}s_ago:{num}"
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
    return tuple(out)


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
    if r in ("today", "this_morning", "yesterday", "last_night", "last_week") or r.startswith(("weekday:", "days_ago:", "weeks_ago:")):
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
        if r.startswith("days_ago:"):
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
    for h in _find_dates(text):
        iso = _resolve(h, doc, cite)
        if iso:
            return iso
    return None


def _date_precision(text: str) -> str | None:
    """'day', 'month' or 'year': the finest date the text states (without resolving it)."""
    best = None
    rank = {"year": 0, "month": 1, "day": 2}
    for h in _find_dates(text):
        p = {"full": "day", "md": "day", "monyear": "month", "m": "month", "year": "year"}.get(h.kind)
        if h.kind == "rel":
            p = "day" if (h.rel or "").startswith(("weekday", "yesterday", "today", "last_night", "this_morning", "days_ago")) else "month"
        if p and (best is None or rank[p] > rank[best]):
            best = p
    return best


# ---------------------------------------------------------------------------------------------
# Numbers and casualties
# ---------------------------------------------------------------------------------------------


def _word_number(s: str) -> int | None:
    C = _cues()
    s = re.sub(r"\s+", " ", s.lower().strip())
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", s):
        return int(s.replace(",", ""))
    if s in C.number_words:
        return C.number_words[s]
    m = re.fullmatch(r"(\w+) dozen", s)
    if m and m.group(1) in C.number_words:
        return C.number_words[m.group(1)] * 12
    m = re.fullmatch(r"(a|one|\w+) hundred(?: (?:and )?(.+))?", s)
    if m:
        head = 1 if m.group(1) in ("a", "one") else C.number_words.get(m.group(1))
        if head is None:
            return None
        rest = _word_number(m.group(2)) if m.group(2) else 0
        return None if rest is None else head * 100 + rest
    m = re.fullmatch(r"(\w+)[\- ](\w+)", s)
    if m and m.group(1) in C.number_words and m.group(2) in C.number_words:
        return C.number_words[m.group(1)] + C.number_words[m.group(2)]
    return None


@dataclass
class _Num:
    start: int
    end: int
    value: int


@functools.lru_cache(maxsize=4096)
def _numbers(text: str) -> tuple[_Num, ...]:
    """Person-count candidates: not years, ages, dates, or counts of attacks/years/etc."""
    C = _cues()
    out = []
    for m in C.num_re.finditer(text):
        n = m.group("n")
        v = _word_number(n)
        if v is None:
            continue
        after = text[m.end() :]
        before = text[max(0, m.start() - 25) : m.start()]
        if C.non_person_after_re.search(after):
            continue
        if C.non_count_before_re.search(before):
            continue
        if n.isdigit() and len(n) == 4 and 1900 <= v <= 2099 and not m.group("q"):
            continue  # a year
        if re.search(r"(?:" + "|".join(k.capitalize() for k in C.months) + r")\.?\s*$", before):
            continue  # a day of a month
        if re.match(r"^\s*(?:st|nd|rd|th)\b", after) or re.match(r"^(?:st|nd|rd|th)\b", after):
            continue
        out.append(_Num(m.start(), m.end(), v))
    return tuple(out)


_APPOSITION_RES = [
    re.compile(r"—[^—\n]{1,100}—"),
    re.compile(r"\s–\s[^–\n]{1,100}\s–\s"),
    re.compile(r"\([^()]{0,200}\)"),
    re.compile(
        r",\s*(?:mostly|mainly|many of them|most of them|all of them|among them|some of them|both|"
        r"including|included|of whom|of which)\b[^,;.()]*,",
        re.IGNORECASE,
    ),
    re.compile(r",?\s+(?:including|among them|of whom)\b[^;.()]*", re.IGNORECASE),
    re.compile(
        r",\s*(?:originally|a native|native|a resident|resident|aged|an? \d+-year-old|who\s+(?:was|had been|is))\b[^,;.()]*,",
        re.IGNORECASE,
    ),
]


def _strip_appositions(text: str) -> str:
    """Blank out breakdowns and asides (same length) so counts are read from the main clause."""
    for rx in _APPOSITION_RES:
        text = rx.sub(lambda m: " " * len(m.group(0)), text)
    return text


_AUX = r"(?:were|was|have|has|had|been|being|are|is|got|reportedly|also|all|allegedly|later|subsequently|each)"
_CHAIN_STOP = (
    r"(?:and|killed|killing|dead|died|wounded|injured|injuring|wounding|hurt|including|which|who|that|when|where|"
    r"while|in which|after|before|leaving|left|lost)"
)


def _subject_counts(text: str, kw_re: re.Pattern) -> list[tuple[int, int]]:
    """(position, count) for 'NUM people [and NUM others] were <kw>' patterns."""
    nums = _numbers(text)
    results = []
    for k in kw_re.finditer(text):
        window_start = max(0, k.start() - 180)
        window = text[window_start : k.start()]
        # only look inside the current clause
        cut = max(window.rfind(";"), window.rfind(". "))
        if cut >= 0:
            window_start += cut + 1
            window = text[window_start : k.start()]
        cands = [n for n in nums if window_start <= n.start and n.end <= k.start()]
        for i, n in enumerate(cands):
            total = n.value
            pos = n.end
            ok = False
            j = i
            while True:
                gap = text[pos : k.start()]
                # words after the number up to the keyword (or to the next number in an 'and' chain)
                nxt = cands[j + 1] if j + 1 < len(cands) else None
                if nxt is not None:
                    link = text[pos : nxt.start]
                    m_link = re.fullmatch(
                        rf"(?:\s+(?!{_CHAIN_STOP}\b)[\w’'\-]+){{0,6}}?\s*(?:,\s*|\s+and\s+|,\s+and\s+)", link, re.I
                    )
                    if m_link:
                        total += nxt.value
                        pos = nxt.end
                        j += 1
                        continue
                m_tail = re.fullmatch(
                    rf"(?:\s+(?!{_CHAIN_STOP}\b)[\w’'\-]+){{0,6}}?(?:\s+{_AUX})*\s*", gap, re.I
                )
                ok = bool(m_tail)
                break
            if ok:
                results.append((n.start, total))
                break
    return results


def _object_counts(text: str, verb_re: re.Pattern) -> list[tuple[int, int]]:
    """(position, count) for '<verb> [qualifier] NUM' patterns ('killing 15 people')."""
    nums = {n.start: n for n in _numbers(text)}
    results = []
    for v in verb_re.finditer(text):
        m = re.match(r"\s+", text[v.end() :])
        if not m:
            continue
        p = v.end() + m.end()
        if p in nums:
            results.append((v.start(), nums[p].value))
    return results


_SINGLE_VICTIM = re.compile(
    r"(?:\b(?:[Hh]e|[Ss]he)|(?<![\w])(?:[A-Z][\w’'\-]+\s+){1,4}[A-Z][\w’'\-]+)\s+(?:\w+\s+){0,2}?"
    r"(?:was|had been|has been)\s+(?:\w+\s+)?(?:killed|shot dead|assassinated|gunned down|slain|beheaded|executed)\b"
)


@functools.lru_cache(maxsize=4096)
def parse_casualties(text: str) -> tuple[int | None, int | None]:
    """(fatalities, injured) stated in ``text``; None where no number is given.

    Reads "at least nine ... dead", "killed nearly 20 worshippers", "over 100 people lost their
    lives", "the fatalities ... rose to 54", "A total of 12 militants and two suicide bombers were
    killed" (14), "more than 50 people seriously wounded", "He was killed" (1). Vague amounts
    ("hundreds", "dozens") give None; years, ages, and counts of attacks or recruits are ignored;
    breakdowns after a dash or "including" do not add up.
    """
    C = _cues()
    t = _strip_appositions(text)
    fat: int | None = None
    toll = []
    for m in C.toll_re.finditer(t):
        v = _word_number(m.group("n"))
        if v is not None and not C.non_person_after_re.search(t[m.end() :]):
            toll.append((m.start(), v))
    if toll:
        fat = toll[-1][1]
    else:
        cands = _subject_counts(t, C.killed_kw_re) + _object_counts(t, C.killing_verb_re)
        if cands:
            fat = min(cands)[1]
        elif _SINGLE_VICTIM.search(t):
            fat = 1
    inj: int | None = None
    cands = _subject_counts(t, C.injured_kw_re)
    cands += [c for c in _object_counts(t, C.injuring_verb_re) if not t[c[0] :].lower().startswith(("leaving", "left"))]
    # "leaving 5 dead and 12 injured" is a subject count; "leaving 12 injured" too.
    if cands:
        inj = min(cands)[1]
    return fat, inj


# ---------------------------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------------------------


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
    return spans


# ---------------------------------------------------------------------------------------------
# Document date
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# classify: spans, groups, scopes
# ---------------------------------------------------------------------------------------------


@dataclass
class _Group:
    spans: list[tuple[int, int]]

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass
class _Cue:
    start: int
    end: int
    text: str
    label: str  # incident type or status
    weak: bool = False
    anaphoric: bool = False
    noun: bool = False
    plural: bool = False


_NOUN_EVENT = re.compile(
    r"(?:attacks?|bombings?|blasts?|massacres?|strikes?|airstrikes?|raids?|explosions?|operations?|sieges?|"
    r"shootings?|killings?|assaults?|ambush(?:es)?|clash(?:es)?|kidnappings?|assassinations?|offensive|crackdown|"
    r"carnage|arrests?|eliminations?)$",
    re.IGNORECASE,
)
_PLURAL_EVENT = re.compile(
    r"(?:attacks|bombings|blasts|massacres|strikes|airstrikes|raids|explosions|operations|shootings|killings|"
    r"assaults|ambushes|clashes|kidnappings|assassinations|arrests|eliminations)$",
    re.IGNORECASE,
)
_HARD_AFTER = re.compile(
    r";|\s(?:while|whereas|but)\s|,\s*(?:which|who|where|whereas|while|but|although|though)\b|\.\s|—|\s–\s|\s-\s"
    r"|,\s+(?:having|being|according)\b|\b(?:which|who|whom|whose)\b",
    re.IGNORECASE,
)
_HARD_BEFORE = re.compile(
    r"[;:,()\[\]—–]|\s-\s|\b(?:that|which|who|whom|when|where|while|whereas|but|because|after|before|since|until|"
    r"as|if|than|so)\b",
    re.IGNORECASE,
)
_SCOPE_END = re.compile(
    r",\s*(?:who|which|was|is|were|had|has|and|but|he|she|they|it|where|when)\b"
    r"|\s(?:who|which|that|was|is|were|had|has|when|where|while)\b|[;:!?]|\.\s|\.$|—|\s–\s|\(",
    re.IGNORECASE,
)
_FRAME_RE = re.compile(
    r"^\s*(?:In|At|Near|Inside|Across|Throughout|Outside|Within|Around|Over)\s+(?:(?:the|a|an)\s+)?"
    r"(?:[\w’'\-]+\s+){0,3}$"
)


def _mask(sentence: str, spans: list[tuple[int, int, str]]) -> str:
    chars = list(sentence)
    for s, e, _ in spans:
        for i in range(s, min(e, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _normalise_spans(start: int, end: int, other: Iterable) -> list[tuple[int, int]]:
    spans = {(int(start), int(end))}
    for sp in other or ():
        a, b = int(sp[0]), int(sp[1])
        if b <= a:
            continue
        if a < end and start < b:  # overlaps the target: the target's reading wins
            continue
        spans.add((a, b))
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if out and a < out[-1][1]:
            if (a, b) == (start, end):
                out[-1] = (a, b)
            continue
        out.append((a, b))
    return out


def _build_groups(text: str, spans: list[tuple[int, int]]) -> list[_Group]:
    C = _cues()
    groups: list[_Group] = []
    for sp in spans:
        if groups and C.chain_gap_re.match(text[groups[-1].end : sp[0]]):
            groups[-1].spans.append(sp)
        else:
            groups.append(_Group([sp]))
    return groups


def _words(s: str) -> int:
    return len(re.findall(r"[\w’'\-]+", s))


@functools.lru_cache(maxsize=1024)
def _find_incident_cues(text: str) -> tuple[_Cue, ...]:
    C = _cues()
    raw: list[tuple[int, int, int, str, bool]] = []
    for i, (t, rx) in enumerate(C.incident_res):
        for m in rx.finditer(text):
            raw.append((m.start(), m.end(), i, t, False))
    for m in C.weak_re.finditer(text):
        raw.append((m.start(), m.end(), len(C.incident_res), "attack", True))
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[2]))
    cues: list[_Cue] = []
    for s, e, _, t, weak in raw:
        if any(s < c.end and c.start < e for c in cues):
            continue
        w = text[s:e]
        cues.append(_Cue(s, e, w, t, weak=weak, noun=bool(_NOUN_EVENT.search(w)), plural=bool(_PLURAL_EVENT.search(w))))
    for m in C.anaphoric_re.finditer(text):
        prev = [c for c in cues if c.end <= m.start() and not c.anaphoric]
        if prev and not any(m.start() < c.end and c.start < m.end() for c in cues):
            best = min(prev, key=lambda c: C.incident_types.index(c.label) if c.label in C.incident_types else 99)
            cues.append(_Cue(m.start(), m.end(), text[m.start() : m.end()], best.label, anaphoric=True))
    cues.sort(key=lambda c: c.start)
    return tuple(cues)


def _clause_before(text: str, pos: int, max_words: int = 6) -> str:
    """Up to ``max_words`` words before ``pos`` within the same clause."""
    seg = text[max(0, pos - 80) : pos]
    cut = max(seg.rfind(ch) for ch in ",;:.()—–")
    if cut >= 0:
        seg = seg[cut + 1 :]
    words = re.findall(r"\S+", seg)
    return " ".join(words[-max_words:])


def _is_hypothetical(text: str, cue: _Cue) -> bool:
    C = _cues()
    before = _clause_before(text, cue.start)
    if any(m.group(0) != "May" for m in C.hypothetical_re.finditer(before)):  # "May" the month
        return True
    # an infinitive: "essential to eliminate IS-K", "plans to attack" (not "led to attacks")
    m = re.search(r"(?:^|\s)(\S+\s+)?to$", before, re.I)
    if m and not (m.group(1) and re.match(
        r"(?:led|lead|leads|due|linked|related|prior|up|according|similar|next|close|response|reaction|"
        r"retaliation|rose|risen|claims|claimed)\s", m.group(1), re.I
    )):
        return True
    after = text[cue.end : cue.end + 30]
    if re.match(r"^\s+(?:\w+\s+)?(?:should|could|can|may|might|would|will|must)\b", after, re.I):
        return True
    return False


def _is_negated(text: str, cue: _Cue) -> bool:
    C = _cues()
    return bool(C.negation_re.search(_clause_before(text, cue.start, 5)))


def _is_aggregate(text: str, cue: _Cue, day_date: bool, month_date: bool, any_date: bool = True) -> str | None:
    """The words that make this cue a pattern of events rather than one incident, if any."""
    C = _cues()
    before = _clause_before(text, cue.start, 5)
    qm = None
    for m in C.aggregate_q_re.finditer(before):
        qm = m
    if qm:
        return qm.group(0)
    if cue.plural and not day_date:
        # "at least 60 targeted killings", "over 250 armed clashes": a count of events
        nm = re.search(
            r"(?<![\w,.])(?!(?:19|20)\d\d\b)(\d+|" + "|".join(w for w, v in C.number_words.items() if v > 2 and " " not in w)
            + r")\s+(?:[\w’'\-]+\s+){0,2}$",
            before + " ",
            re.I,
        )
        if nm and not re.search(r"(?:" + "|".join(k.capitalize() for k in C.months) + r")\.?\s+$", before[: nm.start()]):
            return nm.group(1)
    if C.campaign_re.fullmatch(cue.text) and not month_date:
        return cue.text
    if cue.noun and not cue.plural and not any_date:
        if not re.search(
            r"\b(?:a|an|the|this|that|its|their|his|her|one|another|twin|latest|last|first|second|deadly)\b|[’']s\b|\d",
            _clause_before(text, cue.start, 5),
            re.I,
        ):
            return cue.text
    if cue.plural and not month_date:
        if not C.specific_plural_re.search(_clause_before(text, cue.start, 3) + " "):
            return cue.text
    if not day_date:
        return _aggregate_time_marker(text)
    return None


@functools.lru_cache(maxsize=1024)
def _aggregate_time_marker(text: str) -> str | None:
    m = _cues().aggregate_t_re.search(text)
    return m.group(0) if m else None


def _intro(text: str, g: _Group, rx: re.Pattern) -> str | None:
    m = rx.search(text[max(0, g.start - 90) : g.start])
    return m.group("prep") if m else None


def _scoped_mentions(text: str, groups: list[_Group], cites: list[tuple[int, int, str]]) -> dict[int, tuple[str, str, str]]:
    """Groups that are mere mentions: index -> (kind, cue text, rule)."""
    C = _cues()
    out: dict[int, tuple[str, str, str]] = {}
    event_starts = sorted(
        [c.start for c in _find_incident_cues(text) if not c.weak and not c.anaphoric]
        + [c.start for c in _find_status_cues(text)]
    )
    for m in C.origin_re.finditer(text):
        tail = text[m.end() : m.end() + 160]
        e = _SCOPE_END.search(tail)
        stop = m.end() + (e.start() if e else len(tail))
        nxt = [p for p in event_starts if m.end() < p < stop]
        if nxt:
            stop = nxt[0]
        for i, g in enumerate(groups):
            if m.end() <= g.start < stop and i not in out:
                out[i] = ("origin", m.group(0), f"origin cue '{m.group(0)}' scopes the place (origin > incident > contested)")
    near: dict[int, tuple[int, str, str]] = {}
    for kind, rx, maxw in (("movement", C.movement_re, 3), ("title", C.title_re, 3), ("comparison", C.comparison_re, 3)):
        for m in rx.finditer(text):
            for i, g in enumerate(groups):
                if g.start < m.end() or i in out:
                    continue
                gap = text[m.end() : g.start]
                if re.search(r"[,;:()—–.]", gap) or _words(gap) > maxw:
                    continue
                if re.search(r"\b(?:in|at|near|inside|outside)\b", gap, re.I) and kind != "title":
                    continue
                if i not in near or len(gap) < near[i][0]:
                    near[i] = (len(gap), kind, m.group(0))
                break
    for i, (_, kind, cue) in near.items():
        out[i] = (kind, cue, f"{kind} cue '{cue}' right before the place → mention")
    for i, g in enumerate(groups):
        if i in out:
            continue
        before = text[max(0, g.start - 60) : g.start]
        fm = re.search(r"(?:^|\W)(?P<w>from)\s+(?:the\s+)?(?:[a-z][\w’'\-]*\s+){0,2}$", before)
        if fm:
            # "in cities from Jalalabad ... to Quetta": a range, not an origin
            after_grp = text[g.end : g.end + 120]
            if re.match(r"^[^;.]{0,60}?,?\s+to\s+", after_grp) and re.search(
                r"\b(?:in|at|across|throughout)\s+(?:\w+\s+){0,2}from\s+(?:the\s+)?$", before, re.I
            ):
                continue
            out[i] = ("origin", "from", "introduced by 'from' (where someone or something comes from) → mention")
    for i, g in enumerate(groups):
        if any(s <= g.start < e for s, e, _ in cites):
            out[i] = ("citation", None, "inside a source citation → mention")
    return out


def _range_to_groups(text: str, groups: list[_Group], i: int) -> list[int]:
    """For 'from X ... to Y', the index of Y's group given X's."""
    out = []
    for j in range(i + 1, len(groups)):
        gap = text[groups[j - 1].end : groups[j].start]
        if re.fullmatch(r"[^;.]{0,60}?,?\s+to\s+(?:the\s+)?(?:[a-z][\w’'\-]*\s+){0,2}", gap):
            out.append(j)
        break
    return out


def _coordinated(text: str, groups: list[_Group], i: int, blocked: set[int]) -> list[int]:
    C = _cues()
    out = [i]
    j = i + 1
    while j < len(groups):
        gap = text[groups[j - 1].end : groups[j].start]
        if j in blocked or not C.coord_gap_re.match(gap):
            break
        out.append(j)
        j += 1
    return out


def _locate_incident(text: str, cue: _Cue, groups: list[_Group], blocked: set[int]) -> list[int]:
    """Indices of the place groups where the event of ``cue`` happened (may be empty)."""
    C = _cues()
    # the place as a modifier of the event noun: "the Lahore park bombing", "the Moscow attack"
    if cue.noun:
        for i, g in enumerate(groups):
            if g.end <= cue.start and i not in blocked:
                gap = text[g.end : cue.start]
                if re.fullmatch(r"(?:[’']s)?(?:\s+[\w’'\-]+){0,2}\s+", gap) and not re.search(
                    r"\b(?:in|at|of|and|or|the|by|to|from|with|was|is|has|had)\b", gap, re.I
                ):
                    return [i]
    # after the cue: the first place introduced by a locative preposition, in the same clause
    # (a place glued to a following capitalised word, "a Baluchistan Awami Party rally", is
    # probably part of a name: kept only if nothing better follows)
    fallback: list[int] = []
    for i, g in enumerate(groups):
        if g.start < cue.end:
            continue
        gap = text[cue.end : g.start]
        if len(gap) > 170 or _HARD_AFTER.search(gap) or C.anaphoric_re.search(gap):
            break
        if i in blocked:
            if groups[i].start - cue.end > 0:
                continue
        if _intro(text, g, C.loc_intro_re):
            res = _coordinated(text, groups, i, blocked)
            if _name_like(text, groups[res[-1]]) and not fallback:
                fallback = res
                continue
            return res
        # range "in cities from X ... to Y"
        before = text[max(0, g.start - 60) : g.start]
        if re.search(r"\b(?:in|at|across|throughout)\s+(?:\w+\s+){0,2}from\s+(?:the\s+)?$", before, re.I):
            res = _coordinated(text, groups, i, blocked)
            for j in _range_to_groups(text, groups, res[-1]):
                res += _coordinated(text, groups, j, blocked)
            return res
    if fallback:
        return fallback
    # before the cue: "security forces in Karachi arrested", "in Kabul, killing 5"
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g.end > cue.start:
            continue
        gap = text[g.end : cue.start]
        participle = re.fullmatch(r"\s*,\s*", gap) and re.match(r"(?i)(?:killing|injuring|wounding|leaving)", cue.text)
        if participle:
            pass
        elif _HARD_BEFORE.search(gap) or _words(gap) > 5:
            break
        if i in blocked:
            break
        if _intro(text, g, C.loc_intro_re):
            return [i]
        break
    return []


def _name_like(text: str, g: _Group) -> bool:
    """The place is followed by a capitalised word that is not a place word: part of a name."""
    C = _cues()
    m = re.match(r"^\s([A-Z][\w’'\-]+)", text[g.end : g.end + 40])
    return bool(m) and not C.chain_gap_re.match(" " + m.group(1))


def _frame_index(text: str, groups: list[_Group], blocked: set[int]) -> int | None:
    if not groups or 0 in blocked:
        return None
    g = groups[0]
    if not _FRAME_RE.match(text[: g.start]):
        return None
    C = _cues()
    after = text[g.end : g.end + 40]
    if re.match(r"^\s*(?:" + _alt(C.raw["chain_words"]) + r"\s*)*,", after, re.I):
        return 0
    return None


def _find_actor(text: str, lo: int, hi: int, cue_pos: int | None) -> str | None:
    """Who did or claimed the event described in text[lo:hi]."""
    C = _cues()
    matches: list[tuple[int, int, str]] = []
    for m in C.isk_re.finditer(text):
        matches.append((m.start(), m.end(), m.group(0)))
    for rx, name in C.actors:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e, _ in matches):
                continue
            matches.append((m.start(), m.end(), name or m.group(0)))
    matches.sort()

    def target_like(s: int) -> bool:
        before = text[max(0, s - 40) : s]
        return bool(
            re.search(
                r"\b(?:against|targeting|targeted|on|to|with|from|of|towards?|fight|fighting|defeat|join|joined|"
                r"allegiance\s+to|links\s+(?:to|with))\s+(?:(?:the|a|an|high-value|suspected|alleged|senior)\s+)*$",
                before,
                re.I,
            )
        )

    # 1. claims and attributions anywhere in the sentence
    for m in re.finditer(r"\bclaim(?:ed|s)?\s+(?:the\s+)?responsibility", text, re.I):
        prev = [x for x in matches if x[1] <= m.start() and not re.search(r"[;.]", text[x[1] : m.start()])]
        if prev:
            return prev[-1][2]
    for s, e, name in matches:
        before = text[max(0, s - 40) : s]
        if re.search(r"\b(?:attributed|blamed\s+(?:it\s+)?on|claimed\s+by|sent\s+by|responsibility\s+of)\s+(?:the\s+)?$", before, re.I) or re.search(
            r"\b(?:attributed\s+to|blamed\s+on)\s+(?:the\s+)?$", before, re.I
        ):
            return name
    # 2. "by X" close to the event cue, in the same clause
    for s, e, name in matches:
        if lo <= s < hi and re.search(r"\bby\s+(?:the\s+|a\s+|an\s+)?$", text[max(0, s - 10) : s], re.I):
            if cue_pos is None:
                return name
            a, b = sorted((cue_pos, s))
            if b - a <= 90 and not _HARD_AFTER.search(text[a:b]) and not re.search(r"[;—–]", text[a:b]):
                return name
    # 3. "an ISK-P suicide bomber", "IS-K militants", "ISK-P's ... bombing"
    for s, e, name in matches:
        if lo <= s < hi and (cue_pos is None or s <= cue_pos):
            after = text[e : e + 60]
            if re.match(r"^[’']s\s+(?:[\w\-]+\s+){0,4}?(?:attack|bombing|blast|massacre|assault|raid|strike|operation)", after, re.I):
                return name
            if not target_like(s) and re.match(r"^(?:[’']s)?\s+(?:[\w\-]+\s+){0,3}?" + C.actor_nouns_re.pattern, after, re.I):
                return name
    # 4. the nearest actor before the event cue in the same part of the sentence (its subject)
    if cue_pos is not None:
        prev = [x for x in matches if lo <= x[0] and x[1] <= cue_pos and not target_like(x[0])]
        if prev:
            return prev[-1][2]
    return None


def _has_militant(text: str) -> bool:
    C = _cues()
    return bool(C.isk_re.search(text) or C.militant_re.search(text))


def _group_text(sentence: str, g: _Group) -> str:
    return re.sub(r"\s+", " ", sentence[g.start : g.end])


@functools.lru_cache(maxsize=1024)
def _find_status_cues(text: str) -> tuple[_Cue, ...]:
    C = _cues()
    raw = []
    for i, (status, rx) in enumerate(C.status_res):
        for m in rx.finditer(text):
            raw.append((m.start(), m.end(), i, status))
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[2]))
    out: list[_Cue] = []
    for s, e, _, status in raw:
        if any(s < c.end and c.start < e for c in out):
            continue
        out.append(_Cue(s, e, text[s:e], status))
    return tuple(out)


def _status_governs(text: str, cue: _Cue, groups: list[_Group], blocked: set[int], frame: int | None = None) -> list[int]:
    """Place groups a region-status cue speaks about: the nearest one after it ("bases in X") or
    right before it ("X remains the hub", "X-based"); through the sentence frame otherwise."""
    C = _cues()
    # attached: "Afghanistan-based", "ISK-P-controlled districts of Darzab"
    for i, g in enumerate(groups):
        if g.end == cue.start and cue.text.startswith("-"):
            return [] if i in blocked else [i]
    after: tuple[int, list[int]] | None = None
    for i, g in enumerate(groups):
        if g.start < cue.end:
            continue
        gap = text[cue.end : g.start]
        if len(gap) > 90 or re.search(r"[,;:()—–]|\.\s", gap) or _HARD_AFTER.search(gap):
            break
        if _words(gap) > 12 or re.search(
            r"\b(?:against|from|by|with|that|wake|during|after|before|since|because|although|until)\b"
            r"|\band\s+(?:this|these|that|those|it|they|he|she|we|its|their)\b",
            gap,
            re.I,
        ):
            break
        if i in blocked:
            break
        if re.fullmatch(r"\s*(?:(?:the|its|their|a)\s+)?", gap) or _intro(text, g, C.status_intro_re):
            after = (len(gap), _coordinated(text, groups, i, blocked))
        break
    before: tuple[int, list[int]] | None = None
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g.end > cue.start:
            continue
        gap = text[g.end : cue.start]
        if re.fullmatch(r"\s*,\s*(?:its|the|their|a|an)\s+(?:[\w’'\-]+\s+){0,3}", gap):
            before = None if i in blocked else (len(gap), [i])
            break
        if re.search(r"[,;:()—–]|\.\s", gap) or _HARD_BEFORE.search(gap.replace("’s", "").replace("'s", "")) or _words(gap) > 5:
            break
        if i not in blocked:
            before = (len(gap), [i])
        break
    if after and before:
        return before[1] if before[0] < after[0] else after[1]
    if after or before:
        return (after or before)[1]
    # "In the Darzab district of Jowzjan, 300 young people have been recruited ..."
    if frame is not None and groups[frame].end < cue.start:
        between = [g for g in groups[frame + 1 :] if g.start < cue.start]
        if not between and not re.search(r"[;]|\.\s", text[groups[frame].end : cue.start]):
            return [frame, -1]  # -1: governed through the frame, distance means nothing
    return []


def _distance(g: _Group, c: _Cue) -> int:
    if c.end <= g.start:
        return g.start - c.end
    if g.end <= c.start:
        return c.start - g.end
    return 0


def classify(
    sentence: str,
    start: int,
    end: int,
    doc_date: str | None = None,
    other_places: Iterable[tuple[int, int]] = (),
) -> Classification:
    """Role of the place mention ``sentence[start:end]`` within the sentence.

    ``doc_date`` is the article's (possibly inferred) date, used to anchor relative dates;
    ``other_places`` are the spans of the other place mentions in the same sentence. The
    event's location is normally the place introduced by 'in/at/near' closest after the event
    cue (or right before it: "security forces in Karachi arrested"); places joined to it by
    "of", ",", "in", "'s" ("the Khairkhana area of Kabul city") share its role.
    """
    C = _cues()
    cites = _sentence_citations(sentence)
    text = _mask(sentence, cites)
    if any(s <= start < e for s, e, _ in cites):
        return Classification("mention", None, rule="mention: inside a source citation")
    spans = [sp for sp in _normalise_spans(start, end, other_places) if not any(s <= sp[0] < e for s, e, _ in cites)]
    groups = _build_groups(text, spans)
    ti = next(i for i, g in enumerate(groups) if (start, end) in g.spans)
    tg = groups[ti]
    doc = _parse_iso(doc_date)
    cite_text = cites[-1][2] if cites else None

    # 1. mention cues scoped to the place
    scoped = _scoped_mentions(text, groups, cites)
    if ti in scoped:
        _kind, cue, rule = scoped[ti]
        return Classification("mention", cue, rule=f"mention: {rule}")
    blocked = set(scoped)

    # 2. incidents
    day_date = _date_precision(text) == "day"
    month_date = _date_precision(text) in ("day", "month")
    any_date = _date_precision(text) is not None or bool(cites)
    cues = _find_incident_cues(text)
    live: list[_Cue] = []
    for c in cues:
        if c.anaphoric:
            live.append(c)
            continue
        if _is_hypothetical(text, c) or _is_negated(text, c):
            continue
        live.append(c)
    located: dict[int, list[int]] = {}  # cue index in live -> group indices
    for k, c in enumerate(live):
        located[k] = _locate_incident(text, c, groups, blocked)
    agg_words: dict[int, str | None] = {
        k: (None if c.anaphoric else _is_aggregate(text, c, day_date, month_date, any_date)) for k, c in enumerate(live)
    }
    casualties_any = parse_casualties(text) != (None, None)
    weak_ok = month_date or casualties_any

    def usable(k: int) -> bool:
        c = live[k]
        if agg_words[k]:
            return False
        if c.weak and not weak_ok:
            return False
        return True

    incident_groups: dict[int, list[int]] = {}
    for k, gl in located.items():
        if not usable(k):
            continue
        for gi in gl:
            incident_groups.setdefault(gi, []).append(k)
    frame = _frame_index(text, groups, blocked)
    unlocated = [k for k in located if not located[k] and usable(k)]
    if not incident_groups and frame is not None and unlocated:
        incident_groups[frame] = list(unlocated)

    if ti in incident_groups:
        order = sorted(incident_groups)
        # segment of the sentence belonging to this event
        pos = order.index(ti)
        seg_lo, seg_hi = 0, len(text)
        if pos > 0:
            seg_lo = _split_point(text, groups[order[pos - 1]], tg, live, incident_groups[ti])
        if pos + 1 < len(order):
            seg_hi = _split_point(text, tg, groups[order[pos + 1]], live, incident_groups[order[pos + 1]])
        own = set(incident_groups[ti])
        pool = [k for k in range(len(live)) if usable(k) and (k in own or (not located[k] and seg_lo <= live[k].start < seg_hi))]
        if not pool:
            pool = list(own)
        best = min(pool, key=lambda k: (_type_rank(live[k]), abs(live[k].start - tg.start)))
        bc = live[best]
        seg = text[seg_lo:seg_hi]
        cite_anchor = _cite_anchor(cite_text)
        date = _first_date(seg, doc, cite_anchor)
        date_note = ""
        if date is None and cite_text:
            date = _first_date(cite_text, doc)
            if date:
                date_note = " date from the citation;"
        fat, inj = parse_casualties(seg)
        actor = _find_actor(text, seg_lo, seg_hi, bc.start)
        loc = [k for k in own if located[k]]
        lc = live[min(loc, key=lambda k: _distance(tg, live[k]))] if loc else bc
        if ti == frame and not loc:
            how = f"place frames the sentence ('In X, ...') and no other place is the event's location (cue '{lc.text}')"
        elif lc.end <= tg.start:
            how = f"place introduced by a locative preposition after {'anaphoric ' if lc.anaphoric else ''}event cue '{lc.text}'"
        else:
            how = f"place located just before event cue '{lc.text}'"
        chain = f"; location chain '{_group_text(sentence, tg)}'" if len(tg.spans) > 1 else ""
        typed = "" if lc is bc else f"; type from cue '{bc.text}'"
        rule = f"incident: {how} → {bc.label}{typed}{chain};{date_note} precedence origin > incident > contested"
        return Classification(
            "incident",
            sentence[bc.start : bc.end],
            type=bc.label,
            date=date,
            fatalities=fat,
            injured=inj,
            actor=actor,
            rule=rule,
        )

    # 3. region claims
    militant = _has_militant(text)
    claims: list[tuple[int, _Cue, str]] = []  # (distance, cue, status)
    for c in _find_status_cues(text):
        if _is_hypothetical(text, c) or _is_negated(text, c):
            continue
        if c.label in C.weak_status and not militant:
            continue
        gov = _status_governs(text, c, groups, blocked, frame)
        if ti in gov:
            claims.append((10**6 if -1 in gov else _distance(tg, c), c, c.label))
    # "IS-K in Sindh province"
    for m in C.isk_re.finditer(text):
        gap = text[m.end() : tg.start]
        if tg.start >= m.end() and re.fullmatch(r"\s+in\s+(?:(?:the|its)\s+)?(?:[a-z][\w’'\-]*\s+){0,2}", gap):
            c_end = m.end() + len(re.match(r"\s+in", gap).group(0))
            c = _Cue(m.start(), c_end, text[m.start() : c_end], "presence")
            claims.append((_distance(tg, c), c, "presence"))
    # patterns of events located here ("has perpetrated attacks in ...") show activity there
    for k, gl in located.items():
        c = live[k]
        if ti in gl and agg_words[k] and militant:
            claims.append((_distance(tg, c), c, "presence"))
    if claims:
        _dist, c, status = min(claims, key=lambda x: (x[0], C.status_order.index(x[2]) if x[2] in C.status_order else 99))
        agg = c in live and agg_words.get(live.index(c))
        actor = None
        if c.text.startswith("-"):
            pm = C.isk_re.search(text[max(0, c.start - 25) : c.start] + " ")
            actor = pm.group(0) if pm else None
            if actor is None:
                for rx, name in C.actors:
                    am = rx.search(text[max(0, c.start - 25) : c.start] + " ")
                    if am:
                        actor = name or am.group(0)
                        break
        if actor is None:
            am = C.isk_re.search(text)
            actor = am.group(0) if am else None
        date = _first_date(text, doc, _cite_anchor(cite_text))
        if date is None and cite_text:
            date = _first_date(cite_text, doc)
        if agg:
            rule = f"contested: a pattern of events ('{agg}') located at the place shows presence"
        elif c.text.lower().endswith(" in") and C.isk_re.match(c.text):
            rule = f"contested: '{c.text}' + place reads as the group's presence there"
        else:
            rule = f"contested: status cue '{c.text}' ({status}) governs the place"
        if len(tg.spans) > 1:
            rule += f" (location chain '{_group_text(sentence, tg)}')"
        return Classification("contested", sentence[c.start : c.end], status=status, date=date, actor=actor, rule=rule)

    # 4. plain mention, with the reason
    if incident_groups:
        names = ", ".join(f"'{_group_text(sentence, groups[i])}'" for i in sorted(incident_groups))
        if ti == frame:
            return Classification("mention", None, rule=f"mention: framing place; the event is located at {names}")
        return Classification("mention", None, rule=f"mention: the event cue refers to another place ({names})")
    if any(ti in gl for gl in located.values()):
        k = next(k for k, gl in located.items() if ti in gl)
        why = (
            f"a pattern of events ('{agg_words[k]}'), not one incident"
            if agg_words[k]
            else f"weak cue '{live[k].text}' without a date or casualty figure"
        )
        return Classification("mention", None, rule=f"mention: {why}")
    if cues and not live:
        return Classification("mention", None, rule="mention: event cues are hypothetical or negated")
    return Classification("mention", None, rule="mention: no incident or status cue reaches the place")


def _type_rank(c: _Cue) -> int:
    C = _cues()
    r = C.incident_types.index(c.label) if c.label in C.incident_types else len(C.incident_types)
    return r + (100 if c.weak else 0)


def _split_point(text: str, g1: _Group, g2: _Group, live: list[_Cue], cues2: list[int]) -> int:
    """Where the part of the sentence about the event at g1 ends and the one about g2 begins."""
    C = _cues()
    lo, hi = g1.end, g2.start
    gap = text[lo:hi]
    best = None
    for m in re.finditer(r";|,\s+while\b|\swhile\b|\swhereas\b|,\s+and\b|\.\s", gap, re.I):
        best = lo + m.start()
    for m in C.anaphoric_re.finditer(gap):
        best = lo + m.start()
    if best is not None:
        return best
    inside = [live[k].start for k in cues2 if lo <= live[k].start < hi]
    if inside:
        return min(inside)
    return lo


def _cite_anchor(cite_text: str | None) -> tuple | None:
    """(y, m, d) of the first dated part of a citation, when it states a year."""
    if not cite_text:
        return None
    for h in _find_dates(cite_text):
        if h.kind in ("full", "monyear", "year") and h.year:
            return (h.year, h.month, h.day)
    return None
