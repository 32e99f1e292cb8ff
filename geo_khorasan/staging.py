"""Build outputs beside the output folder and put them in place with one rename.

A build writes every file into ``<parent>/.<out>.staging-XXXX/``, a sibling of the output folder
``<parent>/<out>``. The user's own files in the output folder (anything the previous build's
``documents.json`` does not list) are linked (or copied) into it, and the two folders are then
exchanged by one ``renameat2(RENAME_EXCHANGE)`` (Linux; elsewhere two renames, the old site kept
until the new one is in place). A kill at any moment leaves one whole site; the old one, then at
the staging name, is removed, and leftovers of a killed build are removed by the next build.
Nothing outside the output folder is written, links in it are recreated (never followed), and a
file the build did not write before is never replaced: the build refuses with one line.
"""
from __future__ import annotations

import ctypes
import errno
import filecmp
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from .paths import cache_dir

try:
    import fcntl
except ImportError:  # Windows: no lock against two builds at once
    fcntl = None

STAGING_MARK = ".staging-"
OLD_MARK = ".old-"
#: Test hook: ``GEO_KHORASAN_TEST_PAUSE=<stage>:<seconds>`` sleeps at that checkpoint of the build
#: (after printing ``paused at <stage>`` on stderr), so that a test can interrupt a build mid-way.
PAUSE_ENV = "GEO_KHORASAN_TEST_PAUSE"
#: The output folder whose new maps were last put in place by this process (for the interruption message).
swapped: Path | None = None


class OutputError(RuntimeError):
    """The output folder cannot be used; the message names it and the problem."""


class Terminated(KeyboardInterrupt):
    """SIGTERM: handled like Ctrl-C, but the exit status is 143."""


def checkpoint(stage: str) -> None:
    value = os.environ.get(PAUSE_ENV, "")
    name, _, seconds = value.partition(":")
    if name == stage:
        print(f"paused at {stage}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 60))


#: Files of a previous build that a new build removes when it does not write them again.
EXPORT_NAMES = frozenset({"mentions.geojson", "incidents.geojson", "regions.geojson", "mentions.csv", "incidents.csv",
                          "documents.json", "documents.html", "index.html"})


def previous_outputs(out: Path) -> set[str] | None:
    """The files the previous build wrote in ``out``, from its ``documents.json`` (None without a readable one)."""
    try:
        manifest = json.loads((out / "documents.json").read_text("utf-8"))
        ids = [d["id"] for d in manifest["documents"]]
        if not all(isinstance(i, str) for i in ids):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return set(EXPORT_NAMES) | {f"{i}.html" for i in ids} | {f"sources/{i}.html" for i in ids}


def files_under(folder: Path) -> set[str]:
    """Relative paths of the files in ``folder``, hidden ones (temp files) excluded."""
    if not folder.is_dir():
        return set()
    out = set()
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not any(part.startswith(".") for part in rel.split("/")):
            out.add(rel)
    return out


def _entries(folder: Path) -> list[tuple[str, os.stat_result]]:
    """Every entry under ``folder`` (links not followed), with its lstat, parents first."""
    out = []
    for root, dirs, files in os.walk(folder):
        for name in sorted(dirs) + sorted(files):
            p = Path(root) / name
            out.append((p.relative_to(folder).as_posix(), p.lstat()))
    return sorted(out)


_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap folders ``a`` and ``b`` in one system call (Linux renameat2); False where unsupported."""
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = _libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _lock_file(out: Path) -> Path:
    """The lock of one output folder: a file in the user's cache named by the folder's absolute path."""
    folder = cache_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (hashlib.sha256(os.fsencode(out.absolute())).hexdigest()[:24] + ".lock")


class Staging:
    """``with Staging(out) as stage:`` write into ``stage.path``, then ``stage.commit()``."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path: Path | None = None
        self.committed = False
        self._lock = None

    def _prefix(self) -> str:
        return f".{self.out.name}"

    def __enter__(self) -> "Staging":
        global swapped
        swapped = None
        out = self.out
        if out.is_symlink():
            target = os.readlink(out)
            if not out.exists():
                raise OutputError(f"{out}: is a link to {target}, which does not exist")
            raise OutputError(f"{out}: is a link (to {target}); give the folder itself as --out")
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out}: not a folder")
        if out.is_dir() and not os.access(out, os.W_OK):  # swappable, but the old site could not be removed
            raise OutputError(f"{out}: cannot write (Permission denied)")
        parent = out.absolute().parent
        existing = next(p for p in (parent, *parent.parents) if p.exists())
        if not existing.is_dir():
            raise OutputError(f"{out}: cannot write (Not a directory: {existing})" if existing != parent
                              else f"{out}: cannot write (Not a directory)")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            if fcntl is not None:
                # one lock per output folder, kept in the user's cache: nothing left in their folder,
                # and two builds into sibling folders ("maps-a", "maps-b") do not wait for each other
                self._lock = os.open(_lock_file(out), os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    self._release()
                    raise OutputError(f"{out}: another build is writing here; run again when it has finished") from None
            self._clean_leftovers(parent)
            self.path = Path(tempfile.mkdtemp(prefix=self._prefix() + STAGING_MARK, dir=parent))
            os.chmod(self.path, 0o755)
        except OSError as exc:
            self._release()
            where = f"; the new maps are assembled there, beside {out.name}" if exc.filename == str(parent) else ""
            raise OutputError(f"{exc.filename or out}: cannot write ({exc.strerror or exc}){where}") from None
        return self

    def _clean_leftovers(self, parent: Path) -> None:
        """Remove what a build killed with SIGKILL left; put back an old site that was not yet replaced."""
        old = sorted(parent.glob(self._prefix() + OLD_MARK + "*"))
        if old and not self.out.exists():  # killed between the two renames of the fallback
            os.rename(old.pop(), self.out)
        for p in old + sorted(parent.glob(self._prefix() + STAGING_MARK + "*")):
            shutil.rmtree(p, ignore_errors=True)

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing releases the lock (and kill -9 does too)
            self._lock = None

    def _carry_user_files(self, staged: set[str], previous: set[str] | None) -> None:
        """Link the user's own files of the output folder into the staging folder; refuse when a
        file the build writes is there and not known to be the previous build's."""
        if not self.out.is_dir():
            return
        for rel, st in _entries(self.out):
            src, dst = self.out / rel, self.path / rel
            if rel in staged or (previous is not None and rel in previous):
                if rel in staged and (previous is None or rel not in previous):
                    why = ("there is no readable documents.json of a previous build" if previous is None
                           else "the previous build did not write it")
                    raise OutputError(f"{src}: not replaced: {why}; move it away or choose another --out")
                continue
            if rel.split("/")[0].startswith(".staging-"):  # left inside it by older builds
                continue
            if S_ISDIR(st.st_mode):
                dst.mkdir(exist_ok=True)
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.is_dir() and not dst.is_symlink():
                raise OutputError(f"{src}: not replaced: the build writes a folder of that name; "
                                  "move it away or choose another --out")
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)  # the link itself, never what it points at
                continue
            try:
                os.link(src, dst, follow_symlinks=False)
            except OSError:
                shutil.copy2(src, dst, follow_symlinks=False)

    def _keep_unchanged(self, same: set[str]) -> None:
        """Files identical to the previous build's: the previous file itself is kept (its time too)."""
        for rel in sorted(same):
            dst = self.path / rel
            keep = dst.with_name(f".keep-{dst.name}")
            try:
                os.link(self.out / rel, keep, follow_symlinks=False)
            except OSError:
                continue  # another file system, or no hard links: the new copy, with the same bytes
            os.replace(keep, dst)

    def _check_staged(self) -> set[str]:
        """Every staged path is a regular file or folder inside the staging folder."""
        root = self.path.resolve()
        files = set()
        for rel, st in _entries(self.path):
            p = self.path / rel
            if os.path.islink(p) or not p.resolve().is_relative_to(root) or not (S_ISDIR(st.st_mode) or S_ISREG(st.st_mode)):
                raise OutputError(f"{self.out / rel}: the build wrote a link or a path outside the folder; nothing changed")
            if S_ISREG(st.st_mode) and not any(part.startswith(".") for part in rel.split("/")):
                files.add(rel)
        return files

    def commit(self) -> list[str]:
        """Put the staged site in place of the previous one, with the user's files carried over.
        Returns the relative paths that changed (written or removed), sorted."""
        global swapped
        assert self.path is not None
        out = self.out
        try:
            staged = self._check_staged()
            previous = previous_outputs(out)
            existing = files_under(out)
            changed = sorted({rel for rel in staged if not ((out / rel).is_file() and not (out / rel).is_symlink()
                                                            and filecmp.cmp(self.path / rel, out / rel, shallow=False))}
                             | {rel for rel in existing - staged if previous is not None and rel in previous})
            self._carry_user_files(staged, previous)
            if not changed and out.is_dir():  # nothing to put in place: the previous site stays, untouched
                self.committed = True
                return []
            self._keep_unchanged(staged - set(changed))
            if out.is_dir():
                os.chmod(self.path, out.stat().st_mode & 0o7777)
        except OSError as exc:
            raise OutputError(f"{exc.filename or out}: cannot write ({exc.strerror or exc}); nothing changed") from None
        # Ctrl-C and kill wait until the swap is done (Python-level handlers, which always run in the
        # main thread; a signal mask would be per thread).
        deferred: list[int] = []
        saved = {}
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                saved[sig] = signal.signal(sig, lambda signum, frame: deferred.append(signum))
        except ValueError:  # not the main thread
            pass
        try:
            if not out.exists():
                os.rename(self.path, out)
                self.path = None
            elif not _exchange(self.path, out):
                old = Path(tempfile.mkdtemp(prefix=self._prefix() + OLD_MARK, dir=out.absolute().parent))
                os.rmdir(old)
                os.rename(out, old)
                os.rename(self.path, out)
                self.path = old
            self.committed = True
            swapped = out
            checkpoint("committing")  # signals wait: the test hook sleeps through them
        except OSError as exc:
            raise OutputError(f"{exc.filename or out}: cannot write ({exc.strerror or exc}); nothing changed") from None
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if deferred:
            raise Terminated if signal.SIGTERM in deferred else KeyboardInterrupt
        return changed

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is not None:  # the staging folder, or after the swap the previous site
            shutil.rmtree(self.path, ignore_errors=True)
        self._release()
        if exc is not None and isinstance(exc, KeyboardInterrupt):
            exc.committed = self.committed  # for the message: whether the new maps were already in place
