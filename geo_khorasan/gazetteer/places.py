"""Plain CSV place lists: name, latitude, longitude and optional admin names."""
from __future__ import annotations

import csv
from pathlib import Path

from .boundaries import RecipeError, _alt_names, _slug
from .geonames import PointRecord


def read_placelist(path: Path, recipe: dict) -> list[PointRecord]:
    lat_f = recipe.get("latitude_field", "latitude")
    lon_f = recipe.get("longitude_field", "longitude")
    name_f = recipe.get("name_field", "name")
    levels = recipe.get("feature_levels", {})
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for col in (name_f, lat_f, lon_f):
            if col not in (reader.fieldnames or []):
                raise RecipeError(f"{path}: no column {col!r}; columns are {', '.join(reader.fieldnames or [])}")
        for row in reader:
            name = (row.get(name_f) or "").strip()
            try:
                lat, lon = float(row[lat_f]), float(row[lon_f])
            except (TypeError, ValueError):
                continue
            if not name or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
                # 0,0 marks a missing position in several public lists
                continue
            feature = row.get(recipe.get("feature_field") or "", "")
            level = levels.get(feature, recipe.get("level", "village"))
            raw_id = row.get(recipe.get("id_field") or "")
            pid = raw_id or f"{_slug(name)}@{lat:.4f},{lon:.4f}"
            out.append(
                PointRecord(
                    id=f"{recipe.get('id_prefix', recipe['key'])}:{pid}",
                    name=name,
                    level=level,
                    country=recipe.get("country") or row.get(recipe.get("country_field") or "") or None,
                    lat=lat,
                    lon=lon,
                    alt_names=_alt_names(row, recipe),
                    admin1=row.get(recipe.get("admin1_field") or "") or None,
                    admin2=row.get(recipe.get("admin2_field") or "") or None,
                    source=recipe["key"],
                )
            )
    return out


def read_names(path: Path, recipe: dict) -> list[dict]:
    """Alternate-name tables (no geometry): one dict per row with the recipe's fields."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
