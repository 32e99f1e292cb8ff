"""Find the place names an article writes.

Candidates are runs of capitalised words; a run (or part of it) is a place when the
gazetteer knows the name and the rest of the run does not make it a person's,
an organisation's or an outlet's name. Vague regions are found by their phrases
from ``data/regions.yaml``. Names the gazetteer lacks are kept when the words
around them say they are places ("Alkhani village"), so that they can fall back
to the place that contains them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import ahocorasick


from .gazetteer.index import Gazetteer
from .gazetteer.names import keys, split_level
from .knowledge import load_csv, load_yaml
from .reading.datelines import datelines
from .records import Document, Mention
from .vocabulary import lower_for_search

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_](?:[\w'’\-]*[^\W_])?")
# A parenthetical holding a date is a citation: "(Dawn, June 8, 2017)". Outlet names there are not places.
_CITATION = re.compile(r"\((?=[^()]*(?:\b(?:1[89]|20)\d\d\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d))[^()]*\)")
#: The most words a place name may have ("Dera Ismail Khan District", "Sar-e Pul Province").
MAX_NAME_WORDS = 7
_EZAFE = {"e", "i", "ye", "ul", "ud", "us", "al", "el", "y"}


@dataclass(frozen=True)
class Words:
    stop: frozenset[str]
    person: frozenset[str]
    organisation: frozenset[str]
    place: frozenset[str]
    level_after: dict[str, str]
    level_before: dict[str, str]
    directions: frozenset[str]
    not_places: frozenset[str]
    group_name: re.Pattern[str]  # text before a place that makes it part of a group's name
    group_after: re.Pattern[str]  # text after a place that makes it part of a group's name
    titles: tuple[tuple[str, ...], ...]  # officials' titles, as word sequences, that end a place's run
    government_seats: frozenset[str]
    attributive_suffixes: frozenset[str]
    institution_heads: frozenset[str]
    government_verbs: frozenset[str]


@cache
def words() -> Words:
    raw = load_yaml("recognise.yaml")
    low = lambda xs: frozenset(x.lower() for x in xs)  # noqa: E731
    return Words(low(raw["stopwords"]), low(raw["person_words"]), low(raw["organisation_words"]),
                 low(raw["place_words"]), raw["level_after"], raw["level_before"], low(raw["directions"]),
                 low(raw["not_places"]),
                 re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in raw["organisation_before"])
                            + r")(?:['’]s)?\s*(?:[-–—:]|\b(?i:in|of)\b)?\s*(?:the\s+)?$"),
                 re.compile(r"^\s+(?:" + "|".join(re.escape(w) for w in raw["organisation_after"]) + r")\b", re.I),
                 tuple(sorted({tuple(t.split()) for t in raw["official_titles"]}, key=len, reverse=True)),
                 frozenset(raw["government_seats"]), low(raw["attributive_suffixes"]), low(raw["institution_heads"]), low(raw["government_verbs"]))


@cache
def outlets() -> re.Pattern[str]:
    """Whole outlet names (data/outlets.csv), longest first, case as written."""
    names = sorted({row["name"] for row in load_csv("outlets.csv")}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


@cache
def _outlet_names() -> ahocorasick.Automaton:
    """The outlet names as one automaton: where one of them starts, ``outlets()`` may match."""
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for row in load_csv("outlets.csv"):
        automaton.add_word(row["name"])
    automaton.make_automaton()
    return automaton


def _outlet_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``outlets().finditer(text)``, trying the pattern only where an outlet's name
    starts (every match starts with one): the same matches, without a scan of every position."""
    pattern = outlets()
    starts = sorted({end - length + 1 for end, length in _outlet_names().iter(text)})
    out, pos = [], 0
    for s in starts:
        if s >= pos:
            m = pattern.match(text, s)
            if m:
                out.append(m.span())
                pos = m.end()
    return out


def _stands_for_government(text: str, s: int, e: int, w: Words) -> bool:
    """"Washington said", "designated by Washington", "between Islamabad and the TTP"."""
    if text[s:e] not in w.government_seats or re.search(r"\b(?:in|at|from|near)\s+$", text[max(0, s - 8):s]):
        return False  # "authorities in Islamabad say": the city itself
    after = re.match(r"[ \t]+([a-z]+)", text[e:e + 20])
    if after and after.group(1) in w.government_verbs:
        return True
    before = text[max(0, s - 40):s]
    return bool(re.search(r"(?:\bby|\bbetween)\s+$", before))




@cache
def region_phrases() -> list[tuple[re.Pattern[str], str]]:
    spec = load_yaml("regions.yaml")
    out = []
    for key, r in spec["regions"].items():
        for phrase in {r["name"], *r.get("names", [])}:
            pat = r"\s+".join(re.escape(w) for w in phrase.split())
            out.append((re.compile(rf"(?<![\w-])(?:the\s+)?{pat}(?![\w-])", re.I), f"region:{key}"))
    # longest phrases first so that "tribal lands of Afghanistan and Pakistan" beats "tribal"
    return sorted(out, key=lambda x: -len(x[0].pattern))


def _phrase_matches(pattern: re.Pattern[str], first: str | None, text: str, low: str | None):
    """``pattern.finditer(text)`` for a pattern of ``region_phrases()`` whose phrase starts with the
    ASCII word ``first``: the pattern is tried only where that word starts in the text, or at the
    "the" before it (every match starts at one of them), so the matches are the same."""
    if first is None or low is None or len(low) != len(text) or first in "the":
        yield from pattern.finditer(text)
        return
    pos = 0
    q = low.find(first)
    while q >= 0:
        k = q
        while k > 0 and text[k - 1].isspace():
            k -= 1
        starts = (k - 3, q) if k < q and low.startswith("the", k - 3) and k >= 3 else (q,)
        for s in starts:
            if s >= pos:
                m = pattern.match(text, s)
                if m:
                    yield m
                    pos = m.end()
                    break
        q = low.find(first, max(q + 1, pos))


@cache
def _region_firsts() -> list[str | None]:
    """The first word of each of ``region_phrases()``, in lower case (None when not plain ASCII)."""
    out = []
    for pattern, _ in region_phrases():
        body = pattern.pattern.removeprefix(r"(?<![\w-])(?:the\s+)?").removesuffix(r"(?![\w-])")
        first = re.sub(r"\\(.)", r"\1", body.split(r"\s+")[0])
        out.append(first.lower() if first and first.isascii() and not re.search(r"\s|\\", first) else None)
    return out


@cache
def _region_words() -> list[tuple[str, ...]]:
    """For each of ``region_phrases()``, the plain ASCII words every match of it holds, in lower
    case: a text without one of them is not scanned for the phrase."""
    out = []
    for pattern, _ in region_phrases():
        body = pattern.pattern.removeprefix(r"(?<![\w-])(?:the\s+)?").removesuffix(r"(?![\w-])")
        words = [re.sub(r"\\(.)", r"\1", w) for w in body.split(r"\s+")]
        out.append(tuple(w.lower() for w in words if w and w.isascii()))
    return out


class _Tok:
    """A word of the text: ``low`` and ``capitalised`` are read once, when it is made."""

    __slots__ = ("start", "end", "text", "possessive", "low", "capitalised")

    def __init__(self, start: int, end: int, text: str, possessive: bool):
        self.start, self.end, self.text, self.possessive = start, end, text, possessive
        self.low = text.lower()
        self.capitalised = text[0].isupper()

    def __repr__(self) -> str:
        return f"_Tok({self.start}, {self.end}, {self.text!r}, {self.possessive})"


def _particle(t: _Tok) -> bool:
    """An ezafe or joining particle ("e" of "Sar-e Pul"); "US" in capitals is a name."""
    return t.low in _EZAFE and not t.text.isupper()


def _tokens(text: str) -> list[_Tok | None]:
    """The words of ``text`` that may be part of a name (capitalised, or a particle such as "e"),
    each as a ``_Tok``; ``None`` stands for the other words between them (each ends a run of
    names), one None for several. Words with a digit are left out."""
    out: list[_Tok | None] = []
    attributive = words().attributive_suffixes
    for m in _TOKEN.finditer(text):
        t = m.group()
        if not t[0].isupper() and (len(t) > 4 or t.isalpha() and t.lower() not in _EZAFE):
            # not a name, nor a particle once a possessive is cut off ("ye's"): only ends a run
            # (a short word of letters only has no possessive nor digit to look at: "of", "was")
            if out and out[-1] is None:
                continue
            if t.isalpha() or not any(ch.isdigit() for ch in t):
                out.append(None)
            continue
        s, e = m.span()
        poss = False
        if t[-1] in "s'’":
            for suffix in ("’s", "'s", "’", "'"):
                if t.endswith(suffix) and len(t) > len(suffix) + 1:
                    t, e, poss = t[: -len(suffix)], e - len(suffix), True
                    break
        if "-" in t:
            head, _, tail = t.rpartition("-")
            if head and tail in attributive and head[0].isupper():
                t, e = head, s + len(head)  # "Afghanistan-based": the place, then what it qualifies
        if not t.isalpha() and any(ch.isdigit() for ch in t):
            continue
        if not t[0].isupper() and t.lower() not in _EZAFE:
            if not (out and out[-1] is None):
                out.append(None)
            continue
        out.append(_Tok(s, e, t, poss))
    return out


def _runs(text: str, toks: list[_Tok | None]) -> list[list[_Tok]]:
    """Runs of capitalised tokens joined only by spaces (ezafe particles may sit inside)."""
    runs, cur = [], []
    stop = words().stop
    n = len(toks)
    for i, t in enumerate(toks):
        if t is None:  # a word that is no part of a name
            if cur:
                runs.append(cur)
            cur = []
            continue
        if cur:
            last = cur[-1]
            gap = text[last.end:t.start]
            joined = not last.possessive and gap.strip() == "" and "\n" not in gap
        else:
            joined = False
        if t.capitalised and (t.low not in stop or (len(t.text) > 1 and t.text.isupper())):
            if cur and not joined:
                runs.append(cur)
                cur = []
            cur.append(t)
        elif joined and t.low in _EZAFE and i + 1 < n and toks[i + 1] is not None and toks[i + 1].capitalised:
            cur.append(t)  # a particle inside a name ("Sar-e Pul")
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _before_title(run: list[_Tok], w: Words) -> list[_Tok]:
    """The run up to an official's title after its first word: "Dadu" of "Dadu SSP Shabbir Ahmed"."""
    by_first = _titles_by_first(w.titles)
    lows = [t.low for t in run]
    for k in range(1, len(run)):
        for title in by_first.get(lows[k], ()):
            if title == tuple(lows[k:k + len(title)]):
                return run[:k]
    return run


@cache
def _titles_by_first(titles: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The titles in lower case, by their first word."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for title in titles:
        low = tuple(x.lower() for x in title)
        out.setdefault(low[0], []).append(low)
    return {k: tuple(v) for k, v in out.items()}


def _word_after(text: str, end: int) -> tuple[str, int] | None:
    m = _WORD_AFTER.match(text, end)  # at ``end``, not on a copy of the rest of the text
    return (m.group(1), m.end()) if m else None


_WORD_AFTER = re.compile(r"[ \t]+([A-Za-z]+)")


@cache
def _level_before_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"\b(?:the|a)\s+{re.escape(phrase)}\s+(?:the\s+)?$"), level)
                 for phrase, level in words().level_before.items())


def _level_before(text: str, start: int) -> str | None:
    before = text[max(0, start - 24):start].lower()
    for pattern, level in _level_before_patterns():
        # "the city of Kerman", "the villages of Moghul and Sar Dara" -- but not "X district of Y"
        if pattern.search(before):
            return level
    wide = text[max(0, start - 60):start]
    m = re.search(r"\bthe\s+(villages|areas)\s+of\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s+and\s+$", wide)
    if m:
        return "village" if m.group(1) == "villages" else "area"
    return None


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    before = re.search(r"([A-Za-z][\w'’-]*)[ \t]+$", text[max(0, start - 30):start])
    after = re.match(r"[ \t]+([A-Za-z][\w'’-]*)", text[end:end + 30])
    w = words()
    if before and before.group(1)[0].isupper() and before.group(1).lower() not in w.stop:
        return True
    if after and after.group(1)[0].isupper() and after.group(1).lower() not in w.stop | w.place:
        return True
    # "Khorasan Province" is the group's name for its branch ("Islamic State's Khorasan Province")
    return bool(after and (after.group(1) == "Province" or after.group(1) == "province" and before
                           and before.group(1).lower() in w.stop))


class Recogniser:
    def __init__(self, gazetteer: Gazetteer):
        self.gaz = gazetteer
        self._known: dict[str, bool] = {}

    def _is_known(self, name: str) -> bool:
        if name not in self._known:
            key, _ = split_level(name)
            exact, loose = keys(key)
            ok = len(exact.replace(" ", "")) >= 3 or name.isupper()
            # the index's key hashes rule out most words without a query; the rest are looked up
            self._known[name] = bool(ok and self.gaz.may_match_keys(exact, loose) and self.gaz.match_keys(exact, loose))
        return self._known[name]

    def mentions(self, doc: Document) -> list[Mention]:
        text = doc.text
        w = words()
        taken: list[tuple[int, int]] = []
        found: list[Mention] = []

        def free(s: int, e: int) -> bool:
            return all(e <= a or s >= b for a, b in taken)

        def add(s: int, e: int, **kw) -> None:
            if (w.group_name.search(text[max(0, s - 44):s]) or w.group_after.match(text[e:e + 16])
                    or _stands_for_government(text, s, e, w)):
                return  # "Islamic State in Khorasan" is the group, "Washington said" the government

            ss, se = doc.sentence_at(s)
            found.append(Mention(doc=doc.id, start=s, end=e, text=text[s:e], sentence_start=ss, sentence_end=se, **kw))
            taken.append((s, e))

        low = lower_for_search(text)
        for (pattern, region_id), needed, first in zip(region_phrases(), _region_words(), _region_firsts()):
            if low is not None and not all(w in low for w in needed):
                continue  # a word of the phrase is not in the text
            for m in _phrase_matches(pattern, first, text, low):
                s = m.start() + (4 if m.group().lower().startswith("the ") else 0)
                if _inside_longer_name(text, s, m.end()):
                    continue  # "Azad Kashmir", "Islamic State Khorasan Province"
                if free(s, m.end()):
                    add(s, m.end(), level_hint="region", region=region_id)

        for m in _CITATION.finditer(text):
            taken.append(m.span())
        taken.extend(_outlet_spans(text))  # "Pakistan Today", "The Kabul Times": outlets, not places
        toks = _tokens(text)
        for s, e in datelines(text):
            if free(s, e) and self._is_known(text[s:e]):
                add(s, e, level_hint="town", dateline=True)
        for run in _runs(text, toks):
            self._scan_run(text, _before_title(run, w), free, add, w)
        return sorted(found, key=lambda m: m.start)

    def _scan_run(self, text, run: list[_Tok], free, add, w: Words) -> None:
        n = len(run)
        if n > 1 and run[-1].low in w.institution_heads:
            return  # "New Kabul Bank", "Kabul University": an institution's name
        i = 0
        used = [False] * n
        spans = []
        while i < n:
            for j in range(min(n, i + MAX_NAME_WORDS), i, -1):  # bounded: linear in the run's length
                if _particle(run[j - 1]):
                    continue
                s, e = run[i].start, run[j - 1].end
                if j - i == 1 and (run[i].low in w.place or run[i].low in w.directions):
                    continue  # "Bazaar" in "Wana Bazaar", "Central" in "Central Kurram" name no place alone
                if self._is_known(text[s:e]) and not _particle(run[i]):
                    spans.append((i, j))
                    for k in range(i, j):
                        used[k] = True
                    i = j
                    break
            else:
                i += 1
        if not spans:
            self._unknown(text, run, free, add, w)
            return
        rest = [t.low for k, t in enumerate(run) if not used[k] and not _particle(t)]
        embedded = bool(rest) and not all(r in w.place or r in w.directions for r in rest)
        if embedded:
            # other words in the run make it a person, organisation or outlet ("Pakistan Today"),
            # or one name the gazetteer lacks ("the Arjali Nadi locality")
            self._unknown(text, run, free, add, w)
            return
        lows = {t.low for t in run}
        personal = bool(lows & w.person)
        kept = []
        for i, j in spans:
            one = j - i == 1
            low = run[i].low
            # "North" alone is no place, but "North Waziristan" is
            if (one and low in w.not_places) or text[run[i].start:run[j - 1].end].lower() in w.not_places:
                continue
            if (low in w.person or low in w.organisation) and all(
                    t.low in w.level_after or t.low in w.place for t in run[i + 1:j]):
                continue  # "Media", "Police District"
            if one and personal and len(spans) > 1:
                # "Abbas Omari", "Qari Musa": single names side by side are a person's name
                continue
            kept.append((i, j))
        if spans and not kept:
            return
        if len(kept) > 1 and all(j - i == 1 for i, j in kept) and len(kept) == len(run):
            # "Sar Dara": two short known words that only together name an unknown place
            spans = []
        else:
            spans = kept
        if not spans:
            self._unknown(text, run, free, add, w)
            return
        for i, j in spans:
            s, e = run[i].start, run[j - 1].end
            # a capitalised level word inside the run after the name ("Mastung District")
            while j < n and run[j].low in w.level_after and not run[j - 1].possessive:
                e = run[j].end
                j += 1
            level = None
            after = None if run[j - 1].possessive else _word_after(text, e)
            if after and after[0].lower() in w.level_after:
                level = w.level_after[after[0].lower()]
                if level in ("district", "province", "town", "village"):
                    e = after[1]
            elif j - 1 >= i and run[j - 1].low in w.level_after:
                level = w.level_after[run[j - 1].low]
            level = level or _level_before(text, s)
            if free(s, e):
                add(s, e, level_hint=level)

    def _unknown(self, text, run: list[_Tok], free, add, w: Words) -> None:
        """A name the gazetteer lacks, kept only when the words around say it is a place."""
        if any(t.low in w.person or t.low in w.organisation or t.low in w.directions for t in run):
            return
        if len(run) > 3 or run[-1].possessive or run[0].text.isupper():
            return
        s, e = run[0].start, run[-1].end
        after = _word_after(text, e)
        level = w.level_after.get(after[0].lower()) if after else None
        if level == "town" and not re.search(r"\b(?:in|at|near|from)\s+$", text[max(0, s - 8):s], re.I):
            return  # "the Syrian city of": a demonym before "city" is no name
        if level in ("village", "area", "town"):
            if level in ("village", "town"):
                e = after[1]
        else:
            level = _level_before(text, s)
            if level not in ("village", "area"):
                return
        if free(s, e):
            add(s, e, level_hint=level, known=False)
