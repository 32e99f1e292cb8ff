"""Regeneration: incremental (only changed documents are analysed again, and the build says what
changed), reproducible (byte-identical outputs), ``--check`` names what a fresh build would change."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _corpus import A_TEXT, B_TEXT, lines, make_seeds, run, snapshot

from geo_khorasan import cache as cache_mod
from geo_khorasan.changes import summary
from geo_khorasan.corpus import read_corpus

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def private_cache(gazetteer, tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_KHORASAN_TEST_PAUSE", raising=False)


def _build(capsys, gazetteer, seeds, out, *extra):
    return run(capsys, gazetteer, "build", str(seeds), "--out", str(out), *extra)


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_rebuild_analyses_only_what_changed_and_says_what_changed(capsys, gazetteer, tmp_path):
    seeds, out = make_seeds(tmp_path / "seeds"), tmp_path / "maps"
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    assert lines(stdout) == ["2 documents (2 analysed, 0 from cache), 7 mentions, 3 incidents, 1 regions -> " f"{out}/"]

    before = _mtimes(out)
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert lines(stdout) == ["2 documents (0 analysed, 2 from cache), 7 mentions, 3 incidents, 1 regions -> " f"{out}/"]
    assert _mtimes(out) == before  # nothing changed, nothing rewritten

    # edit b (Peshawar -> Kohat), add c, and the build says so
    (seeds / "b.txt").write_text(B_TEXT.replace("Peshawar", "Kohat"), "utf-8")
    (seeds / "c.txt").write_text("IS-K fighters have a stronghold in Kunar, officials said.\n", "utf-8")
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    assert lines(stdout) == [
        "document edited: b",
        "document added: c",
        "incident moved: bombing at Kohat on 2018-07-10 [b] (was at Peshawar, geonames:1168197)",
        "region added: stronghold: Kunar [c]",
        f"3 documents (2 analysed, 1 from cache), 8 mentions, 3 incidents, 2 regions -> {out}/",
    ]
    assert before["a.html"] == _mtimes(out)["a.html"]  # a's map did not change, and was not rewritten

    # remove c: its map and source page go, and the region with them
    (seeds / "c.txt").unlink()
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert lines(stdout)[:2] == ["document removed: c", "region removed: stronghold: Kunar [c]"]
    assert not (out / "c.html").exists() and not (out / "sources" / "c.html").exists()


def test_an_incident_whose_place_changes_has_moved(capsys, gazetteer, tmp_path):
    text = "A bomb exploded in Mastung on July 13, 2018, killing 128 people.\n"
    seeds, out = make_seeds(tmp_path / "seeds", a=text), tmp_path / "maps"
    assert _build(capsys, gazetteer, seeds, out)[0] == 0
    (seeds / "corrections.yaml").write_text(
        "- {doc: a, mention: Mastung, sentence: A bomb exploded, place: Quetta, level: town}\n", "utf-8")
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert code == 0, err
    (moved,) = [line for line in lines(stdout) if line.startswith("incident")]
    assert moved.startswith("incident moved: bombing at Quetta on 2018-07-13 [a] (was at Mastung, ")


def test_change_summary_pairs_features_by_their_evidence():
    def feat(fid, place, sentence, kind="sources", **props):
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]},
                "properties": {"id": fid, "place_id": place, "place_name": place, kind: [{"doc": "a", "sentence": sentence}],
                               **props}}
    prev = {"documents": {"a": "1", "gone": "2"}, "incidents": [feat("a:10", "X", "s1", type="bombing"),
                                                                feat("a:50", "Y", "s2", type="raid")],
            "regions": [feat("region:Z", "Z", "s3", "claims", status="hub")]}
    manifest = {"documents": [{"id": "a", "sha256": "1"}, {"id": "new", "sha256": "3"}]}
    incidents = {"features": [feat("a:12", "X", "s1", type="bombing"), feat("a:52", "W", "s2", type="raid")]}
    regions = {"features": [feat("region:V", "V", "s3", "claims", status="hub")]}
    assert summary(prev, manifest, incidents, regions) == [
        "document removed: gone", "document added: new",
        "incident moved: raid at W [a] (was at Y, Y)",  # offsets shifted, same sentence: same incident
        "region moved: hub: V [a] (was at Z, Z)",
    ]
    assert summary(None, manifest, incidents, regions) == []


def test_cache_key_covers_document_gazetteer_and_code(tmp_path, monkeypatch):
    class Gaz:
        def __init__(self, fp):
            self.meta, self.path = {"fingerprint": fp}, tmp_path / "index.sqlite"

    seeds = make_seeds(tmp_path / "seeds")
    a, b = read_corpus(seeds)
    cache = cache_mod.AnalysisCache(Gaz("one"), tmp_path / "c")
    assert cache.get(a) is None
    cache.put(a, [])
    assert cache.get(a) == [] and cache.get(b) is None
    assert cache_mod.AnalysisCache(Gaz("two"), tmp_path / "c").get(a) is None  # another gazetteer
    edited = read_corpus(make_seeds(tmp_path / "seeds2", a=A_TEXT + "More.\n"))[0]
    assert cache.get(edited) is None  # another text
    # a corrupt entry is a miss, not a crash
    next((tmp_path / "c").rglob("*.json")).write_bytes(b"garbage")
    assert cache_mod.AnalysisCache(Gaz("one"), tmp_path / "c").get(a) is None
    # another code version: a miss; the old version's entries stay until unused for two weeks
    old_version = cache.folder
    monkeypatch.setattr(cache_mod, "code_version", lambda: "f" * 64)
    assert cache_mod.AnalysisCache(Gaz("one"), tmp_path / "c").get(a) is None
    assert old_version.is_dir()
    weeks_ago = time.time() - 15 * 86400
    os.utime(old_version, (weeks_ago, weeks_ago))
    cache_mod.AnalysisCache(Gaz("one"), tmp_path / "c")
    assert not old_version.exists()


def test_cached_and_fresh_builds_are_byte_identical_across_processes(gazetteer, tmp_path):
    """Two processes with different hash seeds, one analysing afresh and one from the cache."""
    seeds = make_seeds(tmp_path / "seeds")
    (seeds / "metadata.csv").write_text("id,title,outlet,author,date,url\na,Bombing,Dawn,,2018-07-26,https://e.com/a\n",
                                        "utf-8")
    outs = []
    for i, seed in enumerate(("1", "2", "3")):
        out = tmp_path / f"maps{i}"
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(REPO), GEO_KHORASAN_CACHE=str(tmp_path / "cache"))
        extra = ["--no-cache"] if i == 0 else []
        proc = subprocess.run([sys.executable, "-m", "geo_khorasan", "--index", str(gazetteer.path), "-q", "build",
                               str(seeds), "--out", str(out), *extra], cwd=REPO, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    assert "(0 analysed, 2 from cache)" in proc.stdout
    assert snapshot(outs[0]) == snapshot(outs[1]) == snapshot(outs[2])
    for p in outs[0].rglob("*"):
        if p.is_file():
            text = p.read_text("utf-8")
            assert str(tmp_path) not in text and "/root" not in text and "/home/" not in text, p


def test_check_names_the_files_that_would_change_and_touches_nothing(capsys, gazetteer, tmp_path):
    seeds, out = make_seeds(tmp_path / "seeds"), tmp_path / "maps"
    assert _build(capsys, gazetteer, seeds, out)[0] == 0
    code, stdout, _ = _build(capsys, gazetteer, seeds, out, "--check")
    assert (code, lines(stdout)) == (0, [f"{out}: up to date"])
    (out / ".staging-leftover").mkdir()  # hidden files from a killed build do not count
    (seeds / "b.txt").write_text(B_TEXT.replace("killing 20", "killing 21"), "utf-8")
    before = snapshot(out)
    code, _, err = _build(capsys, gazetteer, seeds, out, "--check")
    assert code == 1
    # b.html only forwards to the map filtered to b: the text changed, not its id or title.
    assert lines(err) == [f"{out}: out of date; a fresh build changes 6 file(s):",
                          "  documents.json", "  incidents.csv", "  incidents.geojson", "  index.html",
                          "  mentions.geojson", "  sources/b.html"]
    assert snapshot(out) == before


def test_files_of_the_user_in_the_output_folder_are_left_alone(capsys, gazetteer, tmp_path):
    seeds, out = make_seeds(tmp_path / "seeds"), tmp_path / "maps"
    assert _build(capsys, gazetteer, seeds, out)[0] == 0
    (out / "README.txt").write_text("notes\n", "utf-8")
    (out / "notes.csv").write_text("x\n", "utf-8")
    (out / "notes.html").write_text("<p>mine</p>\n", "utf-8")
    (seeds / "b.txt").unlink()
    assert _build(capsys, gazetteer, seeds, out)[0] == 0
    assert not (out / "b.html").exists() and not (out / "sources" / "b.html").exists()
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        "README.txt", "a.html", "documents.html", "documents.json", "incidents.csv", "incidents.geojson", "index.html",
        "mentions.geojson", "notes.csv", "notes.html", "regions.geojson"]
    assert not list(out.parent.glob(".maps.staging-*"))


def test_the_seeds_folder_is_never_the_output_folder(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "seeds")
    (seeds / "article.html").write_text("<p>A bomb exploded in Peshawar on July 10, 2018.</p>", "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, seeds)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {seeds}: is the seeds folder; write the maps elsewhere (--out)"]
    assert sorted(p.name for p in seeds.iterdir()) == ["a.txt", "article.html", "b.txt"]
