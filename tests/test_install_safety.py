"""``data install`` with hostile input: tar entries that climb out of the data folder, devices,
hard links, and names full of shell syntax. (tests/test_install.py covers zip entries, links,
checksums and downloads.)"""
from __future__ import annotations

import ast
import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from geo_khorasan.gazetteer import install as inst

ADMIN2 = b"AF.13.1138956\tKabul\tKabul\t1138956\n"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))


def _tar(path: Path, *members: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        good = tarfile.TarInfo("geonames/admin2Codes.txt")
        good.size = len(ADMIN2)
        tf.addfile(good, io.BytesIO(ADMIN2))  # a good entry before the bad one
        for m in members:
            tf.addfile(m, io.BytesIO(b"owned\n") if m.isfile() else None)
    return path


def _file(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(b"owned\n")
    return info


@pytest.mark.parametrize("evil, why", [
    ("../evil.txt", "climbs out with '..'"),
    ("geonames/../../evil.txt", "climbs out with '..'"),
    ("/tmp/geo-khorasan-test-evil.txt", "is an absolute path"),
])
def test_tar_entries_escaping_the_data_folder_are_refused_and_nothing_is_written(tmp_path, evil, why):
    archive = _tar(tmp_path / "pack.tar.gz", _file(evil))
    dest = tmp_path / "data"
    report = inst.install([str(archive)], dest)
    assert report.errors == [f"{archive}: refused: entry {evil!r} {why}; nothing installed"]
    assert not dest.exists()
    assert not list(tmp_path.rglob("*evil*")) and not Path("/tmp/geo-khorasan-test-evil.txt").exists()


def test_tar_devices_and_hard_links_out_of_the_archive_are_refused(tmp_path):
    fifo = tarfile.TarInfo("geonames/pipe")
    fifo.type = tarfile.FIFOTYPE
    device = tarfile.TarInfo("geonames/disk")
    device.type, device.devmajor, device.devminor = tarfile.BLKTYPE, 8, 0
    hard = tarfile.TarInfo("geonames/passwd")
    hard.type, hard.linkname = tarfile.LNKTYPE, "../../etc/passwd"
    dest = tmp_path / "data"
    archives = [_tar(tmp_path / f"{n}.tar.gz", m) for n, m in (("fifo", fifo), ("device", device), ("hard", hard))]
    report = inst.install([str(a) for a in archives], dest)
    assert report.errors == [
        f"{archives[0]}: refused: entry 'geonames/pipe' is not a regular file (device, fifo...); nothing installed",
        f"{archives[1]}: refused: entry 'geonames/disk' is not a regular file (device, fifo...); nothing installed",
        f"{archives[2]}: refused: entry 'geonames/passwd' is a link pointing outside the archive (../../etc/passwd); "
        f"nothing installed",
    ]
    assert not dest.exists()


def test_names_full_of_shell_syntax_are_only_ever_file_names(tmp_path, monkeypatch):
    """No command is ever built from input: every way of starting a process fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a process was started: {args!r}")
    for name in ("Popen", "run", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(os, "popen", refuse)
    folder = tmp_path / "in; touch pwned; $(touch pwned2) `touch pwned3`"
    (folder / "geonames").mkdir(parents=True)
    (folder / "geonames" / "admin2Codes.txt").write_bytes(ADMIN2)
    (folder / "geonames" / "$(touch pwned4).txt").write_bytes(b"x\n")
    archive = _tar(tmp_path / "pack; rm -rf ~.tar.gz")
    dest = tmp_path / "data"
    report = inst.install([str(folder), str(archive), "geonames-pk; touch pwned5"], dest)
    (err,) = report.errors
    assert err.startswith("geonames-pk; touch pwned5: unknown source: not a download in data/downloads.toml (")
    assert (dest / "geonames" / "$(touch pwned4).txt").read_bytes() == b"x\n"
    assert not [p for p in tmp_path.rglob("pwned*")] and not list(Path.cwd().glob("pwned*"))


def test_the_installer_imports_no_way_of_running_commands():
    source = Path(inst.__file__).read_text("utf-8")
    tree = ast.parse(source)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"subprocess", "shlex", "pty", "commands"}
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert not {c for c in calls if c.startswith(("os.system", "os.popen", "os.exec", "os.spawn"))}
    assert "shell=True" not in source and "extractall" not in source  # members are checked and copied one by one
