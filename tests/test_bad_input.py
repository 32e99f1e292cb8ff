"""Bad input: one line naming the file and the problem, the other documents still built, a
non-zero exit only when nothing could be built, and never a half-written or lost output."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _corpus import A_TEXT, B_TEXT, lines, make_seeds, run, snapshot

from geo_khorasan.gazetteer import index as gazetteer_index

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def private_cache(gazetteer, tmp_path, monkeypatch):
    """The analysis cache in a temporary folder (the session index is passed with --index)."""
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_KHORASAN_TEST_PAUSE", raising=False)


@pytest.fixture
def seeds(tmp_path):
    return make_seeds(tmp_path / "seeds")


@pytest.fixture
def built(capsys, gazetteer, seeds, tmp_path):
    """Maps of the good corpus, built once: (seeds, maps, snapshot)."""
    out = tmp_path / "maps"
    code, _, err = run(capsys, gazetteer, "build", str(seeds), "--out", str(out))
    assert code == 0, err
    return seeds, out, snapshot(out)


def _build(capsys, gazetteer, seeds, out, *extra):
    return run(capsys, gazetteer, "build", str(seeds), "--out", str(out), *extra)


def _good_docs_built(out: Path) -> None:
    for doc in ("a", "b"):
        assert (out / f"{doc}.html").is_file() and (out / "sources" / f"{doc}.html").is_file()


# -- files that are not articles -------------------------------------------------------------------


def test_empty_file_is_named_and_the_others_are_built(capsys, gazetteer, seeds, tmp_path):
    (seeds / "empty.txt").write_text("  \n\n", "utf-8")
    code, out, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0
    assert lines(err) == [f"geo-khorasan: {seeds / 'empty.txt'}: empty file"]
    assert out.startswith("2 documents")
    _good_docs_built(tmp_path / "maps")
    assert not (tmp_path / "maps" / "empty.html").exists()


@pytest.mark.parametrize("data, problem", [
    (bytes(range(256)) * 8, "binary file, not text"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>\n", "binary file (PDF), not text"),
    (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "binary file (zip archive or Word/OpenDocument), not text"),
    (b"\x89PNG\r\n\x1a\n" + b"x" * 100, "binary file (PNG image), not text"),
])
def test_binary_file_is_named_and_the_others_are_built(capsys, gazetteer, seeds, tmp_path, data, problem):
    (seeds / "scan.txt").write_bytes(data)
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0
    assert lines(err) == [f"geo-khorasan: {seeds / 'scan.txt'}: {problem}"]
    _good_docs_built(tmp_path / "maps")


@pytest.mark.parametrize("encoding, extra, said", [
    ("cp1252", "", "Windows-1252"),
    # 0x8d is no Windows-1252 character: the text is Latin-1 (with a C1 control)
    ("latin-1", "\x8d", "Latin-1"),
])
def test_windows_1252_and_latin_1_text_is_read_with_its_curly_quotes_and_said_so(
        capsys, gazetteer, tmp_path, encoding, extra, said):
    seeds = make_seeds(tmp_path / "seeds", a=A_TEXT)
    quote = "Officials in “Quetta” said the café was hit." if encoding == "cp1252" else "Officials in Quetta said the café was hit."
    (seeds / "legacy.txt").write_bytes((quote + extra + "\n").encode(encoding))
    out = tmp_path / "maps"
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    assert lines(err) == [f"geo-khorasan: warning: {seeds / 'legacy.txt'}: not UTF-8 (first at line 1); read as {said}"]
    import json

    mentions = json.loads((out / "mentions.geojson").read_text("utf-8"))["features"]
    (quetta,) = [f["properties"] for f in mentions if f["properties"]["doc"] == "legacy"]
    assert quetta["text"] == "Quetta" and quetta["sentence"].startswith(quote[:-1])
    page = (out / "sources" / "legacy.html").read_text("utf-8")
    assert "café" in page and ("“" in page) == (encoding == "cp1252")
    assert "\ufffd" not in page and "â€" not in page and "Ã" not in page  # no replacement characters, no mojibake


def test_utf16_text_is_read(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "seeds", a=A_TEXT)
    (seeds / "notepad.txt").write_bytes("A bomb exploded in Peshawar on July 10, 2018.\n".encode("utf-16"))
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0
    assert lines(err) == [f"geo-khorasan: warning: {seeds / 'notepad.txt'}: UTF-16 text, read as such "
                          f"(save as UTF-8 to silence this)"]
    assert (tmp_path / "maps" / "notepad.html").exists()


def test_a_100_mb_file_is_refused_at_once(capsys, gazetteer, seeds, tmp_path):
    big = seeds / "dump.txt"
    with open(big, "wb") as fh:  # sparse: no 100 MB written to disk
        fh.truncate(100 * 2**20)
    started = time.monotonic()
    code, out, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert time.monotonic() - started < 60
    assert code == 0
    assert lines(err) == [f"geo-khorasan: {big}: 100 MB is over the 5 MB limit for one document "
                          f"(max_document_mb in [tool.geo_khorasan]); skipped"]
    _good_docs_built(tmp_path / "maps")


def test_the_size_limit_is_configurable(capsys, gazetteer, seeds, tmp_path):
    size = (seeds / "a.txt").stat().st_size
    assert size > 210 > (seeds / "b.txt").stat().st_size
    code, stdout, err = _build(capsys, gazetteer, seeds, tmp_path / "maps", "--max-document-mb", "0.0002")
    assert code == 0
    assert lines(err) == [f"geo-khorasan: {seeds / 'a.txt'}: {round(size / 1024, 1):g} KB is over the 0.2 KB limit for one document "
                          f"(max_document_mb in [tool.geo_khorasan]); skipped"]
    assert stdout.startswith("1 documents")


def test_the_size_limit_comes_from_pyproject(capsys, gazetteer, seeds, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.geo_khorasan]\nmax_document_mb = 0.0002\n", "utf-8")
    code, stdout, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0 and stdout.startswith("1 documents") and "over the 0.2 KB limit" in err
    (tmp_path / "pyproject.toml").write_text("[tool.geo_khorasan]\nmax_document_mb = \"big\"\n", "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 2 and lines(err) == ["geo-khorasan: pyproject.toml: max_document_mb 'big' is not a number"]


def test_a_file_with_no_place_names_is_built_and_said_so(capsys, gazetteer, seeds, tmp_path):
    (seeds / "weather.txt").write_text("The weather was fine and nothing happened at all.\n", "utf-8")
    out = tmp_path / "maps"
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    assert lines(err) == [f"geo-khorasan: warning: {seeds / 'weather.txt'}: no place names found"]
    assert stdout.startswith("3 documents")
    assert (out / "weather.html").exists() and (out / "sources" / "weather.html").exists()


@pytest.mark.parametrize("first, second", [("a.md", "a.txt"), ("A.txt", "a.txt")])
def test_two_documents_with_the_same_id(capsys, gazetteer, tmp_path, first, second):
    seeds = make_seeds(tmp_path / "seeds", b=B_TEXT)
    (seeds / first).write_text(A_TEXT, "utf-8")
    (seeds / second).write_text("A bomb exploded in Peshawar on July 10, 2018.\n", "utf-8")
    code, stdout, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0
    assert lines(err) == [f"geo-khorasan: {seeds / second}: document id {Path(second).stem!r} is also used by {first}; skipped"]
    assert stdout.startswith("2 documents")


def test_nothing_readable_exits_non_zero_and_leaves_the_maps(capsys, gazetteer, built):
    seeds, out, before = built
    for p in seeds.glob("*.txt"):
        p.write_bytes(b"")
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert code == 1
    assert lines(err)[-1] == f"geo-khorasan: {seeds}: no document could be read; {out} left unchanged"
    assert snapshot(out) == before


def test_html_with_no_text_an_empty_sidecar_and_a_missing_seeds_folder(capsys, gazetteer, seeds, tmp_path):
    (seeds / "page.html").write_text("<html><script>alert(1)</script><style>p{}</style></html>", "utf-8")
    (seeds / "metadata.csv").write_bytes(b"")
    code, stdout, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0 and stdout.startswith("2 documents")
    assert lines(err) == [f"geo-khorasan: {seeds / 'page.html'}: no text after reducing .html markup",
                          f"geo-khorasan: warning: {seeds / 'metadata.csv'}: empty file; no metadata read"]
    code, _, err = _build(capsys, gazetteer, tmp_path / "nope", tmp_path / "maps")
    assert code == 2 and lines(err) == [f"geo-khorasan: {tmp_path / 'nope'}: not a folder"]


# -- the sidecar and the corrections file -------------------------------------------------------------


def test_malformed_sidecar_stops_the_build_and_leaves_the_maps(capsys, gazetteer, built):
    seeds, out, before = built
    (seeds / "metadata.csv").write_text("doc,title\na,Bombing\n", "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {seeds / 'metadata.csv'}: no 'id' column "
                          f"(expected columns: id, title, outlet, author, date, url)"]
    assert snapshot(out) == before
    (seeds / "metadata.csv").write_text("id,title,notes\na,Bombing,checked\n", "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {seeds / 'metadata.csv'}: unknown column(s) notes "
                          f"(expected columns: id, title, outlet, author, date, url)"]
    assert snapshot(out) == before


def test_sidecar_saved_by_excel_in_windows_1252_is_read(capsys, gazetteer, seeds, tmp_path):
    (seeds / "metadata.csv").write_bytes("id,title\na,“Bombing” in Quetta\n".encode("cp1252"))
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps")
    assert code == 0
    assert lines(err) == [f"geo-khorasan: warning: {seeds / 'metadata.csv'}: not UTF-8 (first at line 2); read as Windows-1252"]
    assert "“Bombing” in Quetta" in (tmp_path / "maps" / "a.html").read_text("utf-8")


def test_bad_sidecar_rows_are_named_and_skipped(capsys, gazetteer, seeds, tmp_path):
    path = seeds / "metadata.csv"
    path.write_text("id,title,outlet,author,date,url\n"
                    "a,Bombing in Quetta,Dawn,,July 2018,\n"
                    "b,Blast, in Quetta,Dawn,,2018-07-25,\n"
                    "a,Again,,,,\n"
                    "ghost,Not here,,,,\n", "utf-8")
    out = tmp_path / "maps"
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    assert lines(err) == [
        f"geo-khorasan: {path}: line 2: date 'July 2018' is not ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD); date ignored",
        f"geo-khorasan: {path}: line 3: 7 fields, expected 6 (a comma inside a value needs \"quotes\"); row skipped",
        f"geo-khorasan: {path}: line 4: id 'a' repeated (first on line 2); row skipped",
        f"geo-khorasan: warning: {path}: row for 'ghost' matches no document",
    ]
    assert stdout.startswith("2 documents")
    assert "Bombing in Quetta" in (out / "a.html").read_text("utf-8")


@pytest.mark.parametrize("text, problem", [
    ("- doc: a\n  mention: Quetta\n place: x\n", "line 3: not valid YAML (expected <block end>, but found '<block mapping start>')"),
    ("- {doc: a, mention: [Quetta\n", "line 2: not valid YAML (expected ',' or ']', but got '<stream end>')"),
    ("doc: a\nmention: Quetta\n", "expected a list of corrections (each starting with '- doc:'), found a mapping"),
    ("\x00\x01binary", "not valid YAML (unacceptable character #x0000: special characters are not allowed)"),
])
def test_malformed_corrections_file_stops_the_build_and_leaves_the_maps(capsys, gazetteer, built, text, problem):
    seeds, out, before = built
    (seeds / "corrections.yaml").write_text(text, "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {seeds / 'corrections.yaml'}: {problem}"]
    assert snapshot(out) == before


def test_a_named_corrections_file_that_is_missing_is_an_error(capsys, gazetteer, seeds, tmp_path):
    code, _, err = _build(capsys, gazetteer, seeds, tmp_path / "maps", "--corrections", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {tmp_path / 'nope.yaml'}: corrections file not found"]
    assert not (tmp_path / "maps").exists()


# -- the gazetteer index ------------------------------------------------------------------------------------


def test_corrupt_index_named_with_index_is_an_error(capsys, gazetteer, seeds, tmp_path):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    truncated = tmp_path / "truncated.sqlite"
    with open(gazetteer.path, "rb") as src:
        truncated.write_bytes(src.read(2_000_000))
    from geo_khorasan.cli import main

    for bad in (garbage, truncated):
        capsys.readouterr()
        code = main(["--index", str(bad), "-q", "build", str(seeds), "--out", str(tmp_path / "maps")])
        err = capsys.readouterr().err
        assert code == 2
        assert lines(err)[-1].startswith(f"geo-khorasan: {bad}: gazetteer index is corrupt (")
        assert lines(err)[-1].endswith("); delete it to rebuild")
    assert not (tmp_path / "maps").exists()


def _fake_build_index(gazetteer):
    """A stand-in for the 30 s index build: copies the session's index into place."""
    calls = []

    def fake(gazetteer_dir, out):
        calls.append(Path(out))
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(gazetteer.path, out)
        return []
    return fake, calls


def test_missing_or_corrupt_index_in_the_cache_is_rebuilt(capsys, gazetteer, seeds, tmp_path, monkeypatch):
    from geo_khorasan.cli import main

    fake, calls = _fake_build_index(gazetteer)
    monkeypatch.setattr(gazetteer_index, "build_index", fake)
    empty = tmp_path / "no-gazetteer"
    empty.mkdir()
    index = tmp_path / "cache" / "geo_khorasan" / f"gazetteer-{gazetteer_index.fingerprint(empty.resolve())}.sqlite"
    args = ["--gazetteer", str(empty), "-q", "build", str(seeds), "--out", str(tmp_path / "maps")]
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert f"geo-khorasan: note: {index}: no gazetteer index yet; building it from {empty} (about 30 s, once)" in lines(err)
    assert calls == [index]
    index.write_bytes(b"garbage" * 1000)
    assert main(args) == 0
    err = capsys.readouterr().err
    assert (f"geo-khorasan: warning: {index}: gazetteer index is corrupt (file is not a database); delete it to rebuild; "
            f"rebuilding it") in lines(err)
    assert calls == [index, index]


def test_an_unwritable_cache_folder_is_named_before_any_work(capsys, tmp_path, monkeypatch, seeds):
    from geo_khorasan.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(blocker))
    empty = tmp_path / "no-gazetteer"
    empty.mkdir()
    capsys.readouterr()
    code = main(["--gazetteer", str(empty), "-q", "build", str(seeds), "--out", str(tmp_path / "maps")])
    err = capsys.readouterr().err
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {blocker / 'geo_khorasan'}: cannot build the gazetteer index (Not a directory)"]


# -- the output folder ------------------------------------------------------------------------------------


def test_output_folder_that_is_a_file(capsys, gazetteer, seeds, tmp_path):
    out = tmp_path / "maps"
    out.write_text("not a folder", "utf-8")
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {out}: not a folder"]
    under = out / "maps"
    code, _, err = _build(capsys, gazetteer, seeds, under)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {under}: cannot write (Not a directory)"]


def test_a_second_build_into_the_same_folder_waits_its_turn(capsys, gazetteer, built):
    from geo_khorasan.staging import Staging

    seeds, out, before = built
    with Staging(out):  # another build, busy
        code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {out}: another build is writing here; run again when it has finished"]
    assert snapshot(out) == before


def test_a_build_that_fails_leaves_no_new_folder(capsys, gazetteer, seeds, tmp_path):
    (seeds / "corrections.yaml").write_text("- [unclosed\n", "utf-8")
    code, _, _ = _build(capsys, gazetteer, seeds, tmp_path / "new" / "maps")
    assert code == 2 and not (tmp_path / "new" / "maps").exists()


def test_unwritable_output_folder_is_named_before_any_work(capsys, gazetteer, built, monkeypatch):
    """What a user without write permission sees (simulated: the tests may run as root)."""
    from geo_khorasan import pipeline, staging

    seeds, out, before = built

    def denied(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(dir))
    monkeypatch.setattr(staging.tempfile, "mkdtemp", denied)
    monkeypatch.setattr(pipeline, "analyse_corpus", lambda *a, **k: pytest.fail("analysed before checking the folder"))
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {out.parent}: cannot write (Permission denied); "
                          f"the new maps are assembled there, beside {out.name}"]
    assert snapshot(out) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder(capsys, gazetteer, built):
    seeds, out, before = built
    out.chmod(0o555)
    try:
        code, _, err = _build(capsys, gazetteer, seeds, out)
    finally:
        out.chmod(0o755)
    assert code == 2
    assert lines(err) == [f"geo-khorasan: {out}: cannot write (Permission denied)"]
    assert snapshot(out) == before


# -- interruption ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage, sig", [
    ("analysed", signal.SIGINT),   # Ctrl-C while reading
    ("written", signal.SIGTERM),   # kill after every new file is staged, before the swap
    ("written", signal.SIGKILL),   # kill -9: no clean-up at all
])
def test_interrupted_build_leaves_the_previous_maps_intact(capsys, gazetteer, built, tmp_path, stage, sig):
    seeds, out, before = built
    (seeds / "c.txt").write_text("A bomb exploded in Peshawar on July 10, 2018.\n", "utf-8")
    (seeds / "a.txt").write_text(A_TEXT.replace("128", "130"), "utf-8")
    env = dict(os.environ, GEO_KHORASAN_TEST_PAUSE=f"{stage}:60", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "geo_khorasan", "--index", str(gazetteer.path), "-q", "build",
                             str(seeds), "--out", str(out)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith(f"paused at {stage}"):
                break
        else:
            pytest.fail(f"the build never reached {stage}: exit {proc.wait()}")
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
        assert list(out.parent.glob(".maps.staging-*"))  # left beside it, hidden, removed by the next build
        assert snapshot(out) == before
    else:
        assert code == (143 if sig == signal.SIGTERM else 130)
        assert lines(err) == [f"geo-khorasan: interrupted; {out} was left as it was"]
        assert snapshot(out) == before
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    assert not list(out.parent.glob(".maps.staging-*"))
    assert "document added: c" in lines(stdout) and "document edited: a" in lines(stdout)


def test_kill_during_the_swap_waits_until_every_file_is_in_place(capsys, gazetteer, built, tmp_path):
    seeds, out, before = built
    (seeds / "c.txt").write_text("A bomb exploded in Peshawar on July 10, 2018.\n", "utf-8")
    env = dict(os.environ, GEO_KHORASAN_TEST_PAUSE="committing:3", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "geo_khorasan", "--index", str(gazetteer.path), "-q", "build",
                             str(seeds), "--out", str(out)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith("paused at committing"):
                break
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 143
    assert lines(err) == [f"geo-khorasan: interrupted after the new maps were in place in {out}"]
    fresh = tmp_path / "fresh"
    assert _build(capsys, gazetteer, seeds, fresh)[0] == 0
    assert snapshot(out) == snapshot(fresh) != before


def test_builds_into_sibling_folders_do_not_wait_for_each_other(tmp_path):
    from geo_khorasan.staging import Staging

    with Staging(tmp_path / "maps-a") as a, Staging(tmp_path / "maps-b") as b:
        assert a.path.parent == b.path.parent == tmp_path
    assert not [p.name for p in tmp_path.iterdir() if "lock" in p.name or p.name.startswith(".")]  # nothing left beside
