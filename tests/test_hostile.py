"""Hostile or odd input (issue 15): nothing read from outside the folders given, nothing of the
user's lost or replaced, no code run from the cache, bounded installs, one line per failure."""
from __future__ import annotations

import csv
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import pytest
from _corpus import A_TEXT, lines, make_seeds, run, snapshot

from geo_khorasan import cache as cache_mod
from geo_khorasan import csvcells, export
from geo_khorasan.corpus import CorpusError, read_corpus
from geo_khorasan.gazetteer import install as inst

SECRET = "TOP-SECRET-KEY-MATERIAL"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_KHORASAN_TEST_PAUSE", raising=False)


def _build(capsys, gazetteer, seeds, out, *extra):
    return run(capsys, gazetteer, "build", str(seeds), "--out", str(out), *extra)


# -- 1. inputs are regular files inside the folder -------------------------------------------------


def test_links_fifos_and_odd_names_in_the_articles_folder_are_skipped_with_one_line_each(tmp_path):
    seeds = make_seeds(tmp_path / "seeds")
    secret = tmp_path / "id_rsa"
    secret.write_text(f"{SECRET} in Peshawar.\n", "utf-8")
    secret.chmod(0o600)
    (seeds / "passwd.txt").symlink_to(secret)
    (seeds / "folder.txt").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(seeds / "pipe.txt")  # reading it would block for ever
    os.mkfifo(seeds / "notes.md")
    (seeds / "A\u0301bc.txt").write_text(A_TEXT, "utf-8")  # NFD
    (seeds / "\u00c1BC.txt").write_text(A_TEXT, "utf-8")  # NFC, upper case: the same id on macOS
    (seeds / "Index.txt").write_text(A_TEXT, "utf-8")  # index.html on a case-insensitive disk
    (seeds / "sources.txt").write_text(A_TEXT, "utf-8")
    (seeds / (b"caf\xe9.txt").decode("utf-8", "surrogateescape")).write_text(A_TEXT, "utf-8")
    (seeds / ("x" * 250 + ".txt")).write_text(A_TEXT, "utf-8")
    errors: list[str] = []
    docs = read_corpus(seeds, errors, warnings=[])
    assert sorted(d.id for d in docs) == sorted(["a", "b", "A\u0301bc"])
    assert not any(SECRET in d.text for d in docs)
    assert len(errors) == 9, errors
    by_name = {e.split(": ", 1)[0].rsplit("/", 1)[-1]: e.split(": ", 1)[1] for e in errors}
    assert by_name["passwd.txt"].startswith("a symbolic link, not a regular file")
    assert by_name["folder.txt"].startswith("a symbolic link")
    assert by_name["pipe.txt"].startswith("a named pipe (FIFO)") and by_name["notes.md"].startswith("a named pipe")
    assert "also used by A\u0301bc.txt" in by_name["\u00c1BC.txt"]
    assert "would replace index.html" in by_name["Index.txt"]
    assert "would replace sources/" in by_name["sources.txt"]
    assert by_name["caf\\xe9.txt"].startswith("named in bytes that are not UTF-8")
    assert by_name["x" * 250 + ".txt"].startswith("a file name over 200 bytes")
    assert all("\n" not in e for e in errors)


def test_a_link_to_a_secret_is_not_published_and_the_users_notes_survive(capsys, gazetteer, tmp_path):
    seeds, out = make_seeds(tmp_path / "seeds", a=A_TEXT), tmp_path / "maps"
    secret = tmp_path / "passwd"
    secret.write_text(f"{SECRET}: a bomb exploded in Peshawar on July 10, 2018.\n", "utf-8")
    (seeds / "passwd.txt").symlink_to(secret)
    out.mkdir()
    (out / "notes.html").write_text("<p>mine</p>\n", "utf-8")
    (out / "sources").mkdir()
    (out / "sources" / "mine.html").write_text("<p>also mine</p>\n", "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, out)  # a first build: no documents.json
    assert code == 0, err
    assert lines(err) == [f"geo-khorasan: {seeds / 'passwd.txt'}: a symbolic link, not a regular file "
                          "(only files in the folder itself are read); skipped"]
    assert not any(SECRET in p.read_text("utf-8") for p in out.rglob("*") if p.is_file() and p.suffix != ".txt")
    assert (out / "notes.html").read_text("utf-8") == "<p>mine</p>\n"
    assert (out / "sources" / "mine.html").read_text("utf-8") == "<p>also mine</p>\n"
    assert (out / "a.html").is_file()
    (out / "documents.json").write_text("{corrupt", "utf-8")  # an unreadable manifest removes nothing
    before = snapshot(out)
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err)[-1] == (f"geo-khorasan: {out / 'a.html'}: not replaced: there is no readable documents.json "
                              "of a previous build; move it away or choose another --out")
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".maps.*"))


def test_a_folder_of_articles_named_sources_is_never_written_over(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "maps" / "sources", a=A_TEXT)
    before = snapshot(seeds)
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {tmp_path / 'maps'}: holds the seeds folder {seeds}; "
                          "write the maps elsewhere (--out)"]
    code, _, err = _build(capsys, gazetteer, seeds, seeds / "maps")
    assert code == 2 and "is inside the seeds folder" in lines(err)[0]
    assert snapshot(seeds) == before and sorted(p.name for p in seeds.iterdir()) == ["a.txt"]


def test_output_links_are_named_not_followed(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "seeds", a=A_TEXT)
    dangling = tmp_path / "maps"
    dangling.symlink_to(tmp_path / "nowhere")
    code, _, err = _build(capsys, gazetteer, seeds, dangling)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {dangling}: is a link to {tmp_path / 'nowhere'}, which does not exist"]
    assert not (tmp_path / "nowhere").exists()


# -- 4. the cache stores data, not objects -----------------------------------------------------------


class _Gaz:
    def __init__(self, fp, path):
        self.meta, self.path = {"fingerprint": fp}, path


class _Boom:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_cache_file_runs_nothing(tmp_path):
    a, _ = read_corpus(make_seeds(tmp_path / "seeds"))
    cache = cache_mod.AnalysisCache(_Gaz("one", tmp_path / "i"), tmp_path / "c")
    path = cache._path(cache._key(a))
    path.parent.mkdir(parents=True)
    marker = tmp_path / "pwned"
    _Boom.marker = marker
    planted = pickle.dumps(_Boom())
    for name in (path, path.with_suffix(".pickle")):
        name.write_bytes(planted)
    assert cache.get(a) is None
    assert not marker.exists()
    assert len(cache.warnings) == 1 and cache.warnings[0].startswith(f"{path}: unusable analysis cache entry")
    source = (Path(cache_mod.__file__)).read_text("utf-8")
    assert "pickle" not in source


def test_a_cache_entry_swapped_between_documents_is_a_miss(tmp_path):
    a, b = read_corpus(make_seeds(tmp_path / "seeds"))
    cache = cache_mod.AnalysisCache(_Gaz("one", tmp_path / "i"), tmp_path / "c")
    cache.put(a, [])
    cache.put(b, [])
    pa, pb = cache._path(cache._key(a)), cache._path(cache._key(b))
    pb.write_bytes(pa.read_bytes())  # a's entry where b's is read
    assert cache.get(a) == [] and cache.get(b) is None
    assert len(cache.warnings) == 1 and "written for another document ('a')" in cache.warnings[0]
    entry = json.loads(pa.read_text("utf-8"))
    entry["mentions"] = [{"resolution": {"mention": "x"}, "classification": {}, "citation": None}]
    pa.write_text(json.dumps(entry), "utf-8")  # the right key, content of the wrong shape
    assert cache.get(a) is None and len(cache.warnings) == 2


def test_cached_mentions_round_trip_through_the_records(gazetteer, tmp_path):
    from geo_khorasan.pipeline import analyse
    from geo_khorasan.recognise import Recogniser
    from geo_khorasan.resolve import Resolver

    a, _ = read_corpus(make_seeds(tmp_path / "seeds"))
    found = analyse(a, Recogniser(gazetteer), Resolver(gazetteer))
    assert found
    cache = cache_mod.AnalysisCache(gazetteer, tmp_path / "c")
    cache.put(a, found)
    assert cache.get(a) == found and not cache.warnings


# -- 5. installs are atomic and bounded --------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_with_one_line(tmp_path):
    bomb = _zip(tmp_path / "bomb.zip", {"geonames/allCountries.txt": b"\0" * (64 * 2**20)})
    assert bomb.stat().st_size < 2**20
    dest = tmp_path / "data"
    report = inst.install([str(bomb)], dest)
    assert len(report.errors) == 1 and "refused" in report.errors[0] and "zip bomb" in report.errors[0]
    assert not dest.exists() or not any(p.is_file() for p in dest.rglob("*"))


def test_over_the_total_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(inst, "MAX_INSTALL_BYTES", 1000)
    pack = _zip(tmp_path / "pack.zip", {"geonames/a.txt": os.urandom(600), "geonames/b.txt": os.urandom(600)})
    report = inst.install([str(pack)], tmp_path / "data")
    assert report.errors == [f"pack.zip: refused: would install 0.0 GiB, over the 0 GiB limit; nothing installed"]


def test_a_corrupt_member_leaves_the_destination_unchanged(tmp_path):
    dest = tmp_path / "data"
    good = tmp_path / "src"
    (good / "geonames").mkdir(parents=True)
    (good / "geonames" / "admin1CodesASCII.txt").write_text("AF.01\tBadakhshan\told\n", "utf-8")
    assert inst.install([str(good)], dest).errors == []
    before = snapshot(dest)
    pack = _zip(tmp_path / "pack.zip", {"geonames/admin1CodesASCII.txt": b"AF.01\tBadakhshan\tnew\n",
                                        "geonames/admin2Codes.txt": os.urandom(200_000)})
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as zf:
        info = zf.getinfo("geonames/admin2Codes.txt")
    start = info.header_offset + 30 + len(info.filename)
    data[start + 1000:start + 1100] = bytes(100)  # the later member's data broken
    pack.write_bytes(bytes(data))
    report = inst.install([str(pack)], dest)
    assert len(report.errors) == 1 and report.errors[0].endswith("nothing installed"), report.errors
    assert snapshot(dest) == before


def test_folder_install_skips_links_and_fifos_with_one_line_each(tmp_path):
    src = tmp_path / "src"
    (src / "geonames").mkdir(parents=True)
    (src / "geonames" / "admin1CodesASCII.txt").write_text("AF.01\tBadakhshan\n", "utf-8")
    secret = tmp_path / "key"
    secret.write_text(SECRET, "utf-8")
    (src / "geonames" / "passwd.txt").symlink_to(secret)
    (src / "linked").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(src / "geonames" / "pipe.txt")
    report = inst.install([str(src)], tmp_path / "data")
    assert report.errors == []
    assert [f.path for f in report.installed] == ["geonames/admin1CodesASCII.txt"]
    skipped = [n for n in report.notes if n.endswith("skipped")]
    assert len(skipped) == 3
    assert not any(SECRET in p.read_text("utf-8", "replace") for p in (tmp_path / "data").rglob("*") if p.is_file())


@pytest.mark.parametrize("manifest", ["[]", '{"files": []}', '{"files": {"a": 3}}', '"x"'])
def test_an_installed_json_of_the_wrong_type_is_one_line(tmp_path, manifest):
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "installed.json").write_text(manifest, "utf-8")
    with pytest.raises(inst.InstallError) as err:
        inst.read_manifest(dest)
    assert str(err.value).startswith(f"{dest / 'installed.json'}: ") and "\n" not in str(err.value)


# -- 7. one line for every failure -------------------------------------------------------------------


def test_deep_and_oversized_corrections_are_one_line(tmp_path, monkeypatch):
    from geo_khorasan import corrections

    path = tmp_path / "corrections.yaml"
    for text in ("[" * 1000 + "]" * 1000, "".join("  " * i + "- \n" for i in range(1000))):
        path.write_text(text, "utf-8")
        with pytest.raises(corrections.CorrectionsError, match="nested more than 20 levels deep; not read"):
            corrections._load(path)
    monkeypatch.setattr(corrections, "MAX_CORRECTIONS_BYTES", 100)
    path.write_text("- doc: a\n" * 50, "utf-8")
    with pytest.raises(corrections.CorrectionsError, match="over the 0 MB limit for a corrections file"):
        corrections._load(path)


@pytest.mark.parametrize("data, problem", [
    ("id,title\na,One\n".encode("utf-16"), None),  # UTF-16: read, with a warning
    (b"id,id\na,b\n", "column 'id' appears twice in the header; no metadata read"),
    (bytes(range(256)) * 8, "binary file, not text"),
])
def test_odd_sidecars(tmp_path, data, problem):
    seeds = make_seeds(tmp_path / "seeds")
    (seeds / "metadata.csv").write_bytes(data)
    warnings: list[str] = []
    if problem is None:
        docs = read_corpus(seeds, [], warnings=warnings)
        assert {d.id: d.meta.title for d in docs}["a"] == "One"
        assert warnings == [f"{seeds / 'metadata.csv'}: UTF-16 text, read as such (save as UTF-8 to silence this)"]
    else:
        with pytest.raises(CorpusError) as err:
            read_corpus(seeds, [], warnings=warnings)
        assert str(err.value) == f"{seeds / 'metadata.csv'}: {problem}"


def test_a_sidecar_of_a_million_bad_rows_is_a_few_lines(tmp_path, monkeypatch):
    from geo_khorasan import corpus

    seeds = make_seeds(tmp_path / "seeds")
    (seeds / "metadata.csv").write_text("id,date\n" + "".join(f"a{i},not-a-date\n" for i in range(5000)), "utf-8")
    errors: list[str] = []
    read_corpus(seeds, errors, warnings=[])
    assert len(errors) == corpus.MAX_SIDECAR_PROBLEMS + 1
    assert errors[-1] == f"{seeds / 'metadata.csv'}: 4980 more bad row(s) not listed"
    monkeypatch.setattr(corpus, "MAX_SIDECAR_MB", 0.01)
    with pytest.raises(CorpusError, match="limit for the metadata file; no metadata read"):
        read_corpus(seeds, [], warnings=[])


def test_index_that_is_a_folder_is_named_as_such(capsys, tmp_path):
    from geo_khorasan.cli import main

    seeds = make_seeds(tmp_path / "seeds")
    capsys.readouterr()
    code = main(["--index", str(tmp_path), "-q", "build", str(seeds), "--out", str(tmp_path / "maps")])
    err = capsys.readouterr().err
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {tmp_path}: is a folder, not a gazetteer index file "
                          "(--index takes the .sqlite file)"]


def test_disk_full_while_writing_is_one_line_and_the_maps_are_untouched(capsys, gazetteer, tmp_path, monkeypatch):
    from geo_khorasan import atomic

    seeds, out = make_seeds(tmp_path / "seeds", a=A_TEXT), tmp_path / "maps"
    real = atomic.write_bytes

    def full(path, data):
        if str(path).endswith(".html"):
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)
    monkeypatch.setattr(atomic, "write_bytes", full)
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert len(lines(err)) == 1 and "cannot write (No space left on device)" in err
    assert not out.exists() and not list(tmp_path.glob(".maps.*"))


def test_long_and_deeply_nested_markup_reads_in_bounded_time(tmp_path):
    import time

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "brackets.md").write_text("[" * 20_000 + "Kabul" + "]" * 20_000 + "\n", "utf-8")
    (seeds / "urls.txt").write_text("".join(f"see https://e.com/{i} and\n" for i in range(20_000))
                                    + "https://e.com/own\n", "utf-8")
    started = time.monotonic()
    docs = {d.id: d for d in read_corpus(seeds, [], warnings=[])}
    assert time.monotonic() - started < 10
    assert docs["urls"].meta.url == "https://e.com/own"
    assert "Kabul" in docs["brackets"].text


# -- 8. CSV cells ---------------------------------------------------------------------------------------


def test_formula_cells_are_neutralised_in_csv_but_not_in_geojson():
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.5, 2]},
          "properties": {"id": "=HYPERLINK(\"http://evil\",\"x\")", "doc": "+cmd", "text": "@SUM(A1)", "start": -1,
                         "end": "-2", "place_name": "\tTab", "place_id": "\rCR", "level": "-town"}}]}
    text = export.csv_text(fc, ["id", "doc", "text", "start", "end", "place_name", "place_id", "level"])
    row = list(csv.reader(io.StringIO(text.replace("\r", "\\r"), newline="")))[1]  # a bare CR shown as \r
    assert row == ["-1.5", "2.0", "'=HYPERLINK(\"http://evil\",\"x\")", "'+cmd", "'@SUM(A1)", "-1", "-2", "'\tTab",
                   "'\\rCR", "'-town"]
    assert json.loads(export.geojson_text(fc))["features"][0]["properties"]["id"].startswith("=HYPERLINK")
    assert csvcells.row({"a": "=1+1", "b": 3}) == {"a": "'=1+1", "b": 3}
