"""Who's On First place lists in the index, and namesakes chosen by context.

Everything here runs on a small gazetteer the tests write: two districts in two provinces (squares)
and a WOF-format place list with invented names, so that the choices are the rules' and not
the real data's.
"""
from __future__ import annotations

import csv
import json

import pytest

from geo_khorasan.corpus import split_sentences
from geo_khorasan.gazetteer.index import Gazetteer, build_index
from geo_khorasan.gazetteer.wof import read_places
from geo_khorasan.geocoder import LocalGeocoder, geocode_row
from geo_khorasan.recognise import Recogniser
from geo_khorasan.records import Document, DocumentMeta
from geo_khorasan.resolve import Resolver

WOF_HEADER = ["name", "alt_names", "latitude", "longitude", "country", "placetype", "wof_id", "geonames_id",
              "is_current", "src_geom"]
WOF_ROWS = [
    # two records of one place in Alpha district, one namesake far away in Beta
    ["Pashkalay", "Pashkalai;پشکلی", 33.50, 70.50, "PK", "locality", 9001, 7700001, -1, "geonames"],
    ["Pashkalay", "", 33.55, 70.58, "PK", "locality", 9002, 7700002, -1, "geonames"],
    ["Pashkalay", "", 29.50, 66.50, "PK", "locality", 9003, 7700003, -1, "geonames"],
    # far apart, both in Alpha district: their district is all the text allows
    ["Tandokai", "", 33.15, 70.15, "PK", "locality", 9004, 7700004, -1, "geonames"],
    ["Tandokai", "", 33.85, 70.85, "PK", "locality", 9005, 7700005, -1, "geonames"],
    # one in each province
    ["Zarkotai", "", 33.30, 70.80, "PK", "locality", 9006, 7700006, -1, "geonames"],
    ["Zarkotai", "", 29.30, 66.30, "PK", "locality", 9007, 7700007, -1, "geonames"],
    ["Moshgai", "", 33.35, 70.70, "PK", "locality", 9008, 7700008, -1, "geonames"],
    # each far apart from its namesake; only the two in Alpha lie together
    ["Ghundai", "", 33.70, 70.30, "PK", "locality", 9014, 7700014, -1, "geonames"],
    ["Ghundai", "", 29.80, 66.80, "PK", "locality", 9015, 7700015, -1, "geonames"],
    ["Sarobai", "", 33.75, 70.35, "PK", "locality", 9016, 7700016, -1, "geonames"],
    ["Sarobai", "", 29.20, 66.20, "PK", "locality", 9017, 7700017, -1, "geonames"],
    # two far apart; a cantonment named after one of them lies by it
    ["Spinkai", "", 33.60, 70.60, "PK", "locality", 9018, 7700018, -1, "geonames"],
    ["Spinkai", "", 29.60, 66.30, "PK", "locality", 9019, 7700019, -1, "geonames"],
    ["Spinkai Cantonment", "Spinkai", 33.62, 70.62, "PK", "locality", 9020, 7700020, -1, "geonames"],
    # two far apart; by one lies a village whose other spelling is that name: not named after it
    ["Darwela", "", 33.20, 70.20, "PK", "locality", 9021, 7700021, -1, "geonames"],
    ["Darwela", "", 29.40, 66.40, "PK", "locality", 9022, 7700022, -1, "geonames"],
    ["Dirwal", "Darwela", 33.22, 70.22, "PK", "locality", 9023, 7700023, -1, "geonames"],
    ["Kandarogha", "", 33.40, 70.40, "PK", "locality", 9024, 7700024, -1, "geonames"],
    ["Tsappar", "", 29.70, 66.70, "PK", "locality", 9025, 7700025, -1, "geonames"],
    ["Lakkai", "", 29.35, 66.35, "PK", "locality", 9026, 7700026, -1, "geonames"],  # by the Zarkotai of Beta
    ["Lakkai", "", 31.50, 68.50, "PK", "locality", 9027, 7700027, -1, "geonames"],  # by neither
    ["Gulbarai", "Gul Barai", 29.60, 66.60, "PK", "locality", 9009, "", 1, "whosonfirst"],  # reviewed: a town
    # Quetta as GeoNames knows it (cities500): the same place, one record
    ["Quetta", "Kwatah;کوئٹہ", 30.18414, 67.00141, "PK", "locality", 9010, 1167528, 1, "whosonfirst"],
    # not places a map names
    ["Pashkalay Airport", "OPXX", 33.52, 70.52, "PK", "campus", 9011, "", 1, "wikidata"],
    ["Pakistan", "", 30.0, 70.0, "PK", "country", 9012, 1168579, 1, "meso"],
    ["Old Moshgai", "", 33.36, 70.71, "PK", "locality", 9013, "", 0, "geonames"],
]


def _square(w, s, e, n):
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _layer(path, features):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]}), "utf-8")


RECIPES = {"layer": [
    {"key": "test-provinces", "path": "provinces.geojson", "kind": "boundary", "level": "province", "country": "PK",
     "name_field": "name", "id_prefix": "test-province"},
    {"key": "test-districts", "path": "districts.geojson", "kind": "boundary", "level": "district", "country": "PK",
     "name_field": "name", "id_prefix": "test-district"},
    {"key": "wof-test", "path": "places/wof-test-places.csv", "kind": "wof-places", "current_level": "town",
     "placetype_levels": {"locality": "village", "neighbourhood": "neighbourhood", "county": "district",
                          "region": "province"}},
]}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    gz = tmp_path_factory.mktemp("gz")
    _layer(gz / "provinces.geojson", [({"name": "Northland"}, _square(69, 32, 72, 35)),
                                      ({"name": "Southland"}, _square(65, 28, 68, 31))])
    _layer(gz / "districts.geojson", [({"name": "Alpha"}, _square(70, 33, 71, 34)),
                                      ({"name": "Beta"}, _square(66, 29, 67, 30))])
    (gz / "places").mkdir()
    with open(gz / "places" / "wof-test-places.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(WOF_HEADER)
        w.writerows(WOF_ROWS)
    index = gz / "index.sqlite"
    build_index(gz, index, RECIPES)
    return gz, Gazetteer(index)


def test_wof_reader_maps_placetypes_and_keeps_both_ids(small):
    gz, _ = small
    recs = {(r.name, r.lat): r for r in read_places(gz / "places" / "wof-test-places.csv", RECIPES["layer"][2])}
    names = {r.name for r in recs.values()}
    assert "Pashkalay Airport" not in names and "Pakistan" not in names  # campus, country: not mapped
    assert "Old Moshgai" not in names  # WOF says it is no longer current
    first = recs[("Pashkalay", 33.5)]
    assert first.id == "geonames:7700001" and first.other_ids == ["wof:9001"] and first.level == "village"
    assert first.alt_names == ["Pashkalai"]  # split on ';', other scripts left out
    town = recs[("Gulbarai", 29.6)]
    assert town.id == "wof:9009" and town.level == "town" and town.alt_names == ["Gul Barai"]


def test_wof_places_merge_with_geonames_and_get_their_district(small):
    _, gaz = small
    quetta = [m.place for m in gaz.match("Quetta") if m.place.country == "PK"]
    assert [p.id for p in quetta] == ["geonames:1167528"]  # one place, not two
    assert "wof:9010" in quetta[0].other_ids
    assert any(m.name == "Kwatah" for m in gaz.match("Kwatah"))
    (moshgai,) = [m.place for m in gaz.match("Moshgai")]
    assert (moshgai.admin1, moshgai.admin2) == ("Northland", "Alpha")  # derived spatially


@pytest.mark.parametrize("query, name, level, precision, why", [
    # two records near one another and one far away: more records is no evidence of which is meant
    ("Pashkalay", "Pakistan", "country", 6, "common country"),
    ("Tandokai", "Alpha", "district", 3, "common district"),  # far apart: their district, not one of them
    ("Zarkotai", "Pakistan", "country", 6, "common country"),
    ("Zarkotai, Beta", "Zarkotai", "village", 1, "within Beta"),  # the container the text names
    ("Zarkotai, Southland", "Zarkotai", "village", 1, "within Southland"),
    ("Spinkai", "Spinkai", "village", 1, "other records near it are named after"),  # the known one
    ("Darwela", "Pakistan", "country", 6, "common country"),  # a neighbour spelt so is no such record
])
def test_namesakes_are_chosen_by_the_text_or_placed_where_they_meet(small, query, name, level, precision, why):
    _, gaz = small
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates(query)
    assert (best.place.name, best.place.level, best.precision) == (name, level, precision)
    assert why in best.rule
    if query == "Zarkotai, Beta":
        assert best.place.admin2 == "Beta"
    if level == "district":
        assert "far apart" in best.note


def test_the_documents_other_places_choose_among_namesakes(small):
    _, gaz = small
    text = "Militants attacked a checkpost in Moshgai on Monday. On Tuesday they struck Zarkotai."
    doc = Document(id="t", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    res = {r.mention.text: r for r in Resolver(gaz).resolve_document(doc, Recogniser(gaz).mentions(doc))}
    z = res["Zarkotai"]
    assert z.place.admin2 == "Alpha" and z.precision == 1
    assert "near the document's other places" in z.rule


def test_two_names_whose_namesakes_meet_once_are_that_pair(small):
    _, gaz = small
    text = "Clashes were reported in Ghundai and Sarobai."
    doc = Document(id="t", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    res = {r.mention.text: r for r in Resolver(gaz).resolve_document(doc, Recogniser(gaz).mentions(doc))}
    assert {res["Ghundai"].place.admin2, res["Sarobai"].place.admin2} == {"Alpha"}
    assert "near a namesake of another place named with it" in res["Ghundai"].rule  # then Sarobai is near it


@pytest.mark.parametrize("query, found", [
    ("Moshgai valley", None),  # ground, not the village of that name: nothing in the text places it
    ("Moshgai Valley, Beta", "Beta"),  # not inside Beta: the container the text names
    ("Moshgai valley of Alpha district", "Moshgai"),  # a village of that name inside the container may be meant
])
def test_a_valley_is_not_the_village_of_its_name_elsewhere(small, query, found):
    _, gaz = small
    got = LocalGeocoder(gazetteer=gaz).candidates(query)
    assert (got[0].place.name if got else None) == found


@pytest.mark.parametrize("query, name, level", [
    # the only Moshgai lies in Alpha (Northland): a text that puts its Moshgai elsewhere means another one
    ("Moshgai village, Beta district", "Beta", "district"),  # its own level word: a nesting, not a list
    ("Moshgai, southwestern Southland", "Southland", "province"),  # a direction before the container
    ("Moshgai village, Alpha district", "Moshgai", "village"),  # inside: the village itself
])
def test_a_village_outside_the_container_the_text_names_is_a_namesake(small, query, name, level):
    _, gaz = small
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates(query)
    assert (best.place.name, best.place.level) == (name, level)


def test_a_village_outside_the_province_the_article_names_is_not_taken_for_the_place_meant(small):
    _, gaz = small
    text = "Security forces raided hideouts across Southland. Two soldiers died in Moshgai."
    doc = Document(id="t", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    res = {r.mention.text: r.place.name for r in Resolver(gaz).resolve_document(doc, Recogniser(gaz).mentions(doc))}
    assert res == {"Southland": "Southland"}  # the Moshgai of Northland is left off the map
    text = "Security forces raided hideouts across Northland. Two soldiers died in Moshgai."
    doc = Document(id="t", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    res = {r.mention.text: r.place.admin1 for r in Resolver(gaz).resolve_document(doc, Recogniser(gaz).mentions(doc))}
    assert res["Moshgai"] == "Northland"


def test_a_cell_is_placed_by_a_district_inside_a_longer_name_but_not_by_a_village(small):
    _, gaz = small
    coder = LocalGeocoder(gazetteer=gaz)
    (best, *_) = coder.candidates("Alpha Distric")  # a typo after the name: the name still places the cell
    assert (best.place.name, best.place.level) == ("Alpha", "district")
    assert best.note == "placed by the name 'Alpha' inside 'Alpha Distric'"
    assert coder.candidates("Moshgai Khel") == []  # a village named like one word of a longer name is a namesake


def test_a_query_restricted_to_a_country_is_not_placed_at_that_country_by_far_apart_namesakes(small):
    _, gaz = small
    coder = LocalGeocoder(gazetteer=gaz)
    assert coder.candidates("Zarkotai", country="PK") == []
    row = geocode_row(coder, "Zarkotai", "PK")
    assert row["place_name"] == "" and row["note"] == ("unresolved: places of this name far apart in PK "
                                                      "and nothing in the text to choose")
    assert geocode_row(coder, "Pakistan", "PK")["place_name"] == "Pakistan"  # the text names the country


def test_geopy_keywords_and_reverse_geocoding(small):
    _, gaz = small
    coder = LocalGeocoder(gazetteer=gaz)
    assert coder.geocode("Moshgai", exactly_one=True, timeout=5, country_codes=["pk"]).raw["place_name"] == "Moshgai"
    assert coder.geocode("Moshgai", country_codes="AF") is None
    with pytest.raises(TypeError):
        coder.geocode("Moshgai", contry="PK")
    loc = coder.reverse((33.34, 70.69))
    assert loc.raw["place_name"] == "Moshgai" and "Alpha" in loc.address
    assert "nearest village" in loc.raw["rule"]


def test_batch_geocoding_sniffs_the_delimiter_and_says_why_rows_failed(small, tmp_path, capsys):
    from geo_khorasan.cli import main

    _, gaz = small
    src = tmp_path / "events.csv"
    src.write_text("id;where\n1;Zarkotai, Beta\n2;Nowhere-at-all\n3;\n", "utf-8")
    out = tmp_path / "out.csv"
    code = main(["--index", str(gaz.path), "-q", "geocode", "--input", str(src), "--column", "where", "-o", str(out)])
    assert code == 1  # some rows unresolved
    rows = list(csv.DictReader(open(out, encoding="utf-8"), delimiter=";"))
    assert rows[0]["place_name"] == "Zarkotai" and rows[0]["country"] == "PK" and "within Beta" in rows[0]["rule"]
    assert rows[1]["note"] == "unresolved: no place of this name in the gazetteer"
    assert rows[2]["note"] == "unresolved: empty cell"
    assert "1 of 3 rows geocoded, 2 not (1 no place of this name in the gazetteer; 1 empty cell)" in capsys.readouterr().out


@pytest.mark.parametrize("query, name, level, precision", [
    # a cell describes one place: after a bare comma comes where it lies, not the next name of a list
    ("Moshgai, Beta", "Beta", "district", 3),  # the only Moshgai is in Alpha: another one, in Beta, is meant
    ("Moshgai, Kirala area, Beta", "Beta", "district", 3),  # the first container that resolved holds it
    ("Moshgai area of Kirala valley in Alpha district", "Moshgai", "village", 2),
    ("Pashkalay, Gulbarai", "Pashkalay", "village", 1),  # a town holds the namesake by it...
    ("Moshgai, Gulbarai", "Gulbarai", "town", 1),  # ...and not one far away: the town itself
])
def test_in_a_cell_the_name_after_a_comma_is_where_the_place_lies(small, query, name, level, precision):
    _, gaz = small
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates(query)
    assert (best.place.name, best.place.level, best.precision) == (name, level, precision)
    if name == "Pashkalay":
        assert best.place.admin2 == "Beta" and "within Gulbarai" in best.rule


def test_in_prose_names_after_a_comma_may_be_a_list(small):
    _, gaz = small
    text = "Fighting was reported in Moshgai, Beta and Gulbarai."
    doc = Document(id="t", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    res = {r.mention.text: r.place for r in Resolver(gaz).resolve_document(doc, Recogniser(gaz).mentions(doc))}
    assert res["Moshgai"].admin2 == "Alpha"  # an article's list, not a nesting


@pytest.mark.parametrize("query, name, admin2, precision", [
    # a cell ending in a district or province places every name before it there
    ("Zarkotai and Moshgai, Beta", "Zarkotai", "Beta", 1),
    ("Moshgai and Tandokai areas of Beta district", "Beta", None, 3),  # none of them lies in Beta
    ("Moshgai, 60 km east of Gulbarai, Beta", "Moshgai", "Alpha", 1),  # after a distance: a reference point
    # after the name's own level word a space says as much as a comma
    ("Zarkotai tehsil Beta district", "Zarkotai", "Beta", 3),
    ("Zarkotai tehsil Alpha district", "Zarkotai", "Alpha", 3),
])
def test_in_a_cell_the_district_it_ends_with_holds_the_names_before_it(small, query, name, admin2, precision):
    _, gaz = small
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates(query)
    assert (best.place.name, best.place.admin2, best.precision) == (name, admin2, precision)


@pytest.mark.parametrize("query, found", [
    ("Kundarogha", "Kandarogha"),  # one letter away: a misspelling
    ("Kundarigha village", None),  # two letters away, and nothing says where to look: most often another name
    ("Kundarigha village, Alpha", "Kandarogha"),  # inside the container the text names
])
def test_a_village_two_letters_away_needs_the_text_to_say_where(small, query, found):
    _, gaz = small
    got = LocalGeocoder(gazetteer=gaz, country="PK").candidates(query)  # near-misses are looked for in the country
    assert (got[0].place.name if got and got[0].place.level == "village" else None) == found


def test_of_a_cells_places_the_one_its_other_places_lie_near_is_taken(small):
    _, gaz = small
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates("Tsappar, Moshgai and Kandarogha")
    assert best.place.name == "Moshgai"  # Tsappar, named first, lies far from the other two
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates("Moshgai and Kandarogha")
    assert best.place.name == "Moshgai"  # between equals, the one named first


def test_of_a_containers_namesakes_the_one_that_holds_the_place_named_in_it_is_meant(small):
    _, gaz = small
    (best, *_) = LocalGeocoder(gazetteer=gaz).candidates("Lakkai area of Zarkotai tehsil")
    assert (best.place.name, best.place.admin2) == ("Lakkai", "Beta")  # one Zarkotai in each province
    text = "Troops moved into the Lakkai area of Zarkotai tehsil."
    doc = Document(id="t", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    res = {r.mention.text: r for r in Resolver(gaz).resolve_document(doc, Recogniser(gaz).mentions(doc))}
    z = res["Zarkotai tehsil"]
    assert z.place.admin2 == "Beta" and "the one that holds 'Lakkai'" in z.rule
    assert res["Lakkai"].place.admin2 == "Beta"
