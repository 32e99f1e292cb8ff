"""``geo-khorasan data install``: put gazetteer files into the per-user data folder.

A SOURCE is one of:

- a name (or group of names) from ``data/downloads.toml``: the publisher's file, fetched with
  pooch and checked against its sha256 when one is published;
- a file downloaded by hand and named like one of those (``PK.zip``), put where that one goes;
- a folder, or a ``.zip`` / ``.tar.gz`` archive, of files at the paths the recipes in
  ``data/sources.toml`` read (``geonames/admin2Codes.txt``...), for machines without internet.

The data folder then works like ``../shared/gazetteer``. Every file is written under a temporary
name and renamed, and recorded in ``installed.json`` with its origin, sha256, size and licence
(no timestamps: the same install gives the same manifest).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import posixpath
import re
import shutil
import stat
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO
from zlib import error as zlib_error

from .. import atomic
from . import wof
from ..knowledge import data_path
from ..paths import cache_dir

MANIFEST = "installed.json"
#: Downloads land here first (inside the data folder, so that the final rename is atomic).
STAGING = ".partial"
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_CHUNK = 1 << 20


class InstallError(RuntimeError):
    """One source could not be installed; the message names it and says why, on one line."""


@dataclass(frozen=True)
class Download:
    name: str
    url: str
    path: str  # relative to the data folder
    sha256: str = ""
    licence: str = ""
    attribution: str = ""
    #: "wof": a Who's On First distribution (SQLite), turned into the place list at ``path``
    convert: str = ""


@dataclass(frozen=True)
class Catalogue:
    downloads: dict[str, Download]
    groups: dict[str, list[str]]


@dataclass
class InstalledFile:
    path: str  # relative to the data folder, with "/"
    source: str  # download name, or the folder's or archive's name
    origin: str  # URL, or the local file, folder or archive it was copied from
    sha256: str
    size: int
    licence: str = ""
    attribution: str = ""
    checked: bool = False  # the sha256 was compared with a published one


@dataclass
class InstallReport:
    dest: Path
    installed: list[InstalledFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def data_dir() -> Path:
    """The per-user data folder (the default gazetteer folder when none is configured)."""
    return cache_dir() / "data"


# -- the catalogue of downloads ---------------------------------------------------------------


def load_catalogue(downloads: Path | Mapping | None = None) -> Catalogue:
    """``data/downloads.toml``, another such file, or its parsed content (for tests)."""
    where = "data/downloads.toml" if downloads is None else str(downloads) if isinstance(downloads, Path) else "downloads"
    if downloads is None or isinstance(downloads, Path):
        path = downloads or data_path("downloads.toml")
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InstallError(f"{where}: cannot read ({exc})") from None
    else:
        raw = downloads
    entries: dict[str, Download] = {}
    for d in raw.get("download", []):
        missing = [k for k in ("name", "url", "path") if not d.get(k)]
        if missing:
            raise InstallError(f"{where}: a download has no {missing[0]!r}")
        if d["name"] in entries:
            raise InstallError(f"{where}: {d['name']!r} is listed twice")
        try:
            rel = _safe_relpath(d["path"])
        except _Unsafe as exc:
            raise InstallError(f"{where}: {d['name']}: path {d['path']!r} {exc}") from None
        if d.get("convert", "") not in ("", "wof"):
            raise InstallError(f"{where}: {d['name']}: convert {d['convert']!r} is not one the installer knows (wof)")
        entries[d["name"]] = Download(d["name"], d["url"], str(rel), (d.get("sha256") or "").lower(),
                                      d.get("licence", ""), d.get("attribution", ""), d.get("convert", ""))
    groups = {k: list(v) for k, v in raw.get("groups", {}).items()}
    for g, members in groups.items():
        unknown = [m for m in members if m not in entries]
        if unknown:
            raise InstallError(f"{where}: group {g!r} names unknown download {unknown[0]!r}")
    return Catalogue(entries, groups)


def _known_licences(cat: Catalogue) -> dict[str, tuple[str, str]]:
    """Licence and attribution by relative path, from the recipes and the downloads, so that files
    copied from a folder or an archive are recorded with theirs."""
    out: dict[str, tuple[str, str]] = {}
    try:
        recipes = tomllib.loads(data_path("sources.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        recipes = {}
    for r in recipes.get("layer", []) + recipes.get("basemap", []):
        for rel in (r.get("path"), r.get("unzipped_path")):
            if rel:
                out[rel] = (r.get("licence", ""), r.get("attribution", ""))
    for d in cat.downloads.values():
        out[d.path] = (d.licence, d.attribution)
    return out


# -- the manifest -----------------------------------------------------------------------------


def read_manifest(dest: Path) -> dict[str, dict]:
    """Installed files by relative path (empty when nothing was installed); InstallError when it
    is not a manifest this installer wrote (the wrong JSON, or records of the wrong shape)."""
    path = dest / MANIFEST
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InstallError(f"{path}: unreadable manifest ({exc}); delete it to start afresh") from None
    files = raw.get("files", {}) if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        raise InstallError(f"{path}: not an installed-files manifest (expected an object with \"files\"); "
                           f"delete it to start afresh")
    for rel, record in files.items():
        if not isinstance(record, dict) or not all(isinstance(record.get(k, ""), str) for k in
                                                   ("source", "origin", "sha256", "licence", "attribution")) \
                or not isinstance(record.get("size", 0), int):
            raise InstallError(f"{path}: entry {rel[:100]!r} is not a file record; delete the manifest to start afresh")
    return files


def _write_manifest(dest: Path, files: dict[str, dict]) -> None:
    text = json.dumps({"format": 1, "files": files}, indent=1, sort_keys=True, ensure_ascii=False)
    atomic.write_text(dest / MANIFEST, text + "\n")


def installed_lines(dest: Path) -> list[str]:
    """One line per installed file, with its licence, for ``geo-khorasan data list``."""
    lines = []
    for rel, f in sorted(read_manifest(dest).items()):
        downloaded = str(f.get("origin", "")).startswith(("http://", "https://", "ftp://"))
        check = ", sha256 not checked" if downloaded and not f.get("checked") else ""
        lines.append(f"{rel:60} {f.get('licence') or 'licence unknown':18} {f.get('attribution', '')}  "
                     f"[{f.get('source', '')}{check}]")
    return lines


# -- writing files safely ---------------------------------------------------------------------


class _Unsafe(ValueError):
    pass


def _safe_relpath(name: str) -> PurePosixPath:
    """``name`` as a path that stays inside the data folder, or _Unsafe."""
    posix = name.replace("\\", "/")  # some Windows tools write backslashes into zips
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        raise _Unsafe("is an absolute path")
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise _Unsafe("climbs out with '..'")
    if not parts:
        raise _Unsafe("is empty")
    return PurePosixPath(*parts)


#: Limits on what one folder or archive may install: total bytes, and bytes out per byte in (a zip bomb).
MAX_INSTALL_BYTES = 8 * 2**30
MAX_RATIO = 200


class _TooBig(ValueError):
    pass


def _write_stream(src: IO[bytes], target: Path, expect_sha256: str = "", limit: int | None = None) -> tuple[str, int]:
    """Copy ``src`` to ``target`` via a temporary file in the same folder and a rename, hashing as
    it goes; when ``expect_sha256`` is given and differs, nothing is written (ValueError), and
    when more than ``limit`` bytes come, neither (_TooBig)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    h, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(_CHUNK):
                h.update(chunk)
                size += len(chunk)
                if limit is not None and size > limit:
                    raise _TooBig(f"more than {limit} bytes")
                out.write(chunk)
        digest = h.hexdigest()
        if expect_sha256 and digest != expect_sha256:
            raise ValueError(f"expected sha256 {expect_sha256}, got {digest}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest, size


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


# -- downloads ----------------------------------------------------------------------------------


@contextmanager
def _quiet_pooch() -> Iterator[None]:
    # pooch logs every download and advises calling pooch.retrieve; the installer says it its own way
    import pooch

    logger = pooch.get_logger()  # its own Logger object, not registered with logging.getLogger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _why_unreachable(exc: Exception) -> str:
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return " ".join(str(exc).split())


def _download(d: Download, dest: Path, progress: bool, force: bool, report: InstallReport) -> InstalledFile | None:
    import pooch
    import requests

    target = dest / d.path
    if target.exists() and not force:
        if not d.sha256 or d.convert:  # a converted file has not the download's checksum
            report.notes.append(f"{d.name}: already installed at {target}; --force downloads it again")
            return None
        if _sha256(target) == d.sha256:
            report.notes.append(f"{d.name}: already installed at {target} (checksum matches)")
            return None
    staged = dest / STAGING / d.path
    if d.convert:  # the publisher's file, under its own name (.db.bz2 says how to read it)
        staged = staged.with_name(PurePosixPath(d.url.split("?")[0]).name)
    staged.unlink(missing_ok=True)  # a leftover would be taken as already downloaded
    if progress:  # pooch's tqdm bar follows this line on the terminal
        print(f"{d.name}: {d.url}", file=sys.stderr)
    downloader = (pooch.HTTPDownloader(progressbar=progress, chunk_size=1 << 16, timeout=60)
                  if d.url.startswith(("http://", "https://")) else None)
    try:
        with _quiet_pooch():
            pooch.retrieve(d.url, known_hash=d.sha256 or None, fname=staged.name, path=staged.parent,
                           downloader=downloader, progressbar=progress)
        digest, size = _sha256(staged), staged.stat().st_size
        if d.convert:
            got = _install_wof(staged, dest, report, d.name, d.url, d.path)
            return InstalledFile(got.path, d.name, d.url, got.sha256, got.size, d.licence, d.attribution,
                                 checked=bool(d.sha256))
        os.chmod(staged, 0o644)  # pooch's temporary file is private; the data is for every user of the folder
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
    except requests.RequestException as exc:
        raise InstallError(f"{d.name}: cannot download {d.url} ({_why_unreachable(exc)}); nothing installed") from None
    except ValueError as exc:  # pooch: the hash does not match (it deletes the download), or a URL it cannot fetch
        message = " ".join(str(exc).split())
        if "hash" not in message:
            raise InstallError(f"{d.name}: cannot download {d.url} ({message}); nothing installed") from None
        got = re.search(r"but got ([0-9a-f]{64})", message)
        why = f"expected sha256 {d.sha256}, got {got.group(1)}" if got else message
        raise InstallError(f"{d.name}: bad checksum for {d.url}: {why}; nothing installed") from None
    except OSError as exc:
        raise InstallError(f"{d.name}: cannot write {target} ({exc.strerror or exc})") from None
    finally:
        staged.unlink(missing_ok=True)
        _remove_empty_dirs(dest / STAGING)
    if not d.sha256:
        report.notes.append(f"{d.name}: no published checksum to check against; recorded sha256 {digest} "
                            f"in {MANIFEST} (put it in data/downloads.toml to pin this file)")
    return InstalledFile(d.path, d.name, d.url, digest, size, d.licence, d.attribution, checked=bool(d.sha256))


def _remove_empty_dirs(root: Path) -> None:
    if not root.is_dir():
        return
    for folder, _, _ in sorted(os.walk(root), key=lambda w: -len(w[0])):
        try:
            os.rmdir(folder)
        except OSError:
            pass  # not empty: another install is under way


def _copy_known_file(src: Path, d: Download, dest: Path) -> InstalledFile:
    """A publisher's file fetched by hand (``PK.zip``): put where its download goes, checked the same."""
    try:
        with open(src, "rb") as fh:
            digest, size = _write_stream(fh, dest / d.path, d.sha256)
    except ValueError as exc:
        raise InstallError(f"{src}: bad checksum for {d.name}: {exc}; nothing installed") from None
    except OSError as exc:
        raise InstallError(f"{src}: cannot copy to {dest / d.path} ({exc.strerror or exc})") from None
    return InstalledFile(d.path, d.name, str(src.resolve()), digest, size, d.licence, d.attribution, checked=bool(d.sha256))


# -- folders and archives ---------------------------------------------------------------------


@dataclass
class _Member:
    rel: PurePosixPath  # where it goes in the data folder
    open: Callable[[], IO[bytes]]
    origin: str
    size: int = 0  # as declared by the archive (or the file's size)
    packed: int | None = None  # compressed size in a zip, where known


def _skipped(rel: PurePosixPath) -> bool:
    # hidden files, macOS resource forks, and a manifest of the folder the files came from
    return any(p.startswith(".") or p == "__MACOSX" for p in rel.parts) or str(rel) == MANIFEST


def _folder_members(folder: Path, notes: list[str]) -> list[_Member]:
    """Regular files of ``folder`` and its subfolders. Links (to files or folders), FIFOs and devices
    are skipped with one line each in ``notes``: nothing from outside the folder is copied."""
    from ..corpus import _kind, display_name

    out = []

    def walk(real: Path, rel: PurePosixPath) -> None:
        for entry in sorted(real.iterdir()):
            sub = rel / entry.name
            if _skipped(sub):
                continue
            st = entry.lstat()
            why = _kind(st.st_mode)
            if why:
                notes.append(f"{display_name(entry)}: {why}, not a regular file; skipped")
            elif stat.S_ISDIR(st.st_mode):
                walk(entry, sub)
            elif stat.S_ISREG(st.st_mode):
                out.append(_Member(sub, lambda e=entry: open(e, "rb"), str(entry.absolute()), st.st_size))

    walk(folder, PurePosixPath())
    return out


def _entry_path(name: str) -> PurePosixPath:
    try:
        return _safe_relpath(name)
    except _Unsafe as exc:
        raise _Unsafe(f"entry {name!r} {exc}") from None


def _link_target(name: str, linkname: str, relative_to_member: bool, files: set[str]) -> str:
    """The archive member a link points at; _Unsafe when it points outside the archive or at no file in it."""
    if linkname.startswith("/") or re.match(r"^[A-Za-z]:", linkname):
        raise _Unsafe(f"entry {name!r} is a link to an absolute path ({linkname})")
    base = posixpath.dirname(name) if relative_to_member else ""
    target = posixpath.normpath(posixpath.join(base, linkname))
    if target == ".." or target.startswith("../"):
        raise _Unsafe(f"entry {name!r} is a link pointing outside the archive ({linkname})")
    if target not in files:
        raise _Unsafe(f"entry {name!r} is a link to {target}, which is no file in the archive")
    return target


def _zip_is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _zip_members(zf: zipfile.ZipFile) -> list[_Member]:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    files = {i.filename for i in infos if not _zip_is_link(i)}
    out = []
    for info in infos:
        rel, member = _entry_path(info.filename), info
        if _zip_is_link(info):
            # the link's content is copied, never the link: nothing in the data folder points elsewhere
            member = zf.getinfo(_link_target(info.filename, zf.read(info).decode("utf-8", "replace"), True, files))
        out.append(_Member(rel, lambda m=member: zf.open(m), info.filename, member.file_size, member.compress_size))
    return out


def _tar_members(tf: tarfile.TarFile) -> list[_Member]:
    infos = [i for i in tf.getmembers() if not i.isdir()]
    files = {posixpath.normpath(i.name): i for i in infos if i.isfile()}
    out = []
    for info in infos:
        rel, size = _entry_path(info.name), info.size
        if info.issym() or info.islnk():
            # tarfile reads a link as the member it names, which is checked here to be a file of the archive
            size = files[_link_target(info.name, info.linkname, info.issym(), set(files))].size
        elif not info.isfile():
            raise _Unsafe(f"entry {info.name!r} is not a regular file (device, fifo...)")
        out.append(_Member(rel, lambda m=info: tf.extractfile(m), info.name, size))
    return out


@contextmanager
def _archive_members(path: Path) -> Iterator[list[_Member]]:
    """Members of a zip or tar archive, every entry checked before anything is written."""
    try:
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                yield _zip_members(zf)
        else:
            with tarfile.open(path, "r:*") as tf:
                yield _tar_members(tf)
    except _Unsafe as exc:
        raise InstallError(f"{path}: refused: {exc}; nothing installed") from None
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, KeyError) as exc:
        raise InstallError(f"{path}: not a readable archive ({exc})") from None


def _strip_top_folder(members: list[_Member], roots: set[str]) -> None:
    """An archive of the gazetteer folder itself (``gazetteer/geonames/...``): drop that one top
    folder, unless it is one of the data folder's own (``geonames/``, ``boundaries/``...)."""
    tops = {m.rel.parts[0] for m in members if len(m.rel.parts) > 1}
    if len(tops) == 1 and all(len(m.rel.parts) > 1 for m in members) and next(iter(tops)) not in roots:
        for m in members:
            m.rel = PurePosixPath(*m.rel.parts[1:])


def _check_bounds(members: list[_Member], source: str, archive_bytes: int | None) -> None:
    """Refuse, before anything is written, what would unpack to more than the limits allow."""
    total = sum(m.size for m in members)
    if total > MAX_INSTALL_BYTES:
        raise InstallError(f"{source}: refused: would install {total / 2**30:.1f} GiB, over the "
                           f"{MAX_INSTALL_BYTES // 2**30} GiB limit; nothing installed")
    for m in members:
        if m.packed is not None and m.size > 2**20 and m.size > MAX_RATIO * max(m.packed, 1):
            raise InstallError(f"{source}: refused: entry {m.origin!r} unpacks {m.packed} bytes to {m.size} "
                               f"(over {MAX_RATIO} times; a zip bomb?); nothing installed")
    if archive_bytes is not None and total > 2**20 and total > MAX_RATIO * max(archive_bytes, 1):
        raise InstallError(f"{source}: refused: {archive_bytes} bytes unpack to {total} (over {MAX_RATIO} times; "
                           f"an archive bomb?); nothing installed")


def _copy_members(members: list[_Member], source: str, origin: str | None, dest: Path,
                  licences: dict[str, tuple[str, str]], archive_bytes: int | None = None) -> list[InstalledFile]:
    """Stage every member under ``dest/.partial/``, checking each against its declared size, then
    rename them all into place: a member that fails leaves the data folder as it was."""
    members = [m for m in members if not _skipped(m.rel)]
    _check_bounds(members, source, archive_bytes)
    staging = dest / STAGING
    try:
        staging.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix="install-", dir=staging))
    except OSError as exc:
        raise InstallError(f"{source}: cannot write {exc.filename or staging} ({exc.strerror or exc}); nothing installed") from None
    out, staged = [], []
    try:
        left = MAX_INSTALL_BYTES
        for m in members:
            target = stage / Path(*m.rel.parts)
            try:
                with m.open() as fh:
                    digest, size = _write_stream(fh, target, limit=min(left, m.size))
            except _TooBig:
                raise InstallError(f"{source}: refused: {m.origin} is larger than the archive says; "
                                   f"nothing installed") from None
            except (OSError, zipfile.BadZipFile, tarfile.TarError, RuntimeError, EOFError, zlib_error) as exc:
                # RuntimeError: zipfile on an encrypted entry
                raise InstallError(f"{source}: cannot copy {m.origin} ({getattr(exc, 'strerror', None) or exc}); "
                                   f"nothing installed") from None
            if size != m.size:
                raise InstallError(f"{source}: {m.origin}: {size} bytes, the archive says {m.size}; nothing installed")
            left -= size
            licence, attribution = licences.get(str(m.rel), ("", ""))
            out.append(InstalledFile(str(m.rel), source, origin or m.origin, digest, size, licence, attribution))
            staged.append((target, dest / Path(*m.rel.parts)))
        try:
            for src, dst in staged:
                if _sha256(src) != next(f.sha256 for f in out if dest / f.path == dst):
                    raise InstallError(f"{source}: {src.name} changed while it was being installed; nothing installed")
            for src, dst in staged:
                dst.parent.mkdir(parents=True, exist_ok=True)
                if dst.is_symlink() or dst.is_dir():
                    raise InstallError(f"{source}: {dst} is a link or a folder; not replaced; nothing installed")
            for src, dst in staged:
                os.replace(src, dst)
        except OSError as exc:
            raise InstallError(f"{source}: cannot write {exc.filename or dest} ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_empty_dirs(staging)
    return out


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


# -- installing -------------------------------------------------------------------------------


def _known_file(path: Path, cat: Catalogue) -> Download | None:
    for d in cat.downloads.values():
        if path.name in (PurePosixPath(d.path).name, PurePosixPath(d.url.split("?")[0]).name):
            return d
    return None


def _install_local(path: Path, cat: Catalogue, dest: Path, report: InstallReport) -> list[InstalledFile]:
    licences = _known_licences(cat)
    if wof.is_sqlite(path) or (path.is_dir() and wof.is_record_tree(path)):
        return [_install_wof(path, dest, report, path.name, str(path.resolve()))]
    if path.is_dir():
        here, there = path.resolve(), dest.resolve()
        if here.is_relative_to(there) or there.is_relative_to(here):
            raise InstallError(f"{path}: is or holds the data folder {dest}; copy from another folder")
        files = _copy_members(_folder_members(path, report.notes), path.name, None, dest, licences)
    elif (known := _known_file(path, cat)) is not None:
        return [_copy_known_file(path, known, dest)]
    elif _is_archive(path):
        roots = {PurePosixPath(p).parts[0] for p in licences}
        with _archive_members(path) as members:
            if any(wof.is_record_name(m.rel.name) for m in members):  # a Who's On First bundle
                _check_bounds(members, path.name, path.stat().st_size)
                return [_install_wof(path, dest, report, path.name, str(path.resolve()), members=members)]
            _strip_top_folder(members, roots)
            files = _copy_members(members, path.name, str(path.resolve()), dest, licences, path.stat().st_size)
    else:
        raise InstallError(f"{path}: not a folder, an archive ({', '.join(ARCHIVE_SUFFIXES)}) "
                           f"or a file named like a download in data/downloads.toml")
    if not files:
        report.notes.append(f"{path}: no files in it")
    elif not any(f.path in licences for f in files):
        report.notes.append(f"{path}: none of its files is at a path data/sources.toml reads "
                            f"(e.g. geonames/admin1CodesASCII.txt); are they in the right folders?")
    return files


def _wof_place_list(country: str) -> dict | None:
    """The recipe of ``data/sources.toml`` that reads Who's On First places of ``country``."""
    recipes = tomllib.loads(data_path("sources.toml").read_text("utf-8"))
    return next((r for r in recipes.get("layer", []) if r.get("kind") == "wof-places" and r.get("country") == country), None)


def _install_wof(path: Path, dest: Path, report: InstallReport, source: str, origin: str,
                 rel: str | None = None, members: list[_Member] | None = None) -> InstalledFile:
    """A Who's On First SQLite database or GeoJSON record tree (a folder, or the ``members`` of an
    archive: WOF's bundles), written as the place list a recipe reads (``places/wof-pakistan-places.csv``
    for admin-pk): one row per current record."""
    try:
        if members is not None:
            rows = wof.rows_from_records((m.origin, m.open) for m in members if wof.is_record_name(m.rel.name))
        else:
            rows = wof.rows_from_tree(path) if path.is_dir() else wof.rows_from_sqlite(path)
    except wof.RecipeError as exc:
        raise InstallError(f"{source + ': ' if members is not None else ''}{exc}; nothing installed") from None
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib_error) as exc:
        raise InstallError(f"{source}: cannot read {exc}; nothing installed") from None
    countries = Counter(r["country"] for r in rows if r["country"])
    if not countries:
        raise InstallError(f"{source}: no Who's On First record with a country in it; nothing installed")
    country = countries.most_common(1)[0][0]
    recipe = _wof_place_list(country)
    if rel is None:
        if recipe is None:
            raise InstallError(f"{source}: Who's On First places of {country}, but no recipe in data/sources.toml "
                               f"reads them (add a layer of kind wof-places with country = {country!r}); nothing installed")
        rel = recipe["path"]
    text = io.StringIO()
    wof.write_place_list(rows, text)
    try:
        digest, size = _write_stream(io.BytesIO(text.getvalue().encode("utf-8")), dest / rel)
    except OSError as exc:
        raise InstallError(f"{source}: cannot write {dest / rel} ({exc.strerror or exc})") from None
    kind = "GeoJSON records" if members is not None or path.is_dir() else "SQLite database"
    report.notes.append(f"{source}: Who's On First {kind}: {len(rows)} records of {country} written to {rel}")
    return InstalledFile(rel, source, origin, digest, size, (recipe or {}).get("licence", ""),
                         (recipe or {}).get("attribution", ""))


def _jobs(source: str, cat: Catalogue) -> list[str | Download | Path]:
    """What SOURCE stands for: downloads by name or group first, then a local path; else an error."""
    if source in cat.downloads:
        return [cat.downloads[source]]
    if source in cat.groups:
        return [cat.downloads[n] for n in cat.groups[source]]
    path = Path(source).expanduser()
    if path.exists():
        return [path]
    if "/" in source or os.sep in source or _is_archive(path):
        raise InstallError(f"{source}: no such file or folder")
    known = ", ".join([*cat.groups, *cat.downloads])
    raise InstallError(f"{source}: unknown source: not a download in data/downloads.toml ({known}), "
                       f"nor a file or folder")


def install(sources: list[str], dest: Path | None = None, downloads: Path | Mapping | None = None,
            progress: bool = False, force: bool = False) -> InstallReport:
    """Install each of ``sources`` into ``dest`` (default: :func:`data_dir`). A source that fails is
    reported in ``errors`` and leaves no file behind; the others are installed."""
    cat = load_catalogue(downloads)
    dest = Path(dest) if dest else data_dir()
    report = InstallReport(dest)
    manifest = read_manifest(dest)
    for source in sources:
        try:
            jobs = _jobs(source, cat)
        except InstallError as exc:
            report.errors.append(str(exc))
            continue
        for job in jobs:
            try:
                if isinstance(job, Download):
                    got = _download(job, dest, progress, force, report)
                    files = [got] if got else []
                else:
                    files = _install_local(job, cat, dest, report)
            except InstallError as exc:
                report.errors.append(str(exc))
                continue
            for f in files:
                record = asdict(f)
                manifest[record.pop("path")] = record
            if files:
                _write_manifest(dest, manifest)
            report.installed += files
    return report
