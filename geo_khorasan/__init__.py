"""geo_khorasan: sourced, offline maps of IS-K reporting from a folder of articles."""
from importlib import metadata as _metadata


def _version() -> str:
    """The version in pyproject.toml: from the installed metadata, or the file itself in a bare checkout."""
    try:
        return _metadata.version("geo_khorasan")
    except _metadata.PackageNotFoundError:
        import re
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        match = re.search(r'^version = "([^"]+)"', pyproject.read_text("utf-8"), re.M) if pyproject.is_file() else None
        return match.group(1) if match else "0+unknown"


__version__ = _version()


def read_maps(folder="maps"):
    """The three layers of a build as GeoDataFrames: ``mentions, incidents, regions = read_maps("maps/")``."""
    from .export import read_maps as _read_maps

    return _read_maps(folder)


__all__ = ["__version__", "read_maps"]
