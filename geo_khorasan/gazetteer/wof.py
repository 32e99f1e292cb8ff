"""Who's On First place lists (``wof-<country>-places.csv``): one row per WOF record.

Columns (the publisher's): ``name``, ``alt_names`` (``;``-separated, all scripts), ``latitude``,
``longitude``, ``country``, ``placetype``, ``wof_id``, ``geonames_id``, ``is_current``, ``src_geom``.

The placetype gives the level (``placetype_levels`` in the recipe); placetypes the recipe does
not map (campus: airports; country; planned or disused records) are skipped, as are records WOF
marks as no longer current (``is_current`` 0; -1 means unknown and is kept). The recipe's
``current_level`` is the level of the localities WOF has reviewed (``is_current`` 1: towns). A record derived
from GeoNames takes the GeoNames id as its id, so that it merges with the same place read from
cities500 or a GeoNames dump; its WOF id is kept among the other ids.
"""
from __future__ import annotations

import bz2
import csv
import json
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import IO

from .boundaries import RecipeError
from .geonames import PointRecord, usable_alt_name

#: placetype -> level when the recipe gives none.
DEFAULT_PLACETYPE_LEVELS = {"locality": "village", "neighbourhood": "neighbourhood", "borough": "neighbourhood",
                            "localadmin": "village", "county": "district", "region": "province"}
REQUIRED = ("name", "latitude", "longitude", "placetype", "wof_id")


def read_places(path: Path, recipe: dict) -> list[PointRecord]:
    levels = recipe.get("placetype_levels", DEFAULT_PLACETYPE_LEVELS)
    sep = recipe.get("alt_name_separator", ";")
    current_level = recipe.get("current_level")
    out: list[PointRecord] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise RecipeError(f"{path}: not a Who's On First place list: no column {', '.join(map(repr, missing))}; "
                              f"columns are {', '.join(reader.fieldnames or [])}")
        for row in reader:
            level = levels.get((row.get("placetype") or "").strip())
            if level == "village" and current_level and (row.get("is_current") or "").strip() == "1":
                level = current_level  # the localities WOF has reviewed are its towns (Landi Kotal, Pasni)
            name = (row.get("name") or "").strip()
            if level is None or not name or (row.get("is_current") or "").strip() == "0":
                continue
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except (TypeError, ValueError):
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
                continue
            wof = f"wof:{row['wof_id'].strip()}"
            gid = (row.get("geonames_id") or "").strip()
            alts = [n.strip() for n in (row.get("alt_names") or "").split(sep)]
            rec_id = f"geonames:{gid}" if gid.isdigit() and gid != "0" else wof
            rec = PointRecord(
                id=rec_id,
                name=name,
                level=level,
                country=recipe.get("country") or (row.get("country") or "").strip().upper() or None,
                lat=lat,
                lon=lon,
                alt_names=[n for n in dict.fromkeys(alts) if n and n != name and usable_alt_name(n)],
                source=recipe["key"],
                other_ids=[] if rec_id == wof else [wof],
            )
            out.append(rec)
    return out


# -- Who's On First's own distributions, read into the place list above ---------------------------
#
# A user who downloads Who's On First gets a per-country SQLite database
# (``whosonfirst-data-admin-pk-latest.db``, often ``.db.bz2``: tables ``spr``, ``names``,
# ``geojson``...) or the repository's GeoJSON record tree (``data/102/191/569/102191569.geojson``).
# ``geo-khorasan data install`` turns either into the place list the recipes read, one row per record,
# so that both give the records the CSV gives (levels, ids, merging with GeoNames).

PLACE_LIST_COLUMNS = ("name", "alt_names", "latitude", "longitude", "country", "placetype", "wof_id",
                      "geonames_id", "is_current", "src_geom")
#: Languages whose names are kept as alternates (those of the region's place lists), and the kinds of name.
NAME_LANGUAGES = ("eng", "urd", "pus", "fas")
NAME_KINDS = ("preferred", "variant", "colloquial")
_SQLITE_HEADER = b"SQLite format 3\x00"
_RECORD_FILE = re.compile(r"^\d+\.geojson$")  # alternate geometries are 123-alt-source.geojson


def _unknown(value) -> bool:
    """EDTF's unknown and open dates, and no date at all."""
    return value in (None, "", "uuuu", "..", "open")


def row_from_properties(props: dict) -> dict | None:
    """The place-list row of one WOF record (a GeoJSON feature's properties, as the record tree and
    the ``geojson`` table of the SQLite hold them); None for records WOF retired (deprecated,
    superseded or ceased) and for alternate geometries."""
    if props.get("src:alt_label") or not _unknown(props.get("edtf:deprecated")) \
            or props.get("wof:superseded_by") or not _unknown(props.get("edtf:cessation")):
        return None
    name = str(props.get("wof:name") or "").strip()
    try:
        wof_id, lat, lon = int(props["wof:id"]), float(props["geom:latitude"]), float(props["geom:longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    names = [str(n) for lang in NAME_LANGUAGES for kind in NAME_KINDS for n in props.get(f"name:{lang}_x_{kind}") or []]
    gn = (props.get("wof:concordances") or {}).get("gn:id")
    current = props.get("mz:is_current", -1)
    return {"name": name, "alt_names": ";".join(_alt_names(name, names)), "latitude": lat, "longitude": lon,
            "country": str(props.get("wof:country") or "").upper(), "placetype": props.get("wof:placetype") or "",
            "wof_id": wof_id, "geonames_id": gn if isinstance(gn, int) and gn > 0 else "",
            "is_current": current if current in (-1, 0, 1) else -1, "src_geom": props.get("src:geom") or ""}


def _alt_names(name: str, names: list[str]) -> list[str]:
    out = (" ".join(n.replace(";", " ").split()) for n in names)
    return [n for n in dict.fromkeys(out) if n and n != name]


def is_sqlite(path: Path) -> bool:
    """A SQLite database, or one compressed with bzip2 as Who's On First publishes them (``.db.bz2``)."""
    if path.name.lower().endswith(".db.bz2"):
        return path.is_file()
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == _SQLITE_HEADER
    except OSError:
        return False


def is_record_tree(folder: Path) -> bool:
    """A folder of WOF records (``data/.../<id>.geojson``), or one of its ``data`` folders."""
    first = next((p for p in folder.rglob("*.geojson") if is_record_name(p.name)), None)
    if first is None:
        return False
    try:
        return "wof:id" in json.loads(first.read_text("utf-8")).get("properties", {})
    except (OSError, ValueError, AttributeError):
        return False


def is_record_name(name: str) -> bool:
    """``102191569.geojson``: a record's file (not one of its alternate geometries)."""
    return bool(_RECORD_FILE.match(name))


def rows_from_records(records: Iterable[tuple[str, Callable[[], IO[bytes]]]]) -> list[dict]:
    """The rows of record files given as (name, opener): a folder's or an archive's (a WOF bundle)."""
    rows = []
    for name, opener in records:
        try:
            with opener() as fh:
                feature = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise RecipeError(f"{name}: not a readable Who's On First record ({exc})") from None
        row = row_from_properties(feature.get("properties") or {}) if isinstance(feature, dict) else None
        if row is not None:
            rows.append(row)
    return rows


def rows_from_tree(folder: Path) -> list[dict]:
    return rows_from_records((str(p), lambda p=p: open(p, "rb"))
                             for p in sorted(folder.rglob("*.geojson")) if is_record_name(p.name))


def rows_from_sqlite(path: Path) -> list[dict]:
    """The records of a WOF SQLite database: from its ``geojson`` table (the records themselves),
    else from ``spr`` with the ``names`` and ``concordances`` tables."""
    if path.name.lower().endswith(".bz2"):
        with tempfile.TemporaryDirectory() as tmp:
            plain = Path(tmp) / path.name[:-4]
            try:
                with bz2.open(path) as src, open(plain, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (OSError, EOFError) as exc:
                raise RecipeError(f"{path}: not a readable bzip2 file ({exc})") from None
            return rows_from_sqlite(plain)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "geojson" in tables:
                return _rows_from_bodies(con)
            if "spr" in tables:
                return _rows_from_spr(con, tables)
            raise RecipeError(f"{path}: not a Who's On First database: no table 'spr' or 'geojson' "
                              f"(tables: {', '.join(sorted(tables)) or 'none'})")
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise RecipeError(f"{path}: not a readable SQLite database ({exc})") from None


def _rows_from_bodies(con: sqlite3.Connection) -> list[dict]:
    rows = []
    for (body,) in con.execute("SELECT body FROM geojson ORDER BY id"):
        try:
            props = json.loads(body).get("properties") or {}
        except (TypeError, ValueError, AttributeError):
            continue
        row = row_from_properties(props)
        if row is not None:
            rows.append(row)
    return rows


def _rows_from_spr(con: sqlite3.Connection, tables: set[str]) -> list[dict]:
    names: dict[int, list[str]] = {}
    if "names" in tables:
        marks = ",".join("?" * len(NAME_LANGUAGES)), ",".join("?" * len(NAME_KINDS))
        for i, n in con.execute(f"SELECT id, name FROM names WHERE language IN ({marks[0]}) AND privateuse IN "
                                f"({marks[1]}) ORDER BY rowid", NAME_LANGUAGES + NAME_KINDS):
            names.setdefault(int(i), []).append(str(n))
    gn: dict[int, int] = {}
    if "concordances" in tables:
        cols = {r[1] for r in con.execute("PRAGMA table_info(concordances)")}
        if {"other_id", "other_source"} <= cols:
            for i, o in con.execute("SELECT id, other_id FROM concordances WHERE other_source = 'gn:id'"):
                if str(o).isdigit() and int(o) > 0:
                    gn[int(i)] = int(o)
    cols = {r[1] for r in con.execute("PRAGMA table_info(spr)")}
    alt = "AND is_alt = 0" if "is_alt" in cols else ""
    rows = []
    for i, name, placetype, country, lat, lon, current, deprecated, superseded, ceased in con.execute(
            f"SELECT id, name, placetype, country, latitude, longitude, is_current, is_deprecated, is_superseded, "
            f"is_ceased FROM spr WHERE 1 {alt} ORDER BY CAST(id AS INTEGER)"):
        if deprecated == 1 or superseded == 1 or ceased == 1 or lat is None or lon is None:
            continue
        i, name = int(i), str(name or "").strip()
        rows.append({"name": name, "alt_names": ";".join(_alt_names(name, names.get(i, []))), "latitude": lat,
                     "longitude": lon, "country": str(country or "").upper(), "placetype": placetype or "",
                     "wof_id": i, "geonames_id": gn.get(i, ""), "is_current": current if current in (-1, 0, 1) else -1,
                     "src_geom": ""})
    return rows


def write_place_list(rows: list[dict], fh: IO[str]) -> None:
    """The rows as a place list (the columns of ``places/wof-*-places.csv``), in WOF id order."""
    writer = csv.DictWriter(fh, PLACE_LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: r["wof_id"]))
