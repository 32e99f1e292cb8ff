"""The project's curated knowledge: the only reader of the files in ``data/``.

``cues.yaml`` (reading cues), ``recognise.yaml``, ``regions.yaml``, ``name_rules.toml``,
``aliases.csv``, ``sources.toml``, ``downloads.toml``: every module asks here for them by name,
so where they live (``paths.DATA_DIR``, which ``GEO_KHORASAN_DATA`` overrides) is decided in
one place.
"""
from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import yaml

from . import paths


def data_path(name: str) -> Path:
    """Where the data file ``name`` (e.g. ``"cues.yaml"``) lives."""
    return paths.data_file(name)


def read_text(name: str) -> str:
    return data_path(name).read_text(encoding="utf-8")


#: libyaml's parser when PyYAML was built with it (about ten times faster, and the same documents
#: and marks: the constructor is PyYAML's own either way); else PyYAML's pure-Python one.
FAST_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(name: str):
    text = read_text(name)
    try:
        return yaml.load(text, Loader=FAST_YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return yaml.safe_load(text)  # a broken file: PyYAML's own message, as before


def load_toml(name: str) -> dict:
    return tomllib.loads(read_text(name))


def load_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file of data/, lines starting with '#' being comments."""
    lines = [line for line in read_text(name).splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))
