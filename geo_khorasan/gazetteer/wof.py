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

import csv
from pathlib import Path

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
