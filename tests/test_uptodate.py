"""A rebuild with nothing changed writes nothing and says what the previous build said; a change to
any input, or to a file of the output folder, builds again."""
from __future__ import annotations

import os

import pytest
from _corpus import build_into, lines, make_seeds, private_cache, snapshot  # noqa: F401

from geo_khorasan import pipeline, uptodate

NO_PLACE = "Nothing happened anywhere today, officials said.\n"


@pytest.fixture
def seeds(tmp_path):
    seeds = make_seeds(tmp_path / "seeds")
    (seeds / "n.txt").write_text(NO_PLACE, "utf-8")
    (seeds / "corrections.yaml").write_text("- {doc: a, mention: Atlantis, place: Quetta}\n", "utf-8")
    return seeds


def _stats(folder):
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.rglob("*")}


def _no_analysis(monkeypatch):
    monkeypatch.setattr(pipeline, "analyse_corpus", lambda *a, **k: pytest.fail("analysed with nothing changed"))


def _no_reading(monkeypatch):
    monkeypatch.setattr(pipeline, "read_corpus", lambda *a, **k: pytest.fail("read with nothing changed"))


@pytest.mark.parametrize("by_times", [True, False], ids=["unread", "read"])
def test_nothing_changed_nothing_done_and_the_same_said(capsys, gazetteer, seeds, tmp_path, monkeypatch, by_times):
    """Files older than the stamp are not even read again; newer ones are, and compared."""
    if by_times:
        monkeypatch.setattr(uptodate, "RACY_SECONDS", 0)
    (seeds / "x.bin").write_bytes(b"\0")  # said while reading the folder, said again
    out = tmp_path / "maps"
    first = build_into(capsys, gazetteer, seeds, out)
    assert first[0] == 0, first[2]
    assert f"geo-khorasan: warning: {seeds / 'n.txt'}: no place names found" in lines(first[2])
    assert any("Atlantis" in line for line in lines(first[2]))  # a correction not applied
    before = _stats(out)
    with monkeypatch.context() as m:
        _no_analysis(m)
        if by_times:
            _no_reading(m)
        else:  # touched, not changed
            (seeds / "a.txt").write_bytes((seeds / "a.txt").read_bytes())
        again = build_into(capsys, gazetteer, seeds, out)
    assert again[0] == 0
    assert lines(again[2]) == lines(first[2])
    assert lines(again[1]) == [lines(first[1])[-1].replace("(3 analysed, 0 from cache)", "(0 analysed, 3 from cache)")]
    assert _stats(out) == before  # not a file rewritten, nor the folder swapped
    if not by_times:  # touched files, once read and found the same, need not be read again
        monkeypatch.setattr(uptodate, "RACY_SECONDS", 0)
        assert build_into(capsys, gazetteer, seeds, out)[0] == 0  # the stamp takes the new times
        _no_reading(monkeypatch)
        assert build_into(capsys, gazetteer, seeds, out)[1] == again[1]


@pytest.mark.parametrize("change", ["article", "same size and time", "corrections", "format", "output file",
                                    "output removed"])
def test_any_change_builds_again(capsys, gazetteer, seeds, tmp_path, monkeypatch, change):
    monkeypatch.setattr(uptodate, "RACY_SECONDS", 0)  # the times are trusted at once
    out = tmp_path / "maps"
    assert build_into(capsys, gazetteer, seeds, out)[0] == 0
    fresh = snapshot(out)
    extra = []
    if change == "article":
        (seeds / "b.txt").write_text((seeds / "b.txt").read_text("utf-8").replace("killing 20", "killing 21"), "utf-8")
    elif change == "corrections":
        (seeds / "corrections.yaml").unlink()
    elif change == "format":
        extra = ["--format", "geojson,csv"]
    elif change == "same size and time":
        st = (seeds / "b.txt").stat()
        (seeds / "b.txt").write_text((seeds / "b.txt").read_text("utf-8").replace("killing 20", "killing 21"), "utf-8")
        os.utime(seeds / "b.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    elif change == "output file":
        (out / "index.html").write_text("<p>edited</p>\n", "utf-8")
    else:
        (out / "incidents.csv").unlink()
    code, stdout, err = build_into(capsys, gazetteer, seeds, out, *extra)
    assert code == 0, err
    if change.startswith("output"):
        assert snapshot(out) == fresh  # put back as the build writes it
    elif change in ("article", "same size and time"):
        assert "document edited: b" in lines(stdout)
    elif change == "corrections":
        assert not any("Atlantis" in line for line in lines(err))
    else:
        assert (out / "mentions.csv").exists()
    before = _stats(out)
    _no_analysis(monkeypatch)  # and now nothing changed again
    assert build_into(capsys, gazetteer, seeds, out, *extra)[0] == 0
    assert _stats(out) == before


def test_no_cache_and_check_alwaysbuild_into(capsys, gazetteer, seeds, tmp_path, monkeypatch):
    out = tmp_path / "maps"
    assert build_into(capsys, gazetteer, seeds, out)[0] == 0
    code, stdout, _ = build_into(capsys, gazetteer, seeds, out, "--no-cache")
    assert (code, "(3 analysed, 0 from cache)" in stdout) == (0, True)
    code, stdout, _ = build_into(capsys, gazetteer, seeds, out, "--check")
    assert (code, lines(stdout)) == (0, [f"{out}: up to date"])
    assert len(list((tmp_path / "cache").rglob("builds/*.json"))) == 1  # --check leaves no stamp of its own
