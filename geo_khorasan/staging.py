"""Build outputs in a staging folder and swap them in at the end.

A build writes every file into ``<out>/.staging-XXXX/``. Only when all of them are written are
they moved over the previous files, one ``os.replace`` each (a reader never sees half a file),
unchanged files are left alone, and outputs of documents that are gone are removed. A build
that fails, is interrupted (Ctrl-C, ``kill``) or runs out of disk before that point leaves
the previous maps as they were; a staging folder left by ``kill -9`` is removed by the next build.
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no lock against two builds at once
    fcntl = None

STAGING_PREFIX = ".staging-"
#: Test hook: ``GEO_KHORASAN_TEST_PAUSE=<stage>:<seconds>`` sleeps at that checkpoint of the build
#: (after printing ``paused at <stage>`` on stderr), so that a test can interrupt a build mid-way.
PAUSE_ENV = "GEO_KHORASAN_TEST_PAUSE"


class OutputError(RuntimeError):
    """The output folder cannot be used; the message names it and the problem."""


def checkpoint(stage: str) -> None:
    value = os.environ.get(PAUSE_ENV, "")
    name, _, seconds = value.partition(":")
    if name == stage:
        print(f"paused at {stage}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 60))


#: Files of a previous build that a new build removes when it does not write them again.
EXPORT_NAMES = frozenset({"mentions.geojson", "incidents.geojson", "regions.geojson", "mentions.csv", "incidents.csv",
                          "documents.json"})


def previous_outputs(out: Path) -> set[str] | None:
    """The files the previous build wrote in ``out``, from its ``documents.json`` (None without one)."""
    try:
        manifest = json.loads((out / "documents.json").read_text("utf-8"))
        ids = [d["id"] for d in manifest["documents"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"index.html", *EXPORT_NAMES} | {f"{i}.html" for i in ids} | {f"sources/{i}.html" for i in ids}


def _owned(rel: str, previous: set[str] | None) -> bool:
    """Files of a previous build in the output folder (anything else there is left alone). Without
    the previous build's documents.json: every top-level page and source page, as builds always did."""
    if previous is not None:
        return rel in previous
    parts = rel.split("/")
    if len(parts) == 1:
        return rel.endswith(".html") or rel in EXPORT_NAMES
    return len(parts) == 2 and parts[0] == "sources" and rel.endswith(".html")


def files_under(folder: Path) -> set[str]:
    """Relative paths of the files in ``folder``, hidden ones (staging folders, temp files) excluded."""
    if not folder.is_dir():
        return set()
    out = set()
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not any(part.startswith(".") for part in rel.split("/")):
            out.add(rel)
    return out


class Staging:
    """``with Staging(out) as stage:`` write into ``stage.path``, then ``stage.commit()``."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path: Path | None = None
        self.committing = False
        self.committed = False

    def __enter__(self) -> "Staging":
        out = self.out
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out}: not a folder")
        self.created = not out.exists()
        self._lock = None
        try:
            out.mkdir(parents=True, exist_ok=True)
            if fcntl is not None:  # the lock is on the folder itself: no lock file to leave behind
                self._lock = os.open(out, os.O_RDONLY)
                try:
                    fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    self._release()
                    raise OutputError(f"{out}: another build is writing here; run again when it has finished") from None
            for old in out.glob(STAGING_PREFIX + "*"):  # left by a build killed with SIGKILL
                shutil.rmtree(old, ignore_errors=True)
            self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            self._release()
            raise OutputError(f"{exc.filename or out}: cannot write ({exc.strerror or exc})") from None
        return self

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing releases the lock (and kill -9 does too)
            self._lock = None

    def commit(self) -> list[str]:
        """Move the staged files over the previous ones; remove the build's files that were not
        staged. Returns the relative paths that changed (written or removed), sorted."""
        assert self.path is not None
        staged = files_under(self.path)
        previous = previous_outputs(self.out)
        changed = []
        self.committing = True
        # Ctrl-C and kill wait until every file is in place: the folder holds one build or the other.
        # (Python-level handlers, which always run in the main thread; a signal mask would be
        # per thread, and the kernel may hand the signal to another thread.)
        deferred: list[int] = []
        saved = {}
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                saved[sig] = signal.signal(sig, lambda signum, frame: deferred.append(signum))
        except ValueError:  # not the main thread
            pass
        try:
            for rel in sorted(staged):
                src, dst = self.path / rel, self.out / rel
                if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
                    continue
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
                changed.append(rel)
                if len(changed) == 1:
                    checkpoint("committing")  # signals wait: the test hook sleeps through them
            for rel in sorted({f for f in files_under(self.out) if _owned(f, previous)} - staged):
                (self.out / rel).unlink()
                changed.append(rel)
            self.committed = True
        except OSError as exc:
            raise OutputError(f"{exc.filename or self.out}: cannot write ({exc.strerror or exc})") from None
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if deferred:
            raise KeyboardInterrupt
        return sorted(changed)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
        self._release()
        if self.created and not self.committed:  # a build that wrote nothing leaves no folder behind
            try:
                self.out.rmdir()
            except OSError:
                pass
        if exc is not None and isinstance(exc, KeyboardInterrupt):
            exc.committed = self.committed  # for the message: whether the new maps were already in place
