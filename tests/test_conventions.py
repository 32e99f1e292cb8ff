"""The command line talks like a Python tool: one line per error, `geo-khorasan: <file or
command>: <problem>`; options before or after the subcommand; one configuration for the CLI and
the Python API; exports that QGIS and pandas open."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys

import pytest

from _corpus import lines, make_seeds
from geo_khorasan import __version__, config, export, paths, read_maps
from geo_khorasan.cli import main, parser
from geo_khorasan.gazetteer.index import Gazetteer


def one_line(capsys, *argv) -> tuple[int, str]:
    """Exit code and the only line on stderr."""
    capsys.readouterr()
    code = main(list(argv))
    err = lines(capsys.readouterr().err)
    assert len(err) == 1, err
    return code, err[0]


def test_version_comes_from_the_package_metadata(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit):
        parser().parse_args(["--version"])
    assert capsys.readouterr().out.strip() == f"geo-khorasan {__version__}" == f"geo-khorasan {version('geo_khorasan')}"


def test_every_option_has_help():
    def walk(p):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action.choices.values():
                    yield from walk(choice)
            else:
                yield p.prog, action

    missing = [f"{prog} {'/'.join(a.option_strings) or a.dest}" for prog, a in walk(parser()) if not a.help]
    assert missing == []


@pytest.mark.parametrize("argv, expected", [
    (["build", "--bogus"], "geo-khorasan: build: unrecognized arguments: --bogus (see geo-khorasan build --help)"),
    (["bogus"], "geo-khorasan: command line: argument COMMAND: invalid choice: 'bogus'"),
    (["build", "--format", "shp"],
     "geo-khorasan: build --format: unknown format 'shp' (choose from geojson, csv, gpkg, parquet)"),
    (["geocode"], "geo-khorasan: geocode: give a NAME, or --input FILE.csv --column COL --output OUT.csv"),
])
def test_usage_errors_are_one_line(capsys, gazetteer, argv, expected):
    code, line = one_line(capsys, *argv[:1], "--index", str(gazetteer.path), *argv[1:])
    assert code == 2 and line.startswith(expected)


def test_options_are_accepted_after_the_subcommand(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "seeds")
    code = main(["build", str(seeds), "--out", str(tmp_path / "maps"), "-q", "--index", str(gazetteer.path)])
    assert code == 0
    err = capsys.readouterr().err
    assert "gazetteer:" not in err  # -q, given after the subcommand
    assert main(["geocode", "Quetta", "--country", "PK", "-q", "--index", str(gazetteer.path)]) == 0
    assert "Quetta" in capsys.readouterr().out


def test_missing_library_stops_before_any_work(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "xstatic.pkg.leaflet", None)
    index = tmp_path / "index.sqlite"
    code, line = one_line(capsys, "build", str(make_seeds(tmp_path / "seeds")), "--index", str(index))
    assert code == 2
    assert line == ("geo-khorasan: XStatic-Leaflet: not installed (it holds leaflet, inlined into every map); "
                    "pip install XStatic-Leaflet")
    assert not index.exists()  # no gazetteer index built, no article read


def test_missing_package_data_is_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path)
    code, line = one_line(capsys, "data", "list")
    assert code == 2
    assert line == (f"geo-khorasan: {tmp_path / 'sources.toml'}: missing: the geo_khorasan package data is "
                    "incomplete (reinstall the package, or fix $GEO_KHORASAN_DATA)")


def test_parquet_without_pyarrow_is_one_line(capsys, monkeypatch, gazetteer, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, line = one_line(capsys, "build", str(make_seeds(tmp_path / "seeds")), "--format", "parquet",
                          "--index", str(gazetteer.path))
    assert code == 2
    assert line == ("geo-khorasan: build --format parquet: GeoParquet needs pyarrow: pip install pyarrow "
                    "(or geo_khorasan[parquet])")


def test_broken_pyproject_is_one_line(capsys, monkeypatch, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.geo_khorasan\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    code, line = one_line(capsys, "data", "list")
    assert code == 2 and line.startswith(f"geo-khorasan: {tmp_path / 'pyproject.toml'}: not valid TOML (")


def test_geocode_table_errors_are_one_line(capsys, gazetteer, tmp_path):
    src = tmp_path / "events.csv"
    src.write_text("where\nQuetta\n", "utf-8")
    idx = ["--index", str(gazetteer.path)]
    assert one_line(capsys, "geocode", *idx, "--input", str(src)) == (
        2, f"geo-khorasan: {src}: geocode --input needs --column and --output (-o)")
    assert one_line(capsys, "geocode", *idx, "--input", str(src), "--column", "place", "--output", "o.csv") == (
        2, f"geo-khorasan: {src}: no column 'place'; columns are where")
    assert one_line(capsys, "geocode", *idx, "Xqzvtplk") == (1, "geo-khorasan: geocode: no place named 'Xqzvtplk'")
    # a name known elsewhere is not said to be unknown: the reason is the batch's
    assert one_line(capsys, "geocode", *idx, "Paris", "--country", "PK") == (
        1, "geo-khorasan: geocode: 'Paris': places of this name only outside PK")


def test_missing_gazetteer_folder_is_one_warning_and_q_silences_it(capsys, gazetteer, tmp_path):
    missing = tmp_path / "nowhere"
    assert config.gazetteer_dir(missing) is None
    assert lines(capsys.readouterr().err) == [
        f"geo-khorasan: warning: {missing}: gazetteer folder not found; using the packaged data only"]
    assert config.gazetteer_dir(missing, quiet=True) is None
    assert capsys.readouterr().err == ""


def test_a_file_that_is_not_text_is_named_once(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "seeds")
    (seeds / "report.pdf").write_bytes(b"%PDF-1.4 \x00\x01")
    (seeds / "notes.docx").write_bytes(b"PK\x03\x04")
    assert main(["--index", str(gazetteer.path), "-q", "build", str(seeds), "--out", str(tmp_path / "maps")]) == 0
    said = [line for line in lines(capsys.readouterr().err) if "skipped" in line]
    assert said == [f"geo-khorasan: warning: {seeds / name}: skipped: not text (articles are .htm, .html, .markdown, "
                    ".md, .text, .txt files)" for name in ("notes.docx", "report.pdf")]


# --- one configuration --------------------------------------------------------------------
def test_python_api_finds_the_gazetteer_as_the_cli_does(monkeypatch, gazetteer, tmp_path):
    from conftest import SHARED_GAZETTEER
    from geo_khorasan.geocoder import LocalGeocoder

    monkeypatch.chdir(tmp_path)  # no pyproject.toml here
    monkeypatch.setenv(config.GAZETTEER_ENV, str(SHARED_GAZETTEER))
    assert config.gazetteer_dir() == SHARED_GAZETTEER
    assert Gazetteer.open().path == gazetteer.path  # the same index as the CLI's, not a second one
    monkeypatch.setenv(config.INDEX_ENV, str(gazetteer.path))
    assert LocalGeocoder().gaz.path == gazetteer.path
    monkeypatch.delenv(config.GAZETTEER_ENV)
    monkeypatch.delenv(config.INDEX_ENV)
    (tmp_path / "pyproject.toml").write_text(f'[tool.geo_khorasan]\ngazetteer = "{SHARED_GAZETTEER}"\n', "utf-8")
    assert config.gazetteer_dir() == SHARED_GAZETTEER
    assert config.gazetteer_dir(tmp_path) == tmp_path  # --gazetteer wins


# --- exports ------------------------------------------------------------------------------
@pytest.mark.parametrize("date, span", [
    ("2018-07-13", ("2018-07-13", "2018-07-13", "day")),
    ("2018-02", ("2018-02-01", "2018-02-28", "month")),
    ("2016", ("2016-01-01", "2016-12-31", "year")),
    ("2018-13", (None, None, None)),
    (None, (None, None, None)),
])
def test_date_span(date, span):
    assert export.date_span(date) == span


def test_build_formats_and_read_maps(gazetteer, tmp_path):
    pytest.importorskip("pyarrow")
    import geopandas as gpd

    from geo_khorasan.pipeline import build

    out = tmp_path / "maps"
    build(make_seeds(tmp_path / "seeds"), out, gazetteer, formats=["gpkg", "parquet", "csv"])
    layers = read_maps(out)
    mentions, incidents, regions = layers
    assert all(isinstance(g, gpd.GeoDataFrame) and g.crs.to_epsg() == 4326 for g in layers)
    assert str(incidents["date_start"].dtype).startswith("datetime64")
    quetta = incidents[incidents["place_name"] == "Quetta"].iloc[0]
    assert (quetta["date"], quetta["date_precision"]) == ("2018-07-25", "day")
    for name in ("mentions", "incidents", "regions"):
        assert len(gpd.read_file(out / "maps.gpkg", layer=name)) == len(getattr(layers, name))
        assert len(gpd.read_parquet(out / f"{name}.parquet")) == len(getattr(layers, name))
    for name in ("mentions.csv", "incidents.csv"):
        header = next(csv.reader(io.StringIO((out / name).read_text("utf-8"))))
        assert {"country", "precision_words"} <= set(header)
    header = next(csv.reader(io.StringIO((out / "mentions.csv").read_text("utf-8"))))
    assert {"sentence", "citation", "url", "doc", "correction"} <= set(header)  # every column, null or not
    first = json.loads((out / "incidents.geojson").read_text("utf-8"))["features"][0]["properties"]
    assert {"date_start", "date_end", "date_precision"} <= set(first)
    again = tmp_path / "again"
    build(tmp_path / "seeds", again, gazetteer, formats=["gpkg"])
    assert (again / "maps.gpkg").read_bytes() == (out / "maps.gpkg").read_bytes()  # reproducible


def test_unplaceable_area_stays_in_the_article_countries(tmp_path):
    from geo_khorasan.corpus import split_sentences
    from geo_khorasan.pipeline import analyse
    from geo_khorasan.recognise import Recogniser
    from geo_khorasan.records import Document, DocumentMeta
    from geo_khorasan.resolve import Resolver

    gaz = Gazetteer.open(None)  # the packaged data only: no Takhar province
    text = "IS-K in Afghanistan.\n\nIts fighters moved into the Takhar provinces last year, officials in Kabul said."
    doc = Document(id="q", path="", text=text, meta=DocumentMeta(), sentences=split_sentences(text))
    placed = {cm.resolution.mention.text: cm.resolution for cm in analyse(doc, Recogniser(gaz), Resolver(gaz))}
    takhar = placed["Takhar provinces"]
    assert (takhar.place.country, takhar.place.level) == ("AF", "country")
    assert takhar.rule.startswith("fallback to the article's country")
