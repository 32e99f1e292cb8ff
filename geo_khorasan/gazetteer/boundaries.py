"""Boundary and point layers in any format GDAL reads, described by a recipe.

A recipe (see ``data/sources.toml``) names the layer's own fields, so that the
publishers' files are read as they are.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import shapely
from shapely.geometry.base import BaseGeometry

from .geonames import PointRecord, usable_alt_name

if TYPE_CHECKING:  # geopandas (and pandas) take most of a start-up: imported where used
    import geopandas as gpd


@dataclass
class AreaRecord:
    id: str
    name: str
    level: str
    country: str | None
    geometry: BaseGeometry
    alt_names: list[str] = field(default_factory=list)
    parent: str | None = None  # parent unit's name where the layer has it
    source: str = ""


class RecipeError(ValueError):
    pass


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower()


def _field(row, name: str | None):
    if not name:
        return None
    value = row.get(name)
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        # list-valued fields (e.g. osmRelations) arrive as JSON text from some drivers
        value = [v.strip(" \"'") for v in value[1:-1].split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _alt_names(row, recipe: dict) -> list[str]:
    names: list[str] = []
    for f in recipe.get("alt_name_fields", []):
        value = _field(row, f)
        if value:
            names.extend(n.strip() for n in str(value).split("|") if n.strip())
    return [n for n in dict.fromkeys(names) if usable_alt_name(n)]


def _id(row, recipe: dict, name: str) -> str:
    raw = _field(row, recipe.get("id_field"))
    prefix = recipe.get("id_prefix", recipe["key"])
    if raw is None:
        return f"{prefix}:{_slug(name)}"
    raw = str(raw)
    if raw.endswith(".0"):
        raw = raw[:-2]
    # "osm:relation" + 3228135 -> "osm:relation/3228135"; "geoboundaries" + X -> "geoboundaries:X"
    return f"{prefix}/{raw}" if ":" in prefix else f"{prefix}:{raw}"


def read_layer(path: Path, recipe: dict) -> gpd.GeoDataFrame:
    import geopandas as gpd
    try:
        with warnings.catch_warnings():
            # list-valued fields come back as text; _field() parses them
            warnings.filterwarnings("ignore", message="Could not parse column")
            gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types; the message is what matters
        raise RecipeError(f"{path}: cannot read layer ({exc})") from exc
    missing = [f for f in (recipe.get("name_field"),) if f and f not in gdf.columns]
    if missing:
        raise RecipeError(f"{path}: no field {missing[0]!r}; fields are {', '.join(map(str, gdf.columns))}")
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def read_areas(path: Path, recipe: dict) -> list[AreaRecord]:
    gdf = read_layer(path, recipe)
    out = []
    for row in gdf.to_dict("records"):
        name = _field(row, recipe["name_field"])
        geom = row["geometry"]
        if not name or geom is None or geom.is_empty:
            continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        out.append(
            AreaRecord(
                id=_id(row, recipe, name),
                name=str(name),
                level=recipe["level"],
                country=recipe.get("country") or _field(row, recipe.get("country_field")),
                geometry=geom,
                alt_names=_alt_names(row, recipe),
                parent=_field(row, recipe.get("parent_field")),
                source=recipe["key"],
            )
        )
    return out


def read_points(path: Path, recipe: dict) -> list[PointRecord]:
    gdf = read_layer(path, recipe)
    out = []
    for row in gdf.to_dict("records"):
        name = _field(row, recipe["name_field"])
        geom = row["geometry"]
        if not name or geom is None or geom.is_empty:
            continue
        pt = geom if geom.geom_type == "Point" else geom.representative_point()
        pop = _field(row, recipe.get("population_field"))
        out.append(
            PointRecord(
                id=_id(row, recipe, name),
                name=str(name),
                level=recipe["level"],
                country=recipe.get("country") or _field(row, recipe.get("country_field")),
                lat=round(pt.y, 6),
                lon=round(pt.x, 6),
                alt_names=_alt_names(row, recipe),
                population=int(pop) if pop and float(pop) > 0 else None,
                source=recipe["key"],
            )
        )
    return out


def read_lines(path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd
    gdf = gpd.read_file(path)
    return gdf.to_crs(4326) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
