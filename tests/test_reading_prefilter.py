"""The reader's scan prefilter (reading/prefilter.py): a cue pattern is skipped on a sentence only
when no match of it can lie there, so skipping changes nothing the reader finds."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo_khorasan.corpus import read_corpus
from geo_khorasan.reading import prefilter
from geo_khorasan.reading.cues import _cues
from geo_khorasan.reading.dates import _date_res, _date_scan
from geo_khorasan.reading.prefilter import lowered, may_match, needles

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _cue_patterns() -> dict[str, re.Pattern[str]]:
    C = _cues()
    found = {k: v for k, v in vars(C).items() if isinstance(v, re.Pattern)}
    found.update({f"status {s}": rx for s, rx in C.status_res})
    found.update({f"incident {t}": rx for t, rx in C.incident_res})
    found.update({f"actor {i}": rx for i, (rx, _name) in enumerate(C.actors)})
    found.update({f"date {k}": rx for k, rx in _date_res().items()})
    return found


@pytest.mark.parametrize("pattern, flags, expected", [
    (r"(?<![\w\-])(?:safe\s+haven|sanctuar\w*)", re.I, {"haven", "nctuar"}),  # re factors out "sa"
    (r"ab(?:c|d)?e", 0, {"abe", "abce", "abde"}),
    (r"Wilayat[- ]e", 0, {"wilayat-e", "wilayat e"}),
    (r"\bunder (?:the )?(?:\w+ ){0,2}control\b", re.I, {"control"}),
    (r"—[^—]{1,10}—", 0, {"—"}),  # a mark without case counts as a letter would
])
def test_needles_of_a_pattern(pattern, flags, expected):
    assert set(needles(re.compile(pattern, flags))) == expected


@pytest.mark.parametrize("pattern", [r"\d+", r"(?:foo)?", r"[A-Z]\w+", r"x*"])
def test_no_needles_when_a_match_need_hold_no_word(pattern):
    assert needles(re.compile(pattern)) is None
    assert may_match(re.compile(pattern), lowered("nothing here"))  # always scanned


def test_a_letter_beyond_ascii_ends_a_needle():
    assert needles(re.compile(r"Khur[aā]san", re.I)) == ("khur",)


def test_a_text_without_the_needles_is_skipped_and_a_folding_character_skips_nothing():
    rx = re.compile(r"\bstrongholds?\b", re.I)
    assert not may_match(rx, lowered("A town in the north."))
    assert may_match(rx, lowered("A STRONGHOLD in the north."))
    # "ſtronghold" (a long s) matches case-blind: the text's lower case cannot rule it out
    assert rx.search("a \u017ftronghold") and may_match(rx, lowered("a \u017ftronghold"))
    assert list(prefilter.finditer(rx, "nothing")) == [] and prefilter.search(rx, "nothing") is None


def test_every_match_of_every_cue_pattern_holds_one_of_its_needles():
    texts = []
    for doc in read_corpus(SEEDS):
        texts.append(doc.text)
        texts += [doc.text[s:e] for s, e in doc.sentences]
    for name, rx in _cue_patterns().items():
        for text in texts:
            low = lowered(text)
            if not may_match(rx, low):
                assert rx.search(text) is None, (name, text[:80])
                continue
            for m in rx.finditer(text):
                if m.group():
                    assert may_match(rx, lowered(m.group())), (name, m.group())


def test_the_marks_without_case_in_needles_match_only_themselves_case_blind():
    marks = {ch for rx in _cue_patterns().values() for n in (needles(rx) or ()) for ch in n if not ch.isascii()}
    marks |= {"—", "–", "’"}
    everything = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    for ch in marks:
        assert prefilter._char(ord(ch)) == ch
        assert set(re.findall(re.escape(ch), everything, re.I)) == {ch}, ch


def test_scanning_from_the_starts_of_a_pattern_finds_what_re_finds():
    # prefilter.finditer tries a long pattern only where one of its prefixes starts in the text,
    # finditer_each several at once: the matches must be re's own, on every text
    texts = []
    for doc in read_corpus(SEEDS):
        texts += [doc.text[s:e] for s, e in doc.sentences]
    texts += [t[:40] for t in texts[:300]] + ["a \u017ftronghold of IS-K", "\u0130stanbul bombing", "",
                                       "\u0663 March 2020, \u0663 to 5 people killed"]  # an Arabic-Indic digit
    C = _cues()
    for name, rx in _cue_patterns().items():
        for text in texts:
            assert prefilter.sub(rx, repr, text) == rx.sub(repr, text), (name, text)
            assert [m.span() for m in prefilter.finditer(rx, text)] == [m.span() for m in rx.finditer(text)], (name, text)
            found, expected = prefilter.search(rx, text), rx.search(text)
            assert (found and found.span()) == (expected and expected.span()), (name, text)
    for patterns in (C.incident_scan, C.status_scan, _date_scan()):
        for text in texts:
            assert [[m.span() for m in ms] for ms in prefilter.finditer_each(patterns, text)] == \
                [[m.span() for m in rx.finditer(text)] for rx in patterns], text


@pytest.mark.parametrize("pattern, flags, expected", [
    (r"(?<![\w\-])(?:safe\s+haven|sanctuar\w*)", re.I, {"safe", "sanctuar"}),
    (r"ab(?:c|d)?e", 0, {"abe", "abce", "abde"}),
    (r"\bunder (?:the )?control", re.I, {"under control", "under the control"}),
    (r"(?:(?:in|by)\s+)?[0-3]?\d", 0, {"in", "by", *"0123456789"}),  # optional: its prefixes or what follows
])
def test_the_prefixes_every_match_starts_with(pattern, flags, expected):
    assert set(prefilter._prefixes_seq(prefilter._p.parse(pattern, flags))) == expected


def test_a_look_behind_still_sees_the_text_before_a_start():
    rx = re.compile(r"(?<![\w\-])(?:" + "|".join(f"word{i}" for i in range(40)) + ")", re.I)
    assert len(rx.pattern) >= prefilter._SCAN_FROM_CHARS
    text = "xword1 word2 -word3 Word4"
    assert [m.group() for m in prefilter.finditer(rx, text)] == ["word2", "Word4"] == rx.findall(text)
