"""Where the project's own data and the user's gazetteer data live.

The one place that locates the curated ``data/`` folder. An installed package carries it as
``geo_khorasan/data`` (the repository's top-level ``data/``, mapped into the wheel by setup.py)
and it is read with :mod:`importlib.resources`; a checkout, or an editable install, reads the
repository's ``data/`` beside the package. ``$GEO_KHORASAN_DATA`` overrides both.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: A file every copy of the curated data has.
_MARKER = "sources.toml"


class DataNotFound(RuntimeError):
    """The curated data folder is not where the package expects it."""


def _data_dir() -> Path:
    configured = os.environ.get("GEO_KHORASAN_DATA")
    if configured:
        return Path(configured)
    installed = resources.files("geo_khorasan").joinpath("data")
    if installed.joinpath(_MARKER).is_file():
        return Path(str(installed))  # a wheel installs as files: the Traversable is a Path
    return PACKAGE_DIR.parent / "data"


#: Curated knowledge shipped with the project (aliases, cue words, recipes).
DATA_DIR = _data_dir()


def data_file(name: str) -> Path:
    """A file of the curated data; :class:`DataNotFound` (one line) when it is missing."""
    path = DATA_DIR / name
    if not path.is_file():
        raise DataNotFound(f"{path}: missing: the geo_khorasan package data is incomplete "
                           "(reinstall the package, or fix $GEO_KHORASAN_DATA)")
    return path


def check_data() -> None:
    """Fail before any work starts when the curated data is not there."""
    data_file(_MARKER)


def cache_dir() -> Path:
    """Per-user folder for the built gazetteer index."""
    root = os.environ.get("GEO_KHORASAN_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "geo_khorasan"
