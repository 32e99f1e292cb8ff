"""A rebuild with nothing changed does nothing.

After a build, a stamp in the analysis cache (``<code version>/builds/<output folder>.json``)
records what the build read, as one sha256 (:func:`inputs_key`: every document's id, path, text and
metadata row, the corrections file, the gazetteer index, the code and its data, the libraries the
output depends on, the export formats), what it reported, and the size, time and inode of every
file it left in the output folder. A next build with the same inputs key, into an output folder
whose files are exactly those, untouched, would write the very same bytes: it says what the
previous build said and leaves the folder alone. Any other change builds as usual; ``--no-cache``
and ``--check`` always build. The stamp is only a shortcut: without it, or unreadable, the build
runs in full.
"""
from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from . import atomic
from .cache import code_version, document_key, gazetteer_key
from .staging import files_under

#: Libraries whose version can change the bytes written (geometry, exports, HTML, fuzzy scores).
OUTPUT_LIBRARIES = ("shapely", "geopandas", "pyogrio", "pyarrow", "pandas", "folium", "branca", "jinja2",
                    "markupsafe", "rapidfuzz", "XStatic-Leaflet", "XStatic-Leaflet-MarkerCluster")
#: What a skipped build reports again, from the stamp.
REPORTED = ("documents", "mentions", "incidents", "regions", "errors", "warnings", "corrections_applied",
            "corrections_not_applied")
FORMAT = 1


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def inputs_key(docs, gaz, corrections_file: Path, formats) -> str | None:
    """sha256 of everything a build reads; None when the corrections file cannot be read (no shortcut)."""
    try:
        corrections = Path(corrections_file).read_bytes() if Path(corrections_file).exists() else None
    except OSError:
        return None
    h = hashlib.sha256()
    for part in (f"stamp {FORMAT}", code_version(), gazetteer_key(gaz),
                 json.dumps({name: _version(name) for name in OUTPUT_LIBRARIES}, sort_keys=True),
                 json.dumps(sorted(formats)), str(corrections_file),
                 *(f"{d.id}\0{d.path}\0{document_key(d)}" for d in docs)):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    h.update(corrections if corrections is not None else b"\0no corrections file")
    return h.hexdigest()


def _files(out: Path) -> dict[str, list[int]]:
    found = {}
    for rel in sorted(files_under(out)):
        st = (out / rel).lstat()
        found[rel] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return found


class Stamp:
    """The stamp of the builds into ``out`` with the analysis cache ``cache``."""

    def __init__(self, cache, out: Path, key: str | None):
        self.out = Path(out)
        where = os.fsencode(self.out.absolute()).hex()
        self.path = cache.folder / "builds" / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.json"
        self.key = key

    def previous_report(self) -> dict | None:
        """What the previous build reported, when it read the same inputs and ``out`` is as it left it."""
        if self.key is None:
            return None
        try:
            stamp = json.loads(self.path.read_text("utf-8"))
            if stamp.get("format") != FORMAT or stamp.get("key") != self.key or stamp.get("out") != str(self.out.absolute()):
                return None
            if _files(self.out) != stamp["files"]:
                return None
            report = stamp["report"]
            return report if isinstance(report, dict) and set(report) == set(REPORTED) else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def record(self, report, errors: list[str], warnings: list[str]) -> None:
        """After a build put its files in place: what it read, left and reported (``errors`` and
        ``warnings``: those of the analysis, which a skipped build says again)."""
        if self.key is None:
            return
        said = {k: getattr(report, k) for k in REPORTED} | {"errors": errors, "warnings": warnings}
        stamp = {"format": FORMAT, "key": self.key, "out": str(self.out.absolute()), "report": said,
                 "files": _files(self.out)}
        try:
            atomic.write_text(self.path, json.dumps(stamp, ensure_ascii=False, sort_keys=True))
        except OSError:
            pass  # no shortcut next time; the build itself is done

    def forget(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass
