"""``geo-khorasan data install`` of Who's On First's own distributions: the per-country SQLite
database and the GeoJSON record tree give the place list, and so the records, that the CSV gives.

The sample is written by the tests in each of WOF's forms; downloads come from 127.0.0.1."""
from __future__ import annotations

import bz2
import csv
import json
import sqlite3
import tarfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo_khorasan.gazetteer import install as inst
from geo_khorasan.gazetteer.wof import read_places
from geo_khorasan.knowledge import load_toml


def _record(wof_id, name, placetype, lat, lon, **props):
    base = {"wof:id": wof_id, "wof:name": name, "wof:placetype": placetype, "wof:country": "PK",
            "geom:latitude": lat, "geom:longitude": lon, "mz:is_current": -1, "src:geom": "geonames",
            "wof:concordances": {}}
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


RECORDS = [
    _record(9001, "Pashkalay", "locality", 33.5, 70.5, **{"wof:concordances": {"gn:id": 7700001},
            "name:eng_x_preferred": ["Pashkalay"], "name:eng_x_variant": ["Pashkalai"],
            "name:urd_x_preferred": ["پشکلی"], "name:fra_x_preferred": ["Pachkalaï"]}),
    _record(9002, "Gulbarai", "locality", 29.6, 66.6, **{"mz:is_current": 1, "src:geom": "whosonfirst",
            "name:eng_x_variant": ["Gul Barai"]}),
    _record(9003, "Tandokai", "neighbourhood", 33.15, 70.15, **{"wof:concordances": {"gn:id": 7700004}}),
    _record(9004, "Alpha", "county", 33.4, 70.4, **{"mz:is_current": 1, "src:geom": "meso"}),
    _record(9005, "Pashkalay Airport", "campus", 33.52, 70.52, **{"src:geom": "wikidata"}),
    # retired records: WOF keeps them, a map does not
    _record(9006, "Old Moshgai", "locality", 33.36, 70.71, **{"edtf:deprecated": "2019-05-01"}),
    _record(9007, "Moshgai", "locality", 33.35, 70.70, **{"wof:superseded_by": [9008]}),
    _record(9008, "Moshgai", "locality", 33.35, 70.70, **{"wof:supersedes": [9007], "mz:is_current": 0}),
]
ALT_GEOMETRY = _record(9001, "Pashkalay", "locality", 33.6, 70.6, **{"src:alt_label": "quattroshapes"})

# The same records as the place list of ../shared (places/wof-pakistan-places.csv) has them.
PLACE_LIST = [
    ["name", "alt_names", "latitude", "longitude", "country", "placetype", "wof_id", "geonames_id", "is_current", "src_geom"],
    ["Pashkalay", "Pashkalai;پشکلی", 33.5, 70.5, "PK", "locality", 9001, 7700001, -1, "geonames"],
    ["Gulbarai", "Gul Barai", 29.6, 66.6, "PK", "locality", 9002, "", 1, "whosonfirst"],
    ["Tandokai", "", 33.15, 70.15, "PK", "neighbourhood", 9003, 7700004, -1, "geonames"],
    ["Alpha", "", 33.4, 70.4, "PK", "county", 9004, "", 1, "meso"],
    ["Pashkalay Airport", "", 33.52, 70.52, "PK", "campus", 9005, "", -1, "wikidata"],
    ["Moshgai", "", 33.35, 70.70, "PK", "locality", 9008, "", 0, "geonames"],
]
RECIPE = next(r for r in load_toml("sources.toml")["layer"] if r["key"] == "wof-pakistan")


def _tree(root):
    """The repository's layout: data/900/1/9001.geojson, alternate geometries beside the record."""
    for feature in RECORDS + [ALT_GEOMETRY]:
        i = str(feature["properties"]["wof:id"])
        folder = root / "data" / i[:3] / i[3:]
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{i}-alt-quattroshapes.geojson" if feature is ALT_GEOMETRY else f"{i}.geojson"
        (folder / name).write_text(json.dumps(feature, ensure_ascii=False), "utf-8")
    (root / "README.md").write_text("whosonfirst-data-admin-pk\n")
    return root


def _sqlite(path, with_geojson=True):
    """The distribution's tables (geojson, spr, names, concordances), as far as the installer reads them."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE spr (id TEXT NOT NULL, parent_id INTEGER, name TEXT, placetype TEXT, country TEXT, "
                "repo TEXT, latitude REAL, longitude REAL, is_current INTEGER, is_deprecated INTEGER, "
                "is_ceased INTEGER, is_superseded INTEGER, is_superseding INTEGER, is_alt TINYINT, alt_label TEXT)")
    con.execute("CREATE TABLE names (id INTEGER NOT NULL, placetype TEXT, country TEXT, language TEXT, extlang TEXT, "
                "script TEXT, region TEXT, variant TEXT, extension TEXT, privateuse TEXT, name TEXT, lastmodified INTEGER)")
    con.execute("CREATE TABLE concordances (id INTEGER NOT NULL, other_id INTEGER NOT NULL, other_source TEXT, "
                "lastmodified INTEGER)")
    if with_geojson:
        con.execute("CREATE TABLE geojson (id INTEGER NOT NULL, body TEXT, source TEXT, is_alt BOOLEAN, "
                    "lastmodified INTEGER)")
    for feature in RECORDS + [ALT_GEOMETRY]:
        p = feature["properties"]
        alt = feature is ALT_GEOMETRY
        if with_geojson:
            con.execute("INSERT INTO geojson VALUES (?, ?, ?, ?, 0)", (p["wof:id"], json.dumps(feature), "x", alt))
        con.execute("INSERT INTO spr VALUES (?, 0, ?, ?, 'PK', 'whosonfirst-data-admin-pk', ?, ?, ?, ?, 0, ?, 0, ?, ?)",
                    (str(p["wof:id"]), p["wof:name"], p["wof:placetype"], p["geom:latitude"], p["geom:longitude"],
                     p["mz:is_current"], int("edtf:deprecated" in p), int("wof:superseded_by" in p), alt,
                     "quattroshapes" if alt else ""))
        for key, names in p.items():
            if key.startswith("name:"):
                lang, kind = key[5:].split("_x_")
                for n in names:
                    con.execute("INSERT INTO names VALUES (?, ?, 'PK', ?, '', '', '', '', '', ?, ?, 0)",
                                (p["wof:id"], p["wof:placetype"], lang, kind, n))
        if not alt and p["wof:concordances"].get("gn:id"):
            con.execute("INSERT INTO concordances VALUES (?, ?, 'gn:id', 0)", (p["wof:id"], p["wof:concordances"]["gn:id"]))
    con.commit()
    con.close()
    return path


def _expected(tmp_path):
    path = tmp_path / "expected.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(PLACE_LIST)
    return read_places(path, RECIPE)


def _installed(dest):
    return read_places(dest / "places" / "wof-pakistan-places.csv", RECIPE)


def test_geojson_record_tree_gives_the_records_of_the_place_list(tmp_path):
    dest = tmp_path / "data"
    report = inst.install([str(_tree(tmp_path / "whosonfirst-data-admin-pk"))], dest)
    assert report.errors == []
    assert _installed(dest) == _expected(tmp_path)
    assert any("Who's On First GeoJSON records: 6 records of PK written to places/wof-pakistan-places.csv" in n
               for n in report.notes)
    (f,) = report.installed
    assert f.path == "places/wof-pakistan-places.csv" and f.licence.startswith("CC0")
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == ["installed.json", "wof-pakistan-places.csv"]


def test_a_bundle_of_the_record_tree_gives_the_same_records(tmp_path):
    tree = _tree(tmp_path / "whosonfirst-data-admin-pk-latest")
    bundle = tmp_path / "whosonfirst-data-admin-pk-latest.tar.bz2"
    with tarfile.open(bundle, "w:bz2") as tf:
        tf.add(tree, arcname=tree.name)
    dest = tmp_path / "data"
    report = inst.install([str(bundle)], dest)
    assert report.errors == []
    assert _installed(dest) == _expected(tmp_path)
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == ["installed.json", "wof-pakistan-places.csv"]


def test_sqlite_database_gives_the_same_records_plain_or_bzip2(tmp_path):
    db = _sqlite(tmp_path / "whosonfirst-data-admin-pk-latest.db")
    packed = tmp_path / "whosonfirst-data-admin-pk-latest.db.bz2"
    packed.write_bytes(bz2.compress(db.read_bytes()))
    for source, dest in ((db, tmp_path / "a"), (packed, tmp_path / "b")):
        report = inst.install([str(source)], dest)
        assert report.errors == []
        assert _installed(dest) == _expected(tmp_path)
        assert inst.read_manifest(dest)["places/wof-pakistan-places.csv"]["origin"] == str(source.resolve())


def test_sqlite_database_without_its_geojson_table_reads_spr_and_names(tmp_path):
    db = _sqlite(tmp_path / "whosonfirst-data-admin-pk-latest.db", with_geojson=False)
    report = inst.install([str(db)], tmp_path / "data")
    assert report.errors == []
    # spr has no src:geom; everything else is the same
    assert _installed(tmp_path / "data") == _expected(tmp_path)


def test_download_from_the_publisher_is_read_and_leaves_only_the_place_list(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    www = tmp_path / "www"
    www.mkdir()
    db = _sqlite(tmp_path / "plain.db")
    (www / "whosonfirst-data-admin-pk-latest.db.bz2").write_bytes(bz2.compress(db.read_bytes()))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(www)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/whosonfirst-data-admin-pk-latest.db.bz2"
    catalogue = {"download": [{"name": "wof-admin-pk", "url": url, "path": "places/wof-pakistan-places.csv",
                               "convert": "wof", "licence": "CC0", "attribution": "Who's On First"}]}
    dest = tmp_path / "data"
    try:
        report = inst.install(["wof-admin-pk"], dest, downloads=catalogue)
        again = inst.install(["wof-admin-pk"], dest, downloads=catalogue)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert report.errors == [] and again.errors == []
    assert _installed(dest) == _expected(tmp_path)
    assert inst.read_manifest(dest)["places/wof-pakistan-places.csv"]["origin"] == url
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == ["installed.json", "wof-pakistan-places.csv"]
    assert again.installed == [] and any("already installed" in n for n in again.notes)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_database_that_is_not_who_s_on_first_is_named(tmp_path):
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE towns (name TEXT)")
    con.commit()
    con.close()
    report = inst.install([str(db)], tmp_path / "data")
    assert report.errors == [f"{db}: not a Who's On First database: no table 'spr' or 'geojson' (tables: towns); "
                             f"nothing installed"]
    assert not (tmp_path / "data" / "places").exists()


def test_a_country_no_recipe_reads_is_refused_with_what_to_add(tmp_path):
    db = _sqlite(tmp_path / "whosonfirst-data-admin-xx-latest.db", with_geojson=False)
    con = sqlite3.connect(db)
    con.execute("UPDATE spr SET country = 'XX'")
    con.commit()
    con.close()
    report = inst.install([str(db)], tmp_path / "data")
    assert len(report.errors) == 1 and "no recipe in data/sources.toml reads them" in report.errors[0]
    assert "country = 'XX'" in report.errors[0]


def test_shipped_who_s_on_first_downloads_land_where_a_recipe_reads_them():
    cat = inst.load_catalogue()
    recipes = {r["path"]: r for r in load_toml("sources.toml")["layer"]}
    for name in cat.groups["wof"]:
        d = cat.downloads[name]
        assert d.convert == "wof" and recipes[d.path]["kind"] == "wof-places"
        assert f"-admin-{recipes[d.path]['country'].lower()}-" in d.url
