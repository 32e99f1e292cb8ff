"""Per-document analysis cache, so that a rebuild re-analyses only the documents that changed.

An entry holds what ``pipeline.analyse`` found in one document (its classified place mentions).
Its key is the sha256 of the document's id, text and metadata row, of the gazetteer index's
fingerprint, and of the code version (every ``.py`` file of the package and every file in
``data/``): editing an article, its metadata row, the gazetteer or the code misses the cache;
nothing else does. Entries live in ``<user cache>/geo_khorasan/analysis/<code version>/``; the
folders of code versions unused for two weeks are removed when a build opens the cache. A corrupt
or unreadable entry is a miss, and a cache that cannot be written is skipped with one warning.

Entries are JSON data, never objects: each names the key it was written for and is read back through
the records' constructors, every field checked against its declared type. An entry that does not
parse, fails the checks or carries another key (a file copied or planted under this name) is a miss
with one warning.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import tempfile
import math
import time
import types
import typing
from functools import lru_cache
from pathlib import Path

from . import __version__
from .paths import DATA_DIR, PACKAGE_DIR, cache_dir
from .records import Classification, ClassifiedMention, Document, Interner, Resolution

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


#: Format of an entry; another format is a miss.
FORMAT = 1


class _Invalid(ValueError):
    pass


def _to_data(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_to_data(x) for x in obj]
    return obj


def _from_data(tp, value, where: str):
    """``value`` (parsed JSON) as an instance of ``tp`` (a record type or a field's annotation); _Invalid if it is not one."""
    try:
        return _reader(tp)(value)
    except _Invalid as exc:
        raise _Invalid(f"{where}{exc}") from None


@lru_cache(maxsize=None)
def _reader(tp):
    """The function reading parsed JSON as ``tp``, built once per type (inspecting a type is slow, and
    an entry holds thousands of values). It raises _Invalid with the path below ``tp`` (``.mention.start: ...``)."""
    if tp in (int, str, bool):
        def read(value):
            if type(value) is not tp:
                raise _Invalid(f": not {tp.__name__}")
            return value
        return read
    if tp is float:
        def read(value):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise _Invalid(": not a number")
            return float(value)
        return read
    if tp is type(None):
        def read(value):
            if value is not None:
                raise _Invalid(": not null")
            return None
        return read
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = tuple((f.name, _reader(hints[f.name])) for f in dataclasses.fields(tp))
        names = frozenset(name for name, _ in fields)

        def read(value):
            if not isinstance(value, dict) or value.keys() != names:
                raise _Invalid(f": not a {tp.__name__}")
            kwargs = {}
            for name, read_field in fields:
                try:
                    kwargs[name] = read_field(value[name])
                except _Invalid as exc:
                    raise _Invalid(f".{name}{exc}") from None
            return tp(**kwargs)
        return read
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        nullable = type(None) in args
        others = tuple(_reader(a) for a in args if a is not type(None))

        def read(value):
            if value is None and nullable:
                return None
            for read_one in others:
                try:
                    return read_one(value)
                except _Invalid:
                    pass
            raise _Invalid(f": unexpected {type(value).__name__}")
        return read
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _reader(args[0])

            def read(value):
                if not isinstance(value, list):
                    raise _Invalid(": not a list")
                return tuple(item(v) for v in value)
            return read
        items = tuple(_reader(a) for a in args)

        def read(value):
            if not isinstance(value, list):
                raise _Invalid(": not a list")
            if len(items) != len(value):
                raise _Invalid(f": {len(value)} items, expected {len(items)}")
            return tuple(r(v) for r, v in zip(items, value))
        return read

    def read(value):
        raise _Invalid(f": cannot read {tp}")
    return read


def _mention_from_data(value, doc: Document, shared: Interner) -> ClassifiedMention:
    if not isinstance(value, dict) or set(value) != {"resolution", "classification", "citation"}:
        raise _Invalid("not a mention")
    r = _from_data(Resolution, value["resolution"], "resolution")
    c = _from_data(Classification, value["classification"], "classification")
    citation = _from_data(str | None, value["citation"], "citation")
    m = r.mention
    if m.doc != doc.id or not (0 <= m.sentence_start <= m.start < m.end <= m.sentence_end <= len(doc.text)) \
            or doc.text[m.start:m.end] != m.text:
        raise _Invalid(f"mention {m.text!r} at {m.start} is not in this document")
    r, c = shared.found(r, c)
    return ClassifiedMention(doc=doc, resolution=r, classification=c, citation=citation)


class AnalysisCache:
    def __init__(self, gaz, folder: Path | None = None):
        root = Path(folder) if folder else cache_dir() / "analysis"
        self.version = code_version()[:16]
        self.folder = root / self.version
        self.gaz_key = gazetteer_key(gaz)
        self.shared = Interner()  # entries read share their places and strings, as a worker's results do
        self.hits = 0
        self.misses = 0
        self.warning: str | None = None  # the cache cannot be written
        self.warnings: list[str] = []  # entries that could not be used, one line each
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

    def _key(self, doc: Document) -> str:
        return hashlib.sha256(f"{self.gaz_key}\0{document_key(doc)}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, doc: Document):
        """The cached mentions of ``doc`` (attached to this very Document object), or None."""
        key = self._key(doc)
        path = self._path(key)
        try:
            entry = json.loads(path.read_text("utf-8"))
            if not isinstance(entry, dict) or entry.get("format") != FORMAT or not isinstance(entry.get("mentions"), list):
                raise _Invalid("not an analysis cache entry")
            if entry.get("key") != key or entry.get("doc") != doc.id:
                raise _Invalid(f"written for another document ({str(entry.get('doc'))[:80]!r})")
            found = [_mention_from_data(m, doc, self.shared) for m in entry["mentions"]]
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, TypeError) as exc:  # _Invalid, JSON and UTF-8 errors are ValueErrors
            why = exc.strerror if isinstance(exc, OSError) else str(exc)[:200]
            self.warnings.append(f"{path}: unusable analysis cache entry ({why}); {doc.id} analysed afresh")
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, doc: Document, found) -> None:
        if self.warning:
            return
        key = self._key(doc)
        path = self._path(key)
        entry = {"format": FORMAT, "key": key, "doc": doc.id,
                 "mentions": [{"resolution": _to_data(cm.resolution), "classification": _to_data(cm.classification),
                               "citation": cm.citation} for cm in found]}
        data = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
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
