"""A rebuild with nothing changed does nothing.

After a build, a stamp in the analysis cache (``<code version>/builds/<output folder>.json``)
records what the build read, what it reported, and the inode, size, mode and modification time of
every file it left in the output folder. The next build into that folder, if the folder's files are exactly those,
untouched, compares what it would read:

1. the context (the code and its data, the gazetteer index, the libraries the output depends on,
   the export formats, the size limit, the corrections file's name) and the ``lstat`` of every
   entry of the articles folder and of the corrections file (inode, size, mode, modification and
   change times): all equal, it need not even read the articles;
2. else, once the articles are read, one sha256 of every document's id, path, text and metadata
   row and of the corrections file's bytes (an article touched but not changed).

Equal, it would write the very same bytes: it says what the previous build said and leaves the
folder alone. Anything else builds as usual; ``--no-cache`` and ``--check`` always build. Entries
changed within :data:`RACY_SECONDS` of the stamp are never trusted by their times (a file can change
twice within one tick of a coarse clock). The stamp is only a shortcut: missing or unreadable, the
build runs in full.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from importlib import metadata
from pathlib import Path

from . import atomic
from .cache import code_version, document_key, gazetteer_key
from .staging import files_under

#: Libraries whose version can change the bytes written (geometry, exports, HTML, fuzzy scores).
OUTPUT_LIBRARIES = ("shapely", "geopandas", "pyogrio", "pyarrow", "pandas", "folium", "branca", "jinja2",
                    "markupsafe", "rapidfuzz", "XStatic-Leaflet", "XStatic-Leaflet-MarkerCluster")
#: What a skipped build reports again, from the stamp (``errors`` and ``warnings``: the analysis's;
#: ``read_errors`` and ``read_warnings``: those of reading the folder, said again when it was not read).
REPORTED = ("documents", "mentions", "incidents", "regions", "errors", "warnings", "read_errors", "read_warnings",
            "corrections_applied", "corrections_not_applied")
RACY_SECONDS = 2
FORMAT = 2


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def _stat(path: Path) -> list[int]:
    st = path.lstat()
    return [st.st_ino, st.st_size, st.st_mode, st.st_mtime_ns, st.st_ctime_ns]


def _files(out: Path) -> dict[str, list[int]]:
    # no change time: putting the new site in place links and unlinks the files it keeps
    return {rel: _stat(out / rel)[:4] for rel in sorted(files_under(out))}


def _sources(seeds: Path, corrections: Path) -> dict[str, list[int]] | None:
    """``lstat`` of every entry of ``seeds`` and of ``corrections``; None when one is too recent to trust."""
    now = time.time_ns()
    try:
        found = {os.fsencode(p.name).hex(): _stat(p) for p in sorted(seeds.iterdir())}
        found["corrections"] = _stat(corrections) if corrections.exists() else []
    except OSError:
        return None
    if any(st and max(st[3], st[4]) > now - RACY_SECONDS * 10**9 for st in found.values()):
        return None
    return found


def stamp_path(cache, out: Path) -> Path:
    where = os.fsencode(Path(out).absolute()).hex()
    return cache.folder / "builds" / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.json"


def forget(cache, out: Path) -> None:
    """No stamp for ``out`` (a folder about to go)."""
    try:
        stamp_path(cache, out).unlink()
    except OSError:
        pass


class Stamp:
    """The stamp of the builds of ``seeds`` into ``out`` (with the analysis cache ``cache``)."""

    def __init__(self, cache, out: Path, seeds: Path, corrections: Path, gaz, formats, max_bytes: int | None):
        self.out, self.seeds, self.corrections = Path(out), Path(seeds), Path(corrections)
        self.path = stamp_path(cache, self.out)
        self.context = _sha(f"stamp {FORMAT}", code_version(), gazetteer_key(gaz),
                            json.dumps({name: _version(name) for name in OUTPUT_LIBRARIES}, sort_keys=True),
                            json.dumps(sorted(formats)), str(max_bytes), os.fsencode(self.seeds.absolute()).hex(),
                            os.fsencode(self.corrections.absolute()).hex())
        self.sources = _sources(self.seeds, self.corrections)  # before reading: a later change is newer
        self.key: str | None = None
        try:
            self._previous = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self._previous = None

    def _report(self) -> dict | None:
        """The previous build's report, if it built with this context into a folder still as it left it."""
        stamp = self._previous
        try:
            if stamp.get("format") != FORMAT or stamp.get("context") != self.context or _files(self.out) != stamp["files"]:
                return None
            report = stamp["report"]
            return report if isinstance(report, dict) and set(report) == set(REPORTED) else None
        except (OSError, KeyError, TypeError, AttributeError):
            return None

    def unread(self) -> dict | None:
        """The previous report, when not one entry of the articles folder or the corrections file changed."""
        if self.sources is None or self._previous is None or self._previous.get("sources") != self.sources:
            return None
        return self._report()

    def read(self, docs) -> dict | None:
        """The previous report, when the documents just read and the corrections are those it read."""
        try:
            corrections = self.corrections.read_bytes() if self.corrections.exists() else None
        except OSError:
            return None
        self.key = _sha(self.context, *(f"{d.id}\0{d.path}\0{document_key(d)}" for d in docs),
                        corrections.hex() if corrections is not None else "no corrections file")
        if self._previous is None or self._previous.get("key") != self.key:
            return None
        report = self._report()
        if report is not None and self.sources is not None and self._previous.get("sources") != self.sources:
            self._write(dict(self._previous, sources=self.sources))  # touched, not changed: next time unread
        return report

    def record(self, report, said: dict[str, list[str]]) -> None:
        """After a build put its files in place: what it read, left and reported (``said``: its
        lines by kind, as in :data:`REPORTED`)."""
        if self.key is None:
            return
        self._write({"format": FORMAT, "context": self.context, "key": self.key, "sources": self.sources,
                     "report": {k: getattr(report, k) for k in REPORTED if k not in said} | said,
                     "files": _files(self.out)})

    def _write(self, stamp: dict) -> None:
        try:
            atomic.write_text(self.path, json.dumps(stamp, ensure_ascii=False, sort_keys=True))
        except OSError:
            pass  # no shortcut next time; the build itself is done
