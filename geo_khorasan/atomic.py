"""Writing output files so that a reader never sees half of one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` via a temporary file and a rename."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    write_chunks(path, (data,))


def write_lines(path: str | os.PathLike, pieces) -> None:
    """Write the strings ``pieces`` yields (UTF-8) one after the other, as :func:`write_text` writes
    their concatenation: a large file is never one string in memory."""
    write_chunks(path, (piece.encode("utf-8") for piece in pieces))


def write_chunks(path: str | os.PathLike, chunks) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; maps are for everyone who opens them
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
