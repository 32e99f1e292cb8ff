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


def build(seeds, out, gaz=None, **options):
    """Read the articles in ``seeds`` and write the maps to ``out``: :func:`geo_khorasan.pipeline.build`
    (``jobs=N`` processes, or ``client=`` a ``dask.distributed.Client``; ``cache=``, ``formats=``...)."""
    from .pipeline import build as _build

    return _build(seeds, out, gaz, **options)


__all__ = ["__version__", "build", "read_maps"]
