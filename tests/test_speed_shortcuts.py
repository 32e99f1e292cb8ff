"""The shortcuts taken for speed (issue 13) rest on facts about the libraries; these tests check the
facts, so that a new Python or Unicode version cannot make them give other results silently."""
from __future__ import annotations

import re
import string

from geo_khorasan.corpus import split_sentences
from geo_khorasan.recognise import Recogniser
from geo_khorasan.records import Document, DocumentMeta
from geo_khorasan.vocabulary import ASCII_FOLDING


def test_ascii_folding_is_what_re_matches_with_ascii_letters():
    rest = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(re.findall("|".join(string.ascii_lowercase), rest, re.I)) == ASCII_FOLDING


def test_a_region_phrase_written_with_a_folding_character_is_still_found(gazetteer):
    # case-blind, "the Durand Lıne" (a dotless i) is the Durand Line: the word shortcut must not skip it
    for text in ("Fighters crossed the Durand Line on foot.", "Fighters crossed the Durand L\u0131ne on foot."):
        doc = Document("d", "", text, DocumentMeta(), split_sentences(text))
        assert [m.region for m in Recogniser(gazetteer).mentions(doc) if m.region] == ["region:af_pk_border"], text


def test_region_phrases_and_outlets_are_found_where_their_first_words_start():
    from geo_khorasan.recognise import _outlet_spans, _phrase_matches, _region_firsts, outlets, region_phrases
    from geo_khorasan.vocabulary import lower_for_search

    texts = ["In the  tribal areas and the\nTribal Areas, the the Khorasan region; theKhorasan, bathe Khorasan.",
             "Dawn and The Express Tribune reported from the Durand Line, the Pak-Afghan border areas and FATA.",
             "the Durand L\u0131ne", "LoC, loc, the LoC-based, north of Afghanistan north  of  Afghanistan"]
    for text in texts:
        low = lower_for_search(text)
        for (pattern, _), first in zip(region_phrases(), _region_firsts()):
            assert [m.span() for m in _phrase_matches(pattern, first, text, low)] == \
                [m.span() for m in pattern.finditer(text)], (pattern.pattern, text)
        assert _outlet_spans(text) == [m.span() for m in outlets().finditer(text)], text
