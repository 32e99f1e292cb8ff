"""Words a regular expression cannot match without: a cheap test that skips a scan.

``needles(rx)`` reads the compiled pattern's own syntax tree and returns lower-case ASCII
strings such that every match of ``rx`` holds at least one of them (or None when it cannot say:
a pattern that may match an empty string, or one built only of character classes). A text whose
lower-case form (``vocabulary.lower_for_search``) holds none of them has no match, so
``may_match`` lets the reader skip most of its cue scans on a sentence at the cost of a few
substring tests. This is exact, not a heuristic: the scans it lets through are the same scans,
so what they find is the same.
"""
from __future__ import annotations

import functools
import itertools
import re
from typing import Iterator

import ahocorasick

from ..vocabulary import lower_for_search

try:  # Python 3.11+
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

#: The most strings a sub-expression's set of exact texts may hold (beyond it, only its needles count).
_MAX_EXACT = 64
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)


def _char(code: int) -> str | None:
    """The character in lower case, when a text's lower-case form holds it wherever the text
    matches it: ASCII, or a mark without case ("—", "’"); None for other letters."""
    ch = chr(code)
    if ch.isascii():
        return ch.lower()
    return ch if not ch.isalnum() and ch.lower() == ch == ch.upper() and ch.casefold() == ch else None


def _exact(op, av) -> frozenset[str] | None:
    """Every text one item can match, in lower case, when they are few and ASCII; else None."""
    if op is _c.LITERAL:
        ch = _char(av)
        return frozenset({ch}) if ch is not None else None
    if op in _ZERO_WIDTH:
        return frozenset({""})  # consumes nothing: what is around it stays contiguous
    if op is _c.IN:
        out = set()
        for iop, iav in av:
            if iop is not _c.LITERAL or _char(iav) is None:
                return None
            out.add(_char(iav))
        return frozenset(out) if out and len(out) <= _MAX_EXACT else None
    if op is _c.SUBPATTERN:
        return _exact_seq(av[-1])
    if op is _c.BRANCH:
        out = set()
        for alt in av[1]:
            e = _exact_seq(alt)
            if e is None:
                return None
            out |= e
            if len(out) > _MAX_EXACT:
                return None
        return frozenset(out)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        lo, hi, sub = av
        if (lo, hi) == (0, 1):
            e = _exact_seq(sub)
            return None if e is None else e | {""}
        if lo == hi == 1:
            return _exact_seq(sub)
    return None


def _exact_seq(seq) -> frozenset[str] | None:
    out = frozenset({""})
    for op, av in seq:
        e = _exact(op, av)
        if e is None or len(out) * len(e) > _MAX_EXACT:
            return None
        out = frozenset(a + b for a, b in itertools.product(out, e))
    return out


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two requirements (either is true of every match)."""
    if not a or "" in a:
        return b if b and "" not in b else None
    if not b or "" in b:
        return a
    ka, kb = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
    return a if ka >= kb else b


def _required(op, av) -> frozenset[str] | None:
    """Strings one of which every match of the item holds (None: no such set known)."""
    e = _exact(op, av)
    if e is not None:
        return None if "" in e else e
    if op is _c.SUBPATTERN:
        return _required_seq(av[-1])
    if op is _c.BRANCH:
        out = set()
        for alt in av[1]:
            r = _required_seq(alt)
            if not r:
                return None
            out |= r
        return frozenset(out)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, _hi, sub = av
        return _required_seq(sub) if lo >= 1 else None
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _required_seq(av)
    return None


def _required_seq(seq) -> frozenset[str] | None:
    best = None
    run = frozenset({""})  # the exact texts of the items since the last inexact one
    for op, av in list(seq) + [(None, None)]:
        e = _exact(op, av) if op is not None else None
        if e is not None and len(run) * len(e) <= _MAX_EXACT:
            run = frozenset(a + b for a, b in itertools.product(run, e))
            continue
        best = _better(best, run)
        run = frozenset({""}) if e is None else e
        if op is not None and e is None:
            best = _better(best, _required(op, av))
    return best


@functools.lru_cache(maxsize=None)
def _needles(pattern: str, flags: int) -> tuple[str, ...] | None:
    found = _required_seq(_p.parse(pattern, flags & ~re.UNICODE))
    if not found or "" in found:
        return None
    # a string holding a shorter needle is implied by it: test the shorter only
    kept = sorted(found, key=lambda s: (len(s), s))
    out: list[str] = []
    for s in kept:
        if not any(k in s for k in out):
            out.append(s)
    return tuple(out)


#: The most prefixes a pattern's start automaton holds (past it the prefixes are not lengthened).
_MAX_PREFIXES = 4096


#: What ``\d`` stands for among prefixes: the ASCII digits (a text with other decimal digits is
#: scanned by ``re`` alone, see ``_other_digits``).
_DIGITS = frozenset("0123456789")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _digits(av) -> frozenset[str] | None:
    """The ASCII digits a class of digits holds (``\\d``, ``[0-3]``), or None for another class."""
    out: set[str] = set()
    for iop, iav in av:
        if iop is _c.CATEGORY and iav is _c.CATEGORY_DIGIT:
            out |= _DIGITS
        elif iop is _c.RANGE and ord("0") <= iav[0] <= iav[1] <= ord("9"):
            out |= {chr(c) for c in range(iav[0], iav[1] + 1)}
        elif iop is _c.LITERAL and chr(iav) in _DIGITS:
            out.add(chr(iav))
        else:
            return None
    return frozenset(out) or None


def _prefixes(op, av) -> frozenset[str] | None:
    """Lower-case strings one of which every match of the item starts with (None: not known)."""
    e = _exact(op, av)
    if e is not None:
        return None if "" in e else e
    if op is _c.IN:
        return _digits(av)
    if op is _c.SUBPATTERN:
        return _prefixes_seq(av[-1])
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _prefixes_seq(av)
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            p = _prefixes_seq(alt)
            if not p:
                return None
            out |= p
        return frozenset(out)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        lo, _hi, sub = av
        return _prefixes_seq(sub) if lo >= 1 else None
    return None


def _prefixes_seq(seq) -> frozenset[str] | None:
    """Lower-case, non-empty strings one of which every match of the sequence starts with: the
    exact texts of its leading items, then the prefixes of the first item that is not exact (an
    optional one: its own prefixes or those of what follows it)."""
    out = frozenset({""})
    items = list(seq)
    for k, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            continue  # a look-behind or boundary consumes nothing: the match starts after it
        e = _exact(op, av)
        if e is not None and len(out) * len(e) <= _MAX_PREFIXES:
            out = frozenset(a + b for a, b in itertools.product(out, e))
            continue
        if e is None and op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0:
            inner, rest = _prefixes_seq(av[2]), _prefixes_seq(items[k + 1:])
            p = inner | rest if inner and rest else None
        else:
            p = None if e is not None else _prefixes(op, av)
        if p and len(out) * len(p) <= _MAX_PREFIXES:
            out = frozenset(a + b for a, b in itertools.product(out, p))
        break
    return None if "" in out else out


def _with_digits(prefixes) -> bool:
    return any(ch in _DIGITS for p in prefixes for ch in p)


@functools.lru_cache(maxsize=None)
def _start_automaton(pattern: str, flags: int):
    """An automaton over the strings one of which every match of the pattern starts with, and whether
    a digit is among them; None when they cannot be told."""
    found = _prefixes_seq(_p.parse(pattern, flags & ~re.UNICODE))
    if not found:
        return None
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for s in sorted(found):
        automaton.add_word(s)
    automaton.make_automaton()
    return automaton, _with_digits(found)


#: Patterns shorter than this are scanned by ``re`` alone: finding their starts first costs more.
_SCAN_FROM_CHARS = 160


def _scan(rx: re.Pattern[str], text: str, low: str, automaton) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``, trying the pattern only where one of its prefixes starts in ``low``:
    every match starts at one of them and is not empty, so the matches are the same. A long
    alternation of phrases is tried by ``re`` phrase by phrase at every position of the text;
    here only at a handful."""
    pos = 0
    for s in sorted({end - length + 1 for end, length in automaton.iter(low)}):
        if s >= pos:
            m = rx.match(text, s)  # look-behinds still see the text before ``s``
            if m:
                yield m
                pos = m.end()


class _Starts:
    """One automaton over the start prefixes of a list of patterns (the cue patterns of every
    incident type, of every status): one pass over a sentence says where each can start."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...]):
        self.patterns = patterns
        by_prefix: dict[str, list[int]] = {}
        unknown = []  # patterns whose starts cannot be told: scanned by ``re``
        for i, rx in enumerate(patterns):
            found = _prefixes_seq(_p.parse(rx.pattern, rx.flags & ~re.UNICODE))
            if not found:
                unknown.append(i)
            for prefix in found or ():
                by_prefix.setdefault(prefix, []).append(i)
        self.unknown = frozenset(unknown)
        self.digits = _with_digits(by_prefix)
        self.automaton = ahocorasick.Automaton()
        for prefix in sorted(by_prefix):
            self.automaton.add_word(prefix, (len(prefix), tuple(by_prefix[prefix])))
        if by_prefix:
            self.automaton.make_automaton()
        self.any = bool(by_prefix)

    def finditer(self, text: str) -> list:
        """``[list(rx.finditer(text)) for rx in patterns]`` (or tuples), each pattern tried only where one of
        its prefixes starts (see ``_scan``)."""
        low = lowered(text)
        if low is None or len(low) != len(text) or self.digits and _other_digits(text):
            return [list(finditer(rx, text)) for rx in self.patterns]
        starts: dict[int, set[int]] = {}
        if self.any:
            for end, (length, which) in self.automaton.iter(low):
                for i in which:
                    found = starts.get(i)
                    if found is None:
                        found = starts[i] = set()
                    found.add(end - length + 1)
        out: list = [()] * len(self.patterns)  # a pattern none of whose prefixes is in the text: no match
        for i in self.unknown:
            out[i] = list(finditer(self.patterns[i], text))
        for i, found in starts.items():
            match = self.patterns[i].match
            hits, pos = [], 0
            for s in sorted(found):
                if s >= pos:
                    m = match(text, s)  # look-behinds still see the text before ``s``
                    if m:
                        hits.append(m)
                        pos = m.end()
            out[i] = hits
        return out


_STARTS: dict[int, _Starts] = {}


def finditer_each(patterns: tuple[re.Pattern[str], ...], text: str) -> list[list[re.Match[str]]]:
    """``[list(rx.finditer(text)) for rx in patterns]`` for a tuple of patterns kept by the caller,
    found in one pass over the text (the automaton is made once per tuple)."""
    found = _STARTS.get(id(patterns))
    if found is None or found.patterns is not patterns:
        found = _STARTS[id(patterns)] = _Starts(patterns)  # it keeps the tuple: its id is not reused
    return found.finditer(text)


def _starts(rx: re.Pattern[str], low: str | None, text: str):
    """The start automaton of ``rx`` when it can stand in for a scan of ``text``, else None."""
    if low is None or len(low) != len(text) or len(rx.pattern) < _SCAN_FROM_CHARS:
        return None  # positions in ``low`` are those of ``text`` only when lowering kept its length
    found = _start_automaton(rx.pattern, rx.flags)
    if found is None or found[1] and _other_digits(text):
        return None
    return found[0]


@functools.lru_cache(maxsize=2048)
def _other_digits(text: str) -> bool:
    """Whether ``text`` holds a decimal digit beyond ASCII ("٣"), which ``\\d`` matches and the
    prefixes do not hold."""
    return not text.isascii() and _OTHER_DIGIT.search(text) is not None


def needles(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case strings (ASCII, or marks without case such as "—") one of which every match of
    ``rx`` holds, or None."""
    return _needles(rx.pattern, rx.flags)


class _Present:
    """One Aho-Corasick automaton over the needles of every pattern asked about so far: one pass
    over a sentence says which needles it holds, for all its scans at once."""

    def __init__(self) -> None:
        self.of: dict[int, tuple[re.Pattern[str], frozenset[str] | None]] = {}  # id -> (pattern, its needles)
        self.known: set[str] = set()
        self.automaton = None
        self.memo: dict[str, frozenset[str]] = {}

    def needles_of(self, rx: re.Pattern[str]) -> frozenset[str] | None:
        entry = self.of.get(id(rx))  # by id: a pattern's own hash reads its whole program
        if entry is not None and entry[0] is rx:
            return entry[1]
        n = needles(rx)
        found = None if n is None else frozenset(n)
        self.of[id(rx)] = (rx, found)  # the pattern is kept, so its id is not reused
        if found and not found <= self.known:
            self.known |= found
            self.automaton, self.memo = None, {}  # built again, with these needles too
        return found

    def in_text(self, low: str) -> frozenset[str]:
        found = self.memo.get(low)
        if found is None:
            if self.automaton is None:
                self.automaton = ahocorasick.Automaton()
                for n in sorted(self.known):
                    self.automaton.add_word(n, n)
                self.automaton.make_automaton()
            found = frozenset(n for _end, n in self.automaton.iter(low)) if self.known else frozenset()
            if len(self.memo) > 4096:
                self.memo.clear()
            self.memo[low] = found
        return found


_PRESENT = _Present()


def may_match(rx: re.Pattern[str], low: str | None) -> bool:
    """False only when ``rx`` cannot match a text whose lower-case form is ``low`` (None: the text
    holds a character a case-blind pattern folds to ASCII, so nothing is ruled out)."""
    if low is None:
        return True
    entry = _PRESENT.of.get(id(rx))
    found = entry[1] if entry is not None and entry[0] is rx else _PRESENT.needles_of(rx)
    if found is None:
        return True
    present = _PRESENT.memo.get(low)
    if present is None:
        present = _PRESENT.in_text(low)
    return not found.isdisjoint(present)


@functools.lru_cache(maxsize=2048)
def lowered(text: str) -> str | None:
    """``vocabulary.lower_for_search(text)``, once per text (every scan of a sentence asks for it)."""
    return lower_for_search(text)


def finditer(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``, skipped when the text holds none of the pattern's needles, and tried
    only where a match can start when the pattern is long."""
    low = lowered(text)
    if not may_match(rx, low):
        return iter(())
    return scan(rx, text, low)


def scan(rx: re.Pattern[str], text: str, low: str | None) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` (``low``: ``lowered(text)``), tried only where a match can start when
    the pattern is long enough for that to pay."""
    automaton = _starts(rx, low, text)
    return rx.finditer(text) if automaton is None else _scan(rx, text, low, automaton)


def sub(rx: re.Pattern[str], repl, text: str) -> str:
    """``rx.sub(repl, text)`` for a function ``repl``, the matches found as ``finditer`` finds them."""
    parts, last = [], 0
    for m in finditer(rx, text):
        parts += (text[last:m.start()], repl(m))
        last = m.end()
    return "".join(parts) + text[last:] if parts else text


def search(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``rx.search(text)``, skipped when the text holds none of the pattern's needles."""
    low = lowered(text)
    if not may_match(rx, low):
        return None
    automaton = _starts(rx, low, text)
    return rx.search(text) if automaton is None else next(_scan(rx, text, low, automaton), None)
