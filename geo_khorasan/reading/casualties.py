"""Numbers and casualty figures: ``parse_casualties`` reads (fatalities, injured) in a text."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .cues import _cues
from .prefilter import finditer, lowered, may_match, sub


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
        if C.month_before_re.search(before):
            continue  # a day of a month
        if n.isdigit() and C.month_after_re.match(after):
            continue  # "16 July 2022": a day, not a count
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
    # the victims' names: "two policemen, Havaldar Saeed Ahmad and Sepoy Inayatur Rahman, were killed"
    re.compile(r",(?:\s+[A-Z][\w’'\-]*){1,5}(?:,(?:\s+[A-Z][\w’'\-]*){1,5})*(?:,?\s+and(?:\s+[A-Z][\w’'\-]*){1,5})?,"),
]


#: "more than 100 people killed and injured": one count of dead and hurt together is neither toll.
_KILLED_AND_INJURED = re.compile(r"\b(?:killed|dead|died)\s+(?:and|or)\s+(?:injured|wounded|hurt)\b"
                                 r"|\b(?:injured|wounded|hurt)\s+(?:and|or)\s+(?:killed|dead)\b", re.I)


def _strip_appositions(text: str) -> str:
    """Blank out breakdowns and asides (same length) so counts are read from the main clause."""
    for rx in (*_APPOSITION_RES, _KILLED_AND_INJURED):
        if may_match(rx, lowered(text)):
            text = rx.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _subject_counts(text: str, kw_re: re.Pattern) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(position, count, its groups as (count, end)) for 'NUM people [and NUM others] were <kw>' patterns."""
    C = _cues()
    nums = None
    results = []
    for k in finditer(kw_re, text):
        if nums is None:
            nums = _numbers(text)
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
            members = [(n.value, n.end)]
            ok = False
            j = i
            while True:
                gap = text[pos : k.start()]
                # words after the number up to the keyword (or to the next number in an 'and' chain)
                nxt = cands[j + 1] if j + 1 < len(cands) else None
                if nxt is not None:
                    link = text[pos : nxt.start]
                    m_link = re.fullmatch(
                        rf"(?:\s+(?!{C.count_stop}\b)[\w’'\-]+){{0,6}}?\s*(?:,\s*|\s+and\s+|,\s+and\s+)", link, re.I
                    )
                    if m_link:
                        total += nxt.value
                        pos = nxt.end
                        members.append((nxt.value, nxt.end))
                        j += 1
                        continue
                m_tail = re.fullmatch(
                    rf"(?:\s+(?!{C.count_stop}\b)[\w’'\-]+){{0,6}}?(?:\s+{C.count_aux})*\s*", gap, re.I
                )
                ok = bool(m_tail)
                break
            if ok:
                results.append((n.start, total, members))
                break
    return results


def _object_counts(text: str, verb_re: re.Pattern) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(position, count, its groups) for '<verb> [qualifier] NUM' patterns ('killing 15 people'); the groups of
    one list add up ('killed three Spanish tourists and three Afghans': 6; 'killed a policeman and
    two construction workers': 3)."""
    C = _cues()
    nums = None
    results = []
    for v in finditer(verb_re, text):
        if nums is None:
            nums = {n.start: n for n in _numbers(text)}
        m = re.match(r"\s+", text[v.end() :])
        if not m:
            continue
        p = v.end() + m.end()
        first = _count_at(text, p, nums)
        if first is None:
            continue
        total, pos = first
        members = [first]
        while True:  # "... and NUM others", "..., NUM ... and NUM ..."
            link = re.match(rf"(?:\s+(?!{C.count_stop}\b)[\w’'\-]+){{0,4}}?\s*(?:,\s*|\s+and\s+|,\s+and\s+)",
                            text[pos:], re.I)
            nxt = _count_at(text, pos + link.end(), nums) if link else None
            if nxt is None:
                break
            total, pos = total + nxt[0], nxt[1]
            members.append(nxt)
        results.append((v.start(), total, members))
    return results


def _count_at(text: str, p: int, nums: dict[int, _Num]) -> tuple[int, int] | None:
    """(count, end) of the people counted at ``p``: a number, or "a policeman" (one)."""
    if p in nums:
        return nums[p].value, nums[p].end
    person = _cues().one_victim_re.match(text, p)
    return (1, person.end()) if person else None


_SINGLE_VICTIM = re.compile(
    r"(?:\b(?:[Hh]e|[Ss]he)|(?<![\w])(?:[A-Z][\w’'\-]+\s+){1,4}[A-Z][\w’'\-]+)\s+(?:\w+\s+){0,2}?"
    r"(?:was|had been|has been)\s+(?:\w+\s+)?(?:killed|shot dead|assassinated|gunned down|slain|beheaded|executed)\b"
    # "the killing of Abu Hamza Khurasani", "the assassination of Sheikh Rahimullah Haqqani": one named person
    r"|\b(?:killing|elimination|assassination|execution|beheading|death)\s+of\s+(?:(?:the|a|an)\s+)?"
    r"(?:[a-z]+\s+){0,3}(?:[A-Z][\w’'\-]+\s+){1,4}(?![\w’'\-]*\s+(?:and|&)\s+[A-Z])"
)


@dataclass(frozen=True)
class Casualties:
    """What a text says of the dead and hurt."""

    fatalities: int | None = None  # the victims (the attackers' dead apart where the text separates them)
    injured: int | None = None
    fatalities_range: tuple[int, int] | None = None  # "between 10 and 15 killed": the figure is its low end
    attackers_killed: int | None = None  # "three attackers were also killed"


def parse_casualties(text: str) -> tuple[int | None, int | None]:
    """(fatalities, injured) stated in ``text`` (see ``read_casualties``)."""
    c = read_casualties(text)
    return c.fatalities, c.injured


@functools.lru_cache(maxsize=4096)
def read_casualties(text: str) -> Casualties:
    """The casualties stated in ``text``; None where no number is given.

    Reads "at least nine ... dead", "killed nearly 20 worshippers", "over 100 people lost their
    lives", "the fatalities ... rose to 54", "More than 50 people seriously wounded", "He was
    killed" (1). The groups of one count add up ("killed a policeman and two workers": 3) except
    the attackers, counted apart ("12 soldiers and two suicide bombers were killed": 12 and 2;
    "12 people, including the three attackers": 12, of whom 3 attackers). A range ("10 to 15
    people", "between 10 and 15") gives its low end and is kept. Vague amounts ("hundreds",
    "dozens") give None; years, ages, and counts of attacks or recruits are ignored; breakdowns
    after a dash or "including" do not add up.
    """
    C = _cues()
    t, ranges = _low_ends(_strip_appositions(text))
    fat: int | None = None
    attackers: int | None = None
    fat_range: tuple[int, int] | None = None
    toll = []
    for m in finditer(C.toll_re, t):
        v = _word_number(m.group("n"))
        if v is not None and not C.non_person_after_re.search(t[m.end() :]):
            toll.append((m.start(), m.start("n"), v))
    if toll:
        _pos, at, fat = toll[-1]
        fat_range = ranges.get(at)
    else:
        cands = _subject_counts(t, C.killed_kw_re) + _object_counts(t, C.killing_verb_re)
        if cands:
            pos, fat, members = min(cands, key=lambda c: c[0])
            fat_range = next((r for p, r in ranges.items() if pos <= p < members[0][1]), None)
            theirs = sum(v for v, end in members if C.attacker_after_re.match(t, end))
            if theirs and theirs < fat:
                fat, attackers = fat - theirs, theirs
            elif theirs and len(members) == 1:
                fat, attackers = None, theirs  # "the four attackers were killed": no victim counted
        elif _SINGLE_VICTIM.search(t):
            fat = 1
    included = C.attackers_included_re.search(text)
    if included and attackers is None:
        attackers = _word_number(included.group("n"))
    inj: int | None = None
    cands = _subject_counts(t, C.injured_kw_re)
    cands += [c for c in _object_counts(t, C.injuring_verb_re) if not t[c[0] :].lower().startswith(("leaving", "left"))]
    # "leaving 5 dead and 12 injured" is a subject count; "leaving 12 injured" too.
    if cands:
        inj = min(cands, key=lambda c: c[0])[1]
    return Casualties(fat, inj, fat_range, attackers)


def _low_ends(text: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """``text`` with each range of people ("10 to 15", "between 10 and 15", "20-25") written as its
    low end (same length), and the ranges by the position of that low end."""
    ranges: dict[int, tuple[int, int]] = {}

    def low(m: re.Match) -> str:
        a, b = _word_number(m.group("a")), _word_number(m.group("b"))
        if a is None or b is None or not a < b:
            return m.group(0)
        ranges[m.start("a")] = (a, b)
        return m.group(0)[: m.end("a") - m.start()].ljust(len(m.group(0)))

    return sub(_cues().range_re, low, text), ranges  # tried only where a number starts
