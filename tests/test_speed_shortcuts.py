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


# --- the name keys beside the index (gazetteer.index.NameKeys) --------------------------------


def _tiny_index(path, names):
    """An index of one place per name (the real layout), as build_index writes it."""
    import sqlite3

    from geo_khorasan.gazetteer.index import _SCHEMA, INDEX_FORMAT
    from geo_khorasan.gazetteer.names import keys, split_level

    con = sqlite3.connect(path)
    con.executescript(_SCHEMA)
    for i, name in enumerate(names):
        exact, loose = keys(split_level(name)[0])
        con.execute("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (f"t:{i}", name, "town", "AF", 34.0 + i / 100, 69.0, None, None, None, "t", "[]", 0))
        con.execute("INSERT INTO names VALUES (?,?,?,?,?,?)", (exact, loose, f"t:{i}", name, "primary", None))
    con.executemany("INSERT INTO meta VALUES (?,?)", [("format", str(INDEX_FORMAT)), ("fingerprint", path.name),
                                                     ("gazetteer_dir", ""), ("warnings", "[]")])
    con.commit()
    con.close()
    return path


def _places_in(gaz, text):
    doc = Document("d", "", text, DocumentMeta(), split_sentences(text))
    return [m.text for m in Recogniser(gaz).mentions(doc)]


def test_name_keys_rule_out_only_what_the_index_lacks(gazetteer):
    keys = gazetteer.name_keys()
    from geo_khorasan.gazetteer.names import keys as name_keys

    for name in ("Kabul", "Mastung", "Qosh Tepa", "Nangarhar", "Dera Ismail Khan", "Achin"):
        exact, loose = name_keys(name)
        assert gazetteer.match_keys(exact, loose) and keys.may_match(exact, loose), name
    assert not keys.may_match("zqxv wrplk", "zqxv wrplk") and not gazetteer.match_keys("zqxv wrplk", "zqxv wrplk")


def test_the_recogniser_finds_with_the_name_keys_what_the_index_holds(tmp_path):
    from geo_khorasan.gazetteer.index import Gazetteer, NameKeys

    index = _tiny_index(tmp_path / "a.sqlite", ["Zarghunabad", "Pul-e Khumri"])
    text = "A blast hit Zarghunabad on Monday. Police in Pul-e Khumri and Qarabagh said nothing."
    assert not NameKeys.path_for(index).exists()
    assert _places_in(Gazetteer(index), text) == ["Zarghunabad", "Pul-e Khumri"]
    assert NameKeys.path_for(index).exists()  # written on first use, read from then on
    assert _places_in(Gazetteer(index), text) == ["Zarghunabad", "Pul-e Khumri"]


def test_a_stale_or_damaged_name_keys_file_is_ignored_and_written_again(tmp_path):
    import os
    import sqlite3

    from geo_khorasan.gazetteer.index import Gazetteer, NameKeys

    text = "Fighting was reported in Zarghunabad and in Qarabagh."
    a = _tiny_index(tmp_path / "a.sqlite", ["Zarghunabad"])
    b = _tiny_index(tmp_path / "b.sqlite", ["Qarabagh"])
    Gazetteer(a).name_keys()
    # another index's file beside this one: stale, ignored
    NameKeys.path_for(b).write_bytes(NameKeys.path_for(a).read_bytes())
    assert _places_in(Gazetteer(b), text) == ["Qarabagh"]
    good = NameKeys.path_for(b).read_bytes()
    assert good != NameKeys.path_for(a).read_bytes()
    # damaged: a byte changed, cut short, or not such a file at all
    for damaged in (good[:-1] + bytes([good[-1] ^ 1]), good[: len(good) // 2], b"not a keys file", b""):
        NameKeys.path_for(b).write_bytes(damaged)
        assert _places_in(Gazetteer(b), text) == ["Qarabagh"]
        assert NameKeys.path_for(b).read_bytes() == good  # written again
    # the index changed (rebuilt in place): its keys are read again from it
    con = sqlite3.connect(b)
    con.execute("INSERT INTO places VALUES ('t:9','Zarghunabad','town','AF',34.5,69.0,NULL,NULL,NULL,'t','[]',0)")
    con.execute("INSERT INTO names VALUES ('zarghunabad','zarghunabad','t:9','Zarghunabad','primary',NULL)")
    con.commit()
    con.close()
    os.utime(b, ns=(1, 1))
    assert _places_in(Gazetteer(b), text) == ["Zarghunabad", "Qarabagh"]


def test_name_keys_beside_an_index_in_a_folder_that_cannot_be_written(tmp_path, monkeypatch):
    from geo_khorasan.gazetteer.index import Gazetteer, NameKeys

    index = _tiny_index(tmp_path / "a.sqlite", ["Zarghunabad"])

    def refuse(self, data):
        raise PermissionError("read-only")

    monkeypatch.setattr(type(NameKeys.path_for(index)), "write_bytes", refuse)
    assert _places_in(Gazetteer(index), "Shots in Zarghunabad.") == ["Zarghunabad"]
    assert not NameKeys.path_for(index).exists()
