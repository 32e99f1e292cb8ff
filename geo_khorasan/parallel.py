"""Reading the documents in parallel: a process pool on one machine, a Dask cluster beyond it.

Documents are independent (the analysis cache already assumes it): each is analysed on its own by
a worker that opened the gazetteer index once, and the results are taken back in document order,
so that a parallel build writes the very bytes of a serial one. Workers get the documents already
read (the build reads them anyway, for the cache keys and the manifest) and give back the records
of each mention, which the build attaches to its own Document objects.

A document whose analysis fails is one line naming its file (``<path>: cannot be analysed (...);
skipped``), in a worker as in the build's own process; a broken index stops the build.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .records import Classification, Document, Interner, Resolution

#: What a worker gives back for one document: its mentions' records, or the line saying why not.
Found = list[tuple[Resolution, Classification, str | None]] | str


class ParallelError(RuntimeError):
    """The workers could not read the documents (one line: what happened, what to do)."""


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_local = threading.local()  # per process, and per thread of a Dask worker: sqlite connections are not shared


def _analysers(index_path: str):
    """(Recogniser, Resolver) over the index at ``index_path``, opened once in this process (thread)."""
    opened = getattr(_local, "analysers", None)
    if opened is None or opened[0] != index_path:
        from .gazetteer.index import Gazetteer
        from .recognise import Recogniser
        from .resolve import Resolver

        gaz = Gazetteer(Path(index_path))
        opened = _local.analysers = (index_path, Recogniser(gaz), Resolver(gaz))
    return opened[1], opened[2]


def analysed(doc: Document, recogniser, resolver) -> Found:
    """The records of every mention in ``doc``, or one line naming its file when the analysis fails."""
    from .pipeline import analyse

    try:
        found = analyse(doc, recogniser, resolver)
    except sqlite3.DatabaseError:  # the index, not the document: the build stops and says so
        raise
    except Exception as exc:  # a bug met by this document: the others are still built
        why = (str(exc).splitlines() or [""])[0][:200]
        return f"{doc.path}: cannot be analysed ({type(exc).__name__}{': ' + why if why else ''}); skipped"
    return [(cm.resolution, cm.classification, cm.citation) for cm in found]


def _init_worker(index_path: str) -> None:
    # Ctrl-C and kill are for the build's own process, which stops the pool; a worker just ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _local.analysers = None  # never a connection inherited from the parent (fork)
    _analysers(index_path)


def _analyse_in_worker(doc: Document, index_path: str) -> Found:
    return analysed(doc, *_analysers(index_path))


def _index_path(gaz) -> str:
    path = getattr(gaz, "path", None)
    if path is None:
        raise ParallelError("reading in parallel needs a gazetteer index file (Gazetteer.open()); use jobs=1")
    return str(Path(path).resolve())


def analyse_all(docs: list[Document], gaz, *, jobs: int = 1, client=None, progress: bool = False):
    """What :func:`analysed` gives for each of ``docs``, in their order: in this process
    (``jobs=1``), in a pool of ``jobs`` processes, or on the workers of a ``dask.distributed.Client``."""
    from .progress import bar

    counted = bar(enabled=progress and bool(docs), desc="reading articles", unit="doc", total=len(docs))
    try:
        shared = None
        if client is not None:
            results, shared = _on_dask(client, docs, _index_path(gaz)), Interner()
        elif min(jobs, len(docs) // 2) > 1:  # a worker's start-up is worth two documents at least
            results, shared = _in_pool(docs, _index_path(gaz), min(jobs, len(docs) // 2)), Interner()
        else:
            results = _here(docs, gaz)
        for result in results:
            counted.update()
            yield shared(result) if shared is not None and not isinstance(result, str) else result
    finally:
        counted.close()


def _here(docs, gaz):
    from .recognise import Recogniser
    from .resolve import Resolver

    recogniser, resolver = Recogniser(gaz), Resolver(gaz)
    for doc in docs:
        yield analysed(doc, recogniser, resolver)


def _in_pool(docs, index_path: str, jobs: int):
    # Chunks of a few documents: fewer round trips, still an even share for each worker.
    chunk = max(1, min(16, len(docs) // (jobs * 4)))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(index_path,))
    try:
        yield from pool.map(_analyse_in_worker, docs, [index_path] * len(docs), chunksize=chunk)
    except BrokenProcessPool:
        raise ParallelError("a reading process stopped (killed, or out of memory?); "
                            "build with --jobs 1 to read one document at a time") from None
    except BaseException:  # Ctrl-C, kill: the workers stop now, not after their chunk
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _code_version() -> str:
    from .cache import code_version

    return code_version()


def _check_workers(client) -> None:
    """Every worker runs this very code (another version would write other maps)."""
    try:
        versions = client.run(_code_version)
    except ImportError as exc:
        raise ParallelError(f"the Dask workers cannot import geo_khorasan ({exc}); install it there") from None
    if not versions:
        raise ParallelError("the Dask scheduler has no workers; start some (dask worker ADDRESS) and build again")
    ours = _code_version()
    other = sorted(worker for worker, version in versions.items() if version != ours)
    if other:
        raise ParallelError(f"Dask worker {other[0]} runs another version of geo_khorasan "
                            f"({len(other)} of {len(versions)} workers); install this one there")


def _on_dask(client, docs, index_path: str):
    from .gazetteer.index import IndexError_

    _check_workers(client)
    futures = client.map(_analyse_in_worker, docs, index_path=index_path, pure=False)
    try:
        for future in futures:  # in document order, whichever finishes first
            try:
                yield future.result()
            except IndexError_ as exc:
                raise ParallelError(f"{exc} (on a Dask worker: the index must be at this path on every worker)") from None
    finally:
        client.cancel(futures)
