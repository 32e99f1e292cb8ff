"""Per-document analysis cache, so that a rebuild re-analyses only the documents that changed.

An entry holds what ``pipeline.analyse`` found in one document (its classified place mentions).
Its key is the sha256 of the document's id, text and metadata row, of the gazetteer index's
fingerprint, and of the code version (every ``.py`` file of the package and every file in
``data/``): editing an article, its metadata row, the gazetteer or the code misses the cache;
nothing else does. Entries live in ``<user cache>/geo_khorasan/analysis/<code version>/``; the
folders of code versions unused for two weeks are removed when a build opens the cache. A corrupt
or unreadable entry is a miss, and a cache that cannot be written is skipped with one warning.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from . import __version__
from .paths import DATA_DIR, PACKAGE_DIR, cache_dir
from .records import Document

log = logging.getLogger(__name__)

#: The entries of another code version are removed when it has not been used for this long.
KEEP_DAYS = 14


@lru_cache(maxsize=1)
def code_version() -> str:
    """sha256 over the package's Python files and the curated data files (names and bytes)."""
    h = hashlib.sha256(f"geo_khorasan {__version__}".encode())
    for root in (PACKAGE_DIR, DATA_DIR):
        files = sorted(p for p in Path(root).rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and (root != PACKAGE_DIR or p.suffix == ".py"))
        for f in files:
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def document_key(doc: Document) -> str:
    """sha256 of what the analysis of one document reads from it: id, text, metadata row."""
    meta = dataclasses.asdict(doc.meta)
    return hashlib.sha256(json.dumps([doc.id, doc.text, meta], sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def gazetteer_key(gaz) -> str:
    fp = gaz.meta.get("fingerprint")
    if fp:
        return fp
    st = Path(gaz.path).stat()
    return f"{gaz.path}:{st.st_size}:{st.st_mtime_ns}"


class AnalysisCache:
    def __init__(self, gaz, folder: Path | None = None):
        root = Path(folder) if folder else cache_dir() / "analysis"
        self.version = code_version()[:16]
        self.folder = root / self.version
        self.gaz_key = gazetteer_key(gaz)
        self.hits = 0
        self.misses = 0
        self.warning: str | None = None
        try:
            if self.folder.is_dir():
                os.utime(self.folder)  # in use: kept
            if root.is_dir():
                stale = time.time() - KEEP_DAYS * 86400
                for old in root.iterdir():
                    # other checkouts of other versions may share this cache: only long-unused versions go
                    if old.is_dir() and old.name != self.version and old.stat().st_mtime < stale:
                        shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass

    def _path(self, doc: Document) -> Path:
        key = hashlib.sha256(f"{self.gaz_key}\0{document_key(doc)}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, doc: Document):
        """The cached mentions of ``doc`` (attached to this very Document object), or None."""
        path = self._path(doc)
        try:
            with open(path, "rb") as fh:
                found = pickle.load(fh)
            found = [dataclasses.replace(cm, doc=doc) for cm in found]
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception as exc:  # a corrupt entry, or one pickled by code that has since changed
            log.debug("%s: unreadable cache entry (%s)", path, exc)
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, doc: Document, found) -> None:
        if self.warning:
            return
        path = self._path(doc)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(list(found), fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:
            self.warning = f"{exc.filename or path.parent}: cannot write the analysis cache ({exc.strerror or exc}); " \
                           f"every document is analysed afresh"
