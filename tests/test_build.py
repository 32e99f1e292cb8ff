"""The build as a user runs it: seeds in, maps and exports out."""
from __future__ import annotations

import json
import shutil

import pytest

from geo_khorasan import export, read_maps
from geo_khorasan.cli import main
from geo_khorasan.pipeline import build, check
from geo_khorasan.render.map import _positions


@pytest.fixture(scope="module")
def built(gazetteer, seeds_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
    report = build(seeds_dir, out, gazetteer)
    return out, report


def _fc(out, name):
    return json.loads((out / name).read_text("utf-8"))


def test_build_writes_maps_sources_and_exports(built, seeds_dir):
    out, report = built
    doc_ids = sorted(p.stem for p in seeds_dir.glob("*.txt"))
    assert report.documents == len(doc_ids) == 5
    assert (out / "index.html").exists()
    for d in doc_ids:
        assert (out / f"{d}.html").exists()
        assert (out / "sources" / f"{d}.html").exists()
    for name in ("mentions.geojson", "incidents.geojson", "regions.geojson", "incidents.csv"):
        assert (out / name).stat().st_size > 0
    assert not (out / "mentions.csv").exists()  # only with --format csv


def test_every_mention_points_at_its_words_and_sentence(built, seeds_dir):
    out, _ = built
    texts = {p.stem: p.read_text("utf-8") for p in seeds_dir.glob("*.txt")}
    feats = _fc(out, "mentions.geojson")["features"]
    assert len(feats) > 100
    for f in feats:
        p = f["properties"]
        text = texts[p["doc"]]
        assert text[p["start"]:p["end"]] == p["text"]
        assert p["text"] in p["sentence"] and p["sentence"] in text
        assert p["role"] in ("incident", "contested", "mention")
        assert 1 <= p["precision"] <= 6
        assert p["place_id"].split(":", 1)[0] in ("geonames", "geoboundaries", "osm", "region", "afghan-villages",
                                                   "naturalearth", "naturalearth-places", "iso3166-2",
                                                   "osm-pakistan-provinces", "osm-iran-provinces")
        assert p["country"] is None or len(p["country"]) == 2


def test_mastung_rally_bombing_is_an_incident_with_its_citation(built):
    out, _ = built
    incs = [f["properties"] for f in _fc(out, "incidents.geojson")["features"]]
    mastung = [i for i in incs if i["place_name"] == "Mastung" and i["date"] == "2018-07-13"]
    assert mastung, [(i["place_name"], i["date"]) for i in incs]
    inc = mastung[0]
    assert inc["fatalities"] == 131
    assert "suicide" in inc["type"]
    src = inc["sources"][0]
    assert src["citation"] and "Dunya News" in src["citation"]
    assert src["url"].startswith("https://jamestown.org/")


def test_one_event_told_in_two_articles_is_one_incident_with_both_sources(built):
    out, _ = built
    incs = [f["properties"] for f in _fc(out, "incidents.geojson")["features"]]
    # 001 tells of "suicide bombings in the city of Kerman in Iran" and then, undated, of "the most
    # deadly attack" in Iran with over 100 dead; 004 dates "the suicide attack in Iran" to January 2024
    kerman = [i for i in incs if i["place_name"] == "Kerman"]
    assert len(kerman) == 1 and not [i for i in incs if i["place_name"] == "Iran"]
    (k,) = kerman
    assert k["date"] == "2024-01" and k["fatalities"] == 100 and k["type"] == "suicide bombing"
    assert {s["doc"] for s in k["sources"]} == {"001_42884ccd0e27e094", "004_be0eb47d82149c2d"}
    assert any("fits only this dated one" in r for r in k["rules"])
    # the concert-hall attack, told twice in 004 (the article's date is inferred): one incident,
    # and "last week" borrows no month from the latest date the article happens to name
    (moscow,) = [i for i in incs if i["place_name"] == "Moscow"]
    assert moscow["date"] == "2024" and len(moscow["sources"]) == 2


def test_the_groups_own_name_is_no_place(built):
    out, _ = built
    mentions = [f["properties"] for f in _fc(out, "mentions.geojson")["features"]]
    for m in mentions:
        before = m["sentence"][:m["start"] - m["sentence_start"]]
        assert not before.rstrip().endswith(("Islamic State in", "Islamic State In", "Islamic State -")), m["text"]
    texts = {(m["doc"], m["text"]) for m in mentions}
    assert ("004_be0eb47d82149c2d", "Khorasan") not in texts  # "The Islamic State in Khorasan, or IS-K"
    assert ("001_42884ccd0e27e094", "Khorasan Region") in texts  # "IS-K expanded into the Khorasan Region"


def test_every_incident_and_region_carries_its_evidence(built):
    out, _ = built
    for f in _fc(out, "incidents.geojson")["features"]:
        p = f["properties"]
        assert p["sources"] and all(s["sentence"] and s["doc"] for s in p["sources"])
        assert p["date"] is None or len(p["date"]) in (4, 7, 10)
    regions = _fc(out, "regions.geojson")["features"]
    assert regions
    for f in regions:
        p = f["properties"]
        assert p["claims"] and all(c["cue"] and c["sentence"] for c in p["claims"])
    hub = [f for f in regions if f["properties"]["place_name"] == "Mastung"]
    assert hub and hub[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_exports_carry_each_citation_in_one_compact_feature_a_line(built, seeds_dir):
    """The size diet keeps what an analyst reads: every mention, incident and area still names its
    document and quotes its exact sentence (with the sentence's own citation and the article's URL);
    the outlet and date are the document's (its source page); each file is RFC 7946 GeoJSON, one
    feature a line, longitude first, and no long string twice in a feature."""
    out, _ = built
    texts = {p.stem: p.read_text("utf-8") for p in seeds_dir.glob("*.txt")}
    for name, key in (("mentions.geojson", None), ("incidents.geojson", "sources"), ("regions.geojson", "claims")):
        lines = (out / name).read_text("utf-8").splitlines()
        fc = _fc(out, name)
        assert fc["type"] == "FeatureCollection" and len(lines) == len(fc["features"]) + 2
        for line, f in zip(lines[1:-1], fc["features"]):
            assert json.loads(line.rstrip(",")) == f
            p = f["properties"]
            quotes = [p] if key is None else p[key]
            assert quotes
            for q in quotes:
                assert {"doc", "sentence", "start", "sentence_start"} <= set(q)
                assert all(q[k] for k in ("citation", "url") if k in q)  # left out where null
                assert texts[q["doc"]][q["sentence_start"]:q["sentence_start"] + len(q["sentence"])] == q["sentence"]
            for part in quotes + [{k: v for k, v in p.items() if k != key}]:  # (two claims may quote one sentence)
                strings = [v for v in _strings(part) if len(v) > 40]
                assert len(strings) == len(set(strings)), name
            for lon, lat in _positions(f["geometry"]["coordinates"]):
                assert -180 <= lon <= 180 and -90 <= lat <= 90
                assert round(lon, 5) == lon and round(lat, 5) == lat
    (quetta,) = {tuple(f["geometry"]["coordinates"]) for f in _fc(out, "mentions.geojson")["features"]
                 if f["properties"]["place_name"] == "Quetta" and f["properties"]["level"] == "town"}
    assert 66.9 < quetta[0] < 67.1 and 30.1 < quetta[1] < 30.3  # longitude first
    mention = _fc(out, "mentions.geojson")["features"][0]["properties"]
    assert "candidates" not in mention and "classification_rule" not in mention  # in `geo-khorasan review`
    assert {"rule", "place_id", "precision", "role"} <= set(mention)
    assert not {k for k, v in mention.items() if v is None} & export.OPTIONAL  # null ones left out
    mentions, incidents, regions = read_maps(out)  # the columns are every build's, null ones included
    assert {"citation", "url", "correction", "note", "rule"} <= set(mentions.columns)
    assert "correction" in incidents.columns and "correction" in regions.columns


def test_build_is_byte_identical_and_check_says_so(built, gazetteer, seeds_dir, tmp_path):
    out, _ = built
    assert check(seeds_dir, out, gazetteer) == []
    (out / "incidents.geojson").write_text("{}", "utf-8")
    assert check(seeds_dir, out, gazetteer) == ["incidents.geojson"]


def test_cli_build_reports_counts_and_bad_files(gazetteer, seeds_dir, tmp_path, capsys):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    (seeds / "empty.txt").write_text("", "utf-8")
    (seeds / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    code = main(["--index", str(gazetteer.path), "-q", "build", str(seeds), "--out", str(tmp_path / "maps")])
    err = capsys.readouterr()
    assert code == 0
    assert "5 documents" in err.out
    assert f"{seeds / 'empty.txt'}: empty file" in err.err
    assert f"{seeds / 'binary.txt'}: binary file" in err.err


def test_documents_named_like_the_maps_own_pages_are_refused(gazetteer, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("index", "documents", "ok"):
        (seeds / f"{name}.txt").write_text("A suicide bomber killed 5 people in Quetta on 2 June 2020.\n", "utf-8")
    report = build(seeds, tmp_path / "maps", gazetteer)
    assert report.documents == 1 and len(report.errors) == 2
    assert all("rename the file" in e for e in report.errors)
    assert "IS-K reporting: all documents" in (tmp_path / "maps" / "index.html").read_text("utf-8")
    assert "<table>" in (tmp_path / "maps" / "documents.html").read_text("utf-8")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
