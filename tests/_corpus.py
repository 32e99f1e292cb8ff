"""Small corpora and a CLI runner shared by the regeneration, corrections and bad-input tests."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from geo_khorasan.cli import main

A_TEXT = (
    "Bombing in Balochistan\n\n"
    "A suicide bomber killed 31 people at a polling station in Quetta on July 25, 2018. "
    "IS-K fighters have a stronghold in Nangarhar, officials said. Flights to Kabul resumed on Monday. "
    "A bomb exploded in Mastung on July 13, 2018, killing 128 people.\n"
)
B_TEXT = (
    "A blast in Quetta on July 25, 2018 killed 29 people at a polling station. "
    "Another bomb went off in Peshawar on July 10, 2018, killing 20.\n"
)


@pytest.fixture(autouse=True)
def private_cache(gazetteer, tmp_path, monkeypatch):
    """The analysis cache in a temporary folder (the session index is passed with --index); a module
    uses it with ``from _corpus import private_cache``."""
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_KHORASAN_TEST_PAUSE", raising=False)


def build_into(capsys, gazetteer, seeds, out, *extra):
    """``geo-khorasan -q build SEEDS --out OUT ...``: exit code, stdout, stderr."""
    return run(capsys, gazetteer, "build", str(seeds), "--out", str(out), *extra)


def make_seeds(folder: Path, **docs: str) -> Path:
    """A seeds folder with ``a.txt`` and ``b.txt`` (or the documents given, ``name=text``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (docs or {"a": A_TEXT, "b": B_TEXT}).items():
        (folder / f"{name}.txt").write_text(text, "utf-8")
    return folder


def run(capsys, gazetteer, *args: str) -> tuple[int, str, str]:
    """``geo-khorasan --index <session index> -q ARGS``: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(["--index", str(gazetteer.path), "-q", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (hidden ones too), by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]
