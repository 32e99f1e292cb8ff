"""Progress on a terminal: a counted bar where a step counts (documents, maps, rows), a running clock
where it cannot (the gazetteer index, the assembly). Nothing shows for a step quicker than
:data:`DELAY`; the caller decides whether to show anything at all (a terminal, and no ``-q``)."""
from __future__ import annotations

import contextlib
import sys
import threading

#: Seconds a step runs before its progress shows: quicker steps say nothing.
DELAY = 2


def on_terminal(quiet: bool = False) -> bool:
    """Progress is for a person watching: never in a pipe, a log or with ``-q``."""
    return not quiet and sys.stderr.isatty()


def bar(iterable=None, *, enabled: bool, desc: str, unit: str, total: int | None = None):
    """``iterable`` with a counted bar (tqdm) when ``enabled``; as it is otherwise."""
    if not enabled:
        return iterable if iterable is not None else _NoBar()
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, delay=DELAY)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@contextlib.contextmanager
def step(desc: str, *, enabled: bool):
    """A clock (``desc: 00:12``) for a step that cannot count, while the ``with`` block runs."""
    if not enabled:
        yield
        return
    from tqdm import tqdm

    clock = tqdm(desc=desc, bar_format="{desc}: {elapsed}", delay=DELAY)
    done = threading.Event()

    def tick():
        while not done.wait(0.5):
            clock.update(0)  # redraws the time once the delay is over

    ticker = threading.Thread(target=tick, name="geo-khorasan progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        clock.close()
