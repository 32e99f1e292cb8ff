"""One configuration for the command line and the Python API.

``geo-khorasan build``, ``Gazetteer.open()``, ``LocalGeocoder()`` and ``build()`` find the
gazetteer folder and its index the same way, first found wins:

1. what the caller names (``--gazetteer DIR`` / ``--index FILE``, or the argument);
2. ``$GEO_KHORASAN_GAZETTEER`` / ``$GEO_KHORASAN_INDEX``;
3. ``gazetteer = ...`` / ``index = ...`` in ``[tool.geo_khorasan]`` of ``pyproject.toml`` in the
   current folder (relative paths are relative to that folder);
4. the data installed by ``geo-khorasan data install`` in the per-user folder;

and otherwise the packaged data only (GeoNames cities, ISO 3166 names, coarse country shapes).
"""
from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from .paths import cache_dir

GAZETTEER_ENV = "GEO_KHORASAN_GAZETTEER"
INDEX_ENV = "GEO_KHORASAN_INDEX"


class ConfigError(RuntimeError):
    """A configuration value that cannot be used (one line: ``<file>: <problem>``)."""


def project_config(cwd: Path | None = None) -> dict:
    """``[tool.geo_khorasan]`` of the pyproject.toml in the current folder, if any
    (default seeds/maps/gazetteer folders of a checkout)."""
    path = (cwd or Path.cwd()) / "pyproject.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text("utf-8")).get("tool", {}).get("geo_khorasan", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _configured(explicit, env: str, key: str, cfg: dict | None) -> Path | None:
    value = explicit or os.environ.get(env) or (cfg if cfg is not None else project_config()).get(key)
    return Path(value).expanduser() if value else None


def gazetteer_dir(explicit: str | Path | None = None, cfg: dict | None = None, *, quiet: bool = False) -> Path | None:
    """The gazetteer folder in use, or None for the packaged data only. A folder that is named but
    missing is said in one line on stderr (unless ``quiet``) and not used."""
    path = _configured(explicit, GAZETTEER_ENV, "gazetteer", cfg)
    if path is None:
        installed = cache_dir() / "data"
        return installed if installed.is_dir() else None
    if not path.is_dir():
        if not quiet:
            print(f"geo-khorasan: warning: {path}: gazetteer folder not found; using the packaged data only",
                  file=sys.stderr)
        return None
    return path


def index_path(explicit: str | Path | None = None, cfg: dict | None = None) -> Path | None:
    """The index file named by the caller, the environment or the project; None for the user cache."""
    return _configured(explicit, INDEX_ENV, "index", cfg)
