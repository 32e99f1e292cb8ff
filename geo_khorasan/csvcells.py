"""Cells of every CSV the package writes, safe to open in a spreadsheet.

Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``), so it gets a leading ``'``
(OWASP CSV injection guidance). Numbers, and text that is a plain number (``-1``, ``-33.5``),
are left as they are; GeoJSON keeps the text unchanged.
"""
from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def row(values):
    """``values`` (a list, or a dict of a DictWriter row) with every text cell made safe."""
    if isinstance(values, dict):
        return {k: cell(v) for k, v in values.items()}
    return [cell(v) for v in values]
