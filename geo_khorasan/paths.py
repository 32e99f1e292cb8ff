"""Where the project's own data and the user's gazetteer data live."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Curated knowledge shipped with the project (aliases, cue words, recipes).
DATA_DIR = Path(os.environ.get("GEO_KHORASAN_DATA", PACKAGE_DIR.parent / "data"))


def cache_dir() -> Path:
    """Per-user folder for the built gazetteer index."""
    root = os.environ.get("GEO_KHORASAN_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "geo_khorasan"
