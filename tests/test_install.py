"""``geo-khorasan data install``: downloads from a local HTTP server, folders and archives the tests
make themselves. No network beyond 127.0.0.1; the user's cache is never touched."""
from __future__ import annotations

import hashlib
import io
import json
import socket
import stat
import tarfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geo_khorasan.cli import main
from geo_khorasan.gazetteer import install as inst
from geo_khorasan.knowledge import load_toml

ADMIN2 = b"AF.13.1138956\tKabul\tKabul\t1138956\n"
PK_ZIP_TEXT = "1\tSomewhere\tSomewhere\t\t30.0\t70.0\tP\tPPL\tPK\t\t02\t\t\t\t0\t\t100\tAsia/Karachi\t2024-01-01\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A private user cache, and no proxy between the tests and 127.0.0.1."""
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return tmp_path / "cache"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A folder served over HTTP on 127.0.0.1 (ephemeral port); yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "admin2Codes.txt").write_bytes(ADMIN2)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _catalogue(url: str, sha256: str = "", name: str = "geonames-admin2", path: str = "geonames/admin2Codes.txt") -> dict:
    return {"download": [{"name": name, "url": url, "path": path, "sha256": sha256,
                          "licence": "CC BY 4.0", "attribution": "GeoNames (CC BY 4.0)"}],
            "groups": {"everything": [name]}}


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# -- downloads ------------------------------------------------------------------------------------


def test_download_lands_at_its_path_and_the_manifest_records_it(server, tmp_path):
    _, base = server
    dest = tmp_path / "data"
    report = inst.install(["geonames-admin2"], dest, downloads=_catalogue(f"{base}/admin2Codes.txt", _sha(ADMIN2)))
    assert report.errors == []
    assert (dest / "geonames" / "admin2Codes.txt").read_bytes() == ADMIN2
    assert inst.read_manifest(dest) == {"geonames/admin2Codes.txt": {
        "source": "geonames-admin2", "origin": f"{base}/admin2Codes.txt", "sha256": _sha(ADMIN2),
        "size": len(ADMIN2), "licence": "CC BY 4.0", "attribution": "GeoNames (CC BY 4.0)", "checked": True}}
    assert _files_under(dest) == ["geonames/admin2Codes.txt", "installed.json"]  # no staging leftovers
    again = inst.install(["everything"], dest, downloads=_catalogue(f"{base}/admin2Codes.txt", _sha(ADMIN2)))
    assert again.errors == [] and again.installed == []
    assert any("already installed" in n for n in again.notes)


def test_download_without_published_checksum_records_the_computed_one_and_says_so(server, tmp_path):
    _, base = server
    dest = tmp_path / "data"
    report = inst.install(["geonames-admin2"], dest, downloads=_catalogue(f"{base}/admin2Codes.txt"))
    assert report.errors == []
    (f,) = report.installed
    assert f.sha256 == _sha(ADMIN2) and not f.checked
    assert any("no published checksum" in n and _sha(ADMIN2) in n for n in report.notes)
    assert inst.read_manifest(dest)["geonames/admin2Codes.txt"]["checked"] is False


def test_wrong_checksum_fails_clearly_and_leaves_no_file(server, tmp_path):
    _, base = server
    dest = tmp_path / "data"
    wrong = "0" * 64
    report = inst.install(["geonames-admin2"], dest, downloads=_catalogue(f"{base}/admin2Codes.txt", wrong))
    (err,) = report.errors
    assert err.startswith("geonames-admin2: bad checksum") and wrong in err and _sha(ADMIN2) in err
    assert "\n" not in err
    assert report.installed == []
    assert not dest.exists() or _files_under(dest) == []


def test_wrong_checksum_keeps_the_file_already_installed(server, tmp_path):
    _, base = server
    dest = tmp_path / "data"
    (dest / "geonames").mkdir(parents=True)
    (dest / "geonames" / "admin2Codes.txt").write_bytes(b"the old one\n")
    report = inst.install(["geonames-admin2"], dest, downloads=_catalogue(f"{base}/admin2Codes.txt", "1" * 64))
    assert report.errors and (dest / "geonames" / "admin2Codes.txt").read_bytes() == b"the old one\n"


def test_missing_file_and_unreachable_server_are_named(server, tmp_path):
    _, base = server
    report = inst.install(["geonames-admin2"], tmp_path / "data", downloads=_catalogue(f"{base}/nothere.txt"))
    assert report.errors == [f"geonames-admin2: cannot download {base}/nothere.txt (HTTP 404); nothing installed"]
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/admin2Codes.txt"
    report = inst.install(["geonames-admin2"], tmp_path / "data", downloads=_catalogue(url))
    assert report.errors == [f"geonames-admin2: cannot download {url} (cannot connect); nothing installed"]
    assert not (tmp_path / "data" / "geonames" / "admin2Codes.txt").exists()


def test_unknown_source_is_named_and_the_others_still_install(server, tmp_path):
    _, base = server
    dest = tmp_path / "data"
    report = inst.install(["no-such-thing", "geonames-admin2"], dest, downloads=_catalogue(f"{base}/admin2Codes.txt"))
    (err,) = report.errors
    assert err.startswith("no-such-thing: unknown source") and "geonames-admin2" in err
    assert (dest / "geonames" / "admin2Codes.txt").exists()


def test_downloads_file_path_is_accepted(server, tmp_path):
    _, base = server
    toml = tmp_path / "downloads.toml"
    toml.write_text(f'[[download]]\nname = "x"\nurl = "{base}/admin2Codes.txt"\npath = "geonames/admin2Codes.txt"\n', "utf-8")
    report = inst.install(["x"], tmp_path / "data", downloads=toml)
    assert report.errors == [] and report.installed[0].path == "geonames/admin2Codes.txt"


def test_default_destination_is_the_data_folder_in_the_user_cache(server, cache):
    _, base = server
    report = inst.install(["geonames-admin2"], downloads=_catalogue(f"{base}/admin2Codes.txt"))
    assert report.dest == cache / "geo_khorasan" / "data" == inst.data_dir()
    assert (inst.data_dir() / "geonames" / "admin2Codes.txt").exists()


# -- folders and archives -------------------------------------------------------------------------


def _pack(folder: Path) -> Path:
    """A gazetteer folder as a user would have one (and a few things that must not be copied)."""
    (folder / "geonames").mkdir(parents=True)
    (folder / "geonames" / "admin2Codes.txt").write_bytes(ADMIN2)
    (folder / "boundaries" / "AFG").mkdir(parents=True)
    (folder / "boundaries" / "AFG" / "geoBoundaries-AFG-ADM2.geojson").write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    (folder / "README.md").write_text("notes\n", "utf-8")
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / "installed.json").write_text('{"files": {"bogus": {}}}', "utf-8")
    return folder


EXPECTED = ["README.md", "boundaries/AFG/geoBoundaries-AFG-ADM2.geojson", "geonames/admin2Codes.txt", "installed.json"]


def test_local_folder_installs_at_the_same_paths_with_licences_from_the_recipes(tmp_path):
    src = _pack(tmp_path / "pack")
    dest = tmp_path / "data"
    report = inst.install([str(src)], dest)
    assert report.errors == []
    assert _files_under(dest) == EXPECTED
    manifest = inst.read_manifest(dest)
    assert set(manifest) == {"README.md", "boundaries/AFG/geoBoundaries-AFG-ADM2.geojson", "geonames/admin2Codes.txt"}
    row = manifest["geonames/admin2Codes.txt"]
    assert row["licence"] == "CC BY 4.0" and row["source"] == "pack" and row["sha256"] == _sha(ADMIN2)
    assert row["origin"] == str((src / "geonames" / "admin2Codes.txt").resolve())
    assert manifest["boundaries/AFG/geoBoundaries-AFG-ADM2.geojson"]["attribution"] == "geoBoundaries"
    assert manifest["README.md"]["licence"] == ""


def test_manifest_is_deterministic(tmp_path):
    src = _pack(tmp_path / "pack")
    dest = tmp_path / "data"
    inst.install([str(src)], dest)
    first = (dest / "installed.json").read_bytes()
    inst.install([str(src)], dest)
    assert (dest / "installed.json").read_bytes() == first
    assert b"installed_at" not in first and json.loads(first)["format"] == 1


def test_local_zip_with_a_top_folder_installs_without_it(tmp_path):
    src = _pack(tmp_path / "gazetteer")
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                zf.write(p, str(p.relative_to(tmp_path)))  # gazetteer/geonames/...
    dest = tmp_path / "data"
    report = inst.install([str(archive)], dest)
    assert report.errors == []
    assert _files_under(dest) == EXPECTED
    assert inst.read_manifest(dest)["geonames/admin2Codes.txt"]["origin"] == str(archive.resolve())


def test_local_tar_gz_installs(tmp_path):
    src = _pack(tmp_path / "pack")
    archive = tmp_path / "pack.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for name in ("geonames", "boundaries", "README.md"):
            tf.add(src / name, arcname=name)
        info = tarfile.TarInfo("geonames/admin2-link.txt")  # a link inside the archive: copied as a file
        info.type, info.linkname = tarfile.SYMTYPE, "admin2Codes.txt"
        tf.addfile(info)
    dest = tmp_path / "data"
    report = inst.install([str(archive)], dest)
    assert report.errors == []
    assert (dest / "geonames" / "admin2-link.txt").read_bytes() == ADMIN2
    assert not (dest / "geonames" / "admin2-link.txt").is_symlink()
    assert (dest / "boundaries" / "AFG" / "geoBoundaries-AFG-ADM2.geojson").exists()


def test_publisher_file_fetched_by_hand_goes_where_its_download_goes(tmp_path):
    pk = tmp_path / "downloads" / "PK.zip"
    pk.parent.mkdir()
    with zipfile.ZipFile(pk, "w") as zf:
        zf.writestr("PK.txt", PK_ZIP_TEXT)
    cat = _catalogue("https://example.invalid/PK.zip", name="geonames-pk", path="geonames/PK.zip")
    dest = tmp_path / "data"
    report = inst.install([str(pk)], dest, downloads=cat)
    assert report.errors == []
    assert (dest / "geonames" / "PK.zip").read_bytes() == pk.read_bytes()  # kept zipped: the reader reads it so
    assert inst.read_manifest(dest)["geonames/PK.zip"]["source"] == "geonames-pk"
    bad = _catalogue("https://example.invalid/PK.zip", sha256="2" * 64, name="geonames-pk", path="geonames/PK.zip")
    report = inst.install([str(pk)], tmp_path / "data2", downloads=bad)
    assert report.errors and "bad checksum" in report.errors[0]
    assert not (tmp_path / "data2" / "geonames" / "PK.zip").exists()


@pytest.mark.parametrize("evil", ["../evil.txt", "/tmp/geo-khorasan-test-evil.txt", "geonames/../../evil.txt",
                                  "C:\\evil.txt", "geonames\\..\\..\\evil.txt"])
def test_zip_entries_escaping_the_data_folder_are_refused_and_nothing_is_written(tmp_path, evil):
    archive = tmp_path / "incoming" / "pack.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("geonames/admin2Codes.txt", ADMIN2)  # a good entry before the bad one
        zf.writestr(zipfile.ZipInfo(evil), b"owned\n")
    dest = tmp_path / "data" / "inner"
    report = inst.install([str(archive)], dest)
    (err,) = report.errors
    assert err.startswith(f"{archive}: refused: entry") and "nothing installed" in err
    assert not dest.exists()
    assert [p for p in tmp_path.rglob("*evil*")] == []
    assert not Path("/tmp/geo-khorasan-test-evil.txt").exists()


def test_links_pointing_outside_an_archive_are_refused(tmp_path):
    zipped = tmp_path / "links.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        info = zipfile.ZipInfo("geonames/admin2Codes.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "../../../../etc/passwd")
    tarred = tmp_path / "links.tar.gz"
    with tarfile.open(tarred, "w:gz") as tf:
        info = tarfile.TarInfo("geonames/admin2Codes.txt")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(info)
        data = tarfile.TarInfo("geonames/ok.txt")
        data.size = len(ADMIN2)
        tf.addfile(data, io.BytesIO(ADMIN2))
    dest = tmp_path / "data"
    report = inst.install([str(zipped), str(tarred)], dest)
    assert len(report.errors) == 2
    assert "link pointing outside the archive" in report.errors[0]
    assert "link to an absolute path" in report.errors[1]
    assert not dest.exists()


def test_unreadable_archive_and_unknown_file_kind_are_named(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    other = tmp_path / "notes.docx"
    other.write_bytes(b"x")
    report = inst.install([str(broken), str(other)], tmp_path / "data")
    assert report.errors[0].startswith(f"{broken}: not a readable archive")
    assert report.errors[1].startswith(f"{other}: not a folder, an archive")


def test_installing_the_data_folder_into_itself_is_refused(tmp_path):
    dest = _pack(tmp_path / "data")
    report = inst.install([str(dest)], dest)
    assert report.errors and "is or holds the data folder" in report.errors[0]


# -- the CLI and the shipped catalogue ------------------------------------------------------------


def test_cli_install_returns_non_zero_and_names_the_problem(tmp_path, capsys):
    assert main(["data", "install", "--dest", str(tmp_path / "data"), "no-such-source"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("geo-khorasan: no-such-source: unknown source")


def test_cli_install_copies_a_folder_into_the_default_data_folder(tmp_path, capsys):
    src = _pack(tmp_path / "pack")
    assert main(["data", "install", str(src)]) == 0
    out = capsys.readouterr().out
    assert "geonames/admin2Codes.txt" in out and "CC BY 4.0" in out
    lines = inst.installed_lines(inst.data_dir())
    assert any(line.startswith("geonames/admin2Codes.txt") and "CC BY 4.0" in line for line in lines)


def test_shipped_catalogue_puts_files_where_the_recipes_read_them():
    cat = inst.load_catalogue()
    recipes = load_toml("sources.toml")
    read = {r["path"] for r in recipes["layer"] + recipes["basemap"]}
    not_read = {"boundaries/AFG/geoBoundaries-AFG-ADM0.geojson"}  # offered for completeness
    for d in cat.downloads.values():
        assert d.url.startswith("https://"), d.name
        assert d.path in read | not_read, d.name
        assert d.licence and d.attribution, d.name
        assert d.sha256 == "" or len(d.sha256) == 64, d.name
    dumps = {r["path"] for r in recipes["layer"] if r["kind"].startswith("geonames-")}
    assert dumps <= {d.path for d in cat.downloads.values()}
    assert set(cat.groups["geonames-dumps"]) == {"geonames-pk", "geonames-af", "geonames-ir"}


def test_a_broken_catalogue_is_reported():
    with pytest.raises(inst.InstallError, match="climbs out"):
        inst.load_catalogue({"download": [{"name": "x", "url": "https://e.invalid/x", "path": "../x"}]})
    with pytest.raises(inst.InstallError, match="unknown download"):
        inst.load_catalogue({"download": [], "groups": {"g": ["nope"]}})
