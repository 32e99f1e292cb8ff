"""Exports: GeoJSON feature collections (the contract the maps and users read), CSV,
GeoPackage and GeoParquet, and the same layers as GeoDataFrames (:func:`read_maps`)."""
from __future__ import annotations

import calendar
import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import shapely
from shapely.geometry import mapping, shape

from . import atomic, csvcells
from .gazetteer.index import Gazetteer
from .records import ClassifiedMention, Incident, Region, Source
from .resolve import precision_words

if TYPE_CHECKING:  # geopandas (and pandas) take most of a start-up: imported where used
    import geopandas as gpd

PRECISION_DIGITS = 5  # ~1 m: more would only be noise, and keeps files small


def _round(obj, digits=PRECISION_DIGITS):
    if isinstance(obj, float):
        return round(obj, digits) + 0.0  # + 0.0: no -0.0
    if isinstance(obj, (list, tuple)):
        return [_round(x, digits) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    return obj


#: Regions are areas a sentence claims ("controlled Achin district"): their outline is simplified at
#: a tolerance of about 200 m for a district (or anything smaller), 500 m for a province or region,
#: 1 km for a country (the basemap's), in degrees: finer than a claim about a whole district can be,
#: and than a pixel at the zoom that shows the district whole; vertices rounded to 4 decimals (~11 m).
REGION_TOLERANCE = {"country": 0.01, "province": 0.005, "region": 0.005}
REGION_TOLERANCE_DEFAULT = 0.002
REGION_DIGITS = 4


def region_geometry(poly, level: str | None) -> dict | None:
    """A region's polygon, simplified for its level and rounded (valid: snapped to the grid); None when
    nothing is left of it."""
    tolerance = REGION_TOLERANCE.get(level or "", REGION_TOLERANCE_DEFAULT)
    g = shapely.set_precision(poly.simplify(tolerance, preserve_topology=True), 10 ** -REGION_DIGITS)
    if g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return _round(mapping(g), REGION_DIGITS)


def _point(place) -> dict:
    return {"type": "Point", "coordinates": [round(place.lon, PRECISION_DIGITS), round(place.lat, PRECISION_DIGITS)]}


def _source(s: Source, mention_id: str) -> dict:
    return {"doc": s.doc, "sentence": s.sentence, "start": s.start, "end": s.end, "citation": s.citation,
            "url": s.url, "sentence_start": s.sentence_start, "sentence_end": s.sentence_end, "text": s.text,
            "mention_id": mention_id}


def mention_features(mentions: list[ClassifiedMention]) -> dict:
    feats = []
    for cm in mentions:
        r, c, m = cm.resolution, cm.classification, cm.resolution.mention
        feats.append({"type": "Feature", "geometry": _point(r.place), "properties": {
            "id": cm.id, "doc": cm.doc.id, "text": m.text, "start": m.start, "end": m.end,
            "sentence": cm.doc.text[m.sentence_start:m.sentence_end], "sentence_start": m.sentence_start,
            "sentence_end": m.sentence_end, "place_name": r.place.name, "place_id": r.place.id,
            "level": r.place.level, "country": r.place.country, "precision": r.precision,
            "precision_words": precision_words(r.precision, r.place), "role": c.role, "cue": c.cue,
            "status": c.status, "citation": cm.citation, "url": cm.doc.meta.url, "rule": r.rule, "note": r.note,
            "classification_rule": c.rule,
            "candidates": [{"place_id": x.place.id, "place_name": x.place.name, "country": x.place.country,
                            "level": x.place.level, "score": x.score, "why": x.why} for x in r.candidates]}})
    return {"type": "FeatureCollection", "features": feats}


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def date_span(date) -> tuple[str | None, str | None, str | None]:
    """``(date_start, date_end, date_precision)`` of an incident's ``date`` as the article gives it:
    ``2018-07`` spans 2018-07-01 to 2018-07-31 (``month``), ``2016`` a year, a full date one ``day``;
    anything else is undated (three None)."""
    match = _ISO_DATE.match(date.strip()) if isinstance(date, str) else None
    if not match:
        return None, None, None
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31", "year"
    if not 1 <= month <= 12:
        return None, None, None
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}", "month"
    if not 1 <= day <= last:
        return None, None, None
    return (f"{year:04d}-{month:02d}-{day:02d}",) * 2 + ("day",)


def incident_features(incidents: list[Incident]) -> dict:
    feats = []
    for inc in incidents:
        feats.append({"type": "Feature", "geometry": _point(inc.place), "properties": {
            "id": inc.id, "date": inc.date, **dict(zip(("date_start", "date_end", "date_precision"), date_span(inc.date))),
            "fatalities": inc.fatalities, "injured": inc.injured, "type": inc.type,
            "fatalities_range": "-".join(map(str, inc.fatalities_range)) if inc.fatalities_range else None,
            "attackers_killed": inc.attackers_killed,
            "actor": inc.actor, "place_name": inc.place.name, "place_id": inc.place.id, "level": inc.place.level,
            "country": inc.place.country, "precision": inc.precision,
            "precision_words": precision_words(inc.precision, inc.place), "rules": list(inc.rules),
            "sources": [_source(s, f"{s.doc}:{s.start}") for s in inc.sources]}})
    return {"type": "FeatureCollection", "features": feats}


def region_features(regions: list[Region], gaz: Gazetteer, doc_dates: dict[str, str | None]) -> dict:
    feats = []
    for reg in regions:
        poly = gaz.polygon(reg.place.id) if reg.place.has_polygon else None
        geom = (region_geometry(poly, reg.place.level) if poly is not None else None) or _point(reg.place)
        claims = sorted(reg.claims, key=lambda c: (doc_dates.get(c.source.doc) or "", c.source.doc, c.source.start), reverse=True)
        feats.append({"type": "Feature", "geometry": geom, "properties": {
            "id": f"region:{reg.place.id}", "place_name": reg.place.name, "place_id": reg.place.id,
            "level": reg.place.level, "country": reg.place.country, "status": reg.status,
            "claim_count": len(claims), "latest": max((doc_dates.get(c.source.doc) or "" for c in claims), default="") or None,
            "claims": [dict(_source(c.source, f"{c.source.doc}:{c.source.start}"), cue=c.cue, status=c.status, past=c.past) for c in claims],
            # only past claims ("its former stronghold"): drawn fainter than an area claimed now
            "past": all(c.past for c in claims)}})
    return {"type": "FeatureCollection", "features": feats}


def to_geodataframe(fc: dict) -> gpd.GeoDataFrame:
    """A feature collection as a GeoDataFrame; list-valued properties become JSON text (as in a GeoPackage)."""
    import geopandas as gpd
    rows = []
    for f in fc["features"]:
        props = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in f["properties"].items()}
        rows.append(props)
    geoms = [shape(f["geometry"]) for f in fc["features"]]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326) if rows else gpd.GeoDataFrame(geometry=[], crs=4326)


def geojson_text(fc: dict) -> str:
    """A feature collection as RFC 7946 GeoJSON, one feature a line (compact JSON, sorted keys): a
    third of the size of indented JSON, and a rebuild's diff is one line per feature changed."""
    return "".join(geojson_lines(fc))


def geojson_lines(fc: dict):
    """:func:`geojson_text` piece by piece (its features may be a generator), for a file written as
    it is made."""
    compact = dict(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    head = {k: v for k, v in fc.items() if k != "features"}
    yield json.dumps(head, **compact)[:-1] + (',' if head else '') + '"features":[\n'
    ending = "]}\n"
    for n, f in enumerate(fc.get("features") or []):
        yield ("" if n == 0 else ",\n") + json.dumps(f, **compact)
        ending = "\n]}\n"
    yield ending


def csv_text(fc: dict, columns: list[str]) -> str:
    """A flat table for spreadsheets and QGIS (longitude/latitude columns, lists as JSON)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["longitude", "latitude", *columns])
    for f in fc["features"]:
        geom = shape(f["geometry"])
        pt = geom if geom.geom_type == "Point" else geom.representative_point()
        vals = [f["properties"].get(c) for c in columns]
        w.writerow(csvcells.row([round(pt.x, PRECISION_DIGITS), round(pt.y, PRECISION_DIGITS),
                    *[json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else ("" if v is None else v) for v in vals]]))
    return buf.getvalue()


MENTION_COLUMNS = ["id", "doc", "text", "start", "end", "place_name", "place_id", "level", "country", "precision",
                   "precision_words", "role", "cue", "citation", "url", "sentence", "correction"]
INCIDENT_COLUMNS = ["id", "date", "date_start", "date_end", "date_precision", "fatalities", "fatalities_range",
                    "attackers_killed", "injured", "type", "actor",
                    "place_name", "place_id", "level", "country", "precision", "precision_words", "sources",
                    "correction"]
LAYERS = ("mentions", "incidents", "regions")
#: ``build --format``: the exports written beside the maps. GeoJSON and ``incidents.csv`` always (the next
#: build compares with the GeoJSON; the incident table is what a spreadsheet opens); ``csv`` adds
#: ``mentions.csv``, every place mention as a row: a third of a build's bytes for a table that
#: ``mentions.geojson`` and ``geo-khorasan review`` give already, so only when asked for.
FORMATS = ("geojson", "csv", "gpkg", "parquet")
DEFAULT_FORMATS = ("geojson",)
GEOPACKAGE_NAME = "maps.gpkg"


class FormatError(ValueError):
    """An export format that is unknown or whose writer is not installed (one line)."""


def check_formats(formats) -> tuple[str, ...]:
    """The formats asked for, in a fixed order; :class:`FormatError` before any work starts."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise FormatError(f"build --format: unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    if "parquet" in formats:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise FormatError("build --format parquet: GeoParquet needs pyarrow: pip install pyarrow "
                              "(or geo_khorasan[parquet])") from None
    return tuple(f for f in FORMATS if f in formats or f == "geojson")


def _geometry_type(fc: dict) -> str | None:
    """One geometry type for a GeoPackage layer: a layer of points and polygons is declared mixed."""
    kinds = {f["geometry"]["type"].removeprefix("Multi") for f in fc["features"]}
    return None if len(kinds) == 1 else "Unknown"


def write_geopackage(path: Path, layers: dict[str, dict]) -> None:
    """All layers in one GeoPackage (written to a temporary file, then renamed); no timestamps,
    so the same layers give the same file."""
    import pyogrio

    tmp = path.with_name(f".{path.name}.tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})
    try:
        for name, fc in layers.items():
            kind = _geometry_type(fc)
            to_geodataframe(fc).to_file(tmp, layer=name, driver="GPKG", **({"geometry_type": kind} if kind else {}))
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    tmp.replace(path)


#: What the map's popup shows of a place mention but the exports leave to ``geo-khorasan review``
#: (every candidate with its id, score and reason; how the role was decided): three quarters of a
#: mention's bytes, and one more list per row for QGIS to show as text.
REVIEW_ONLY = ("candidates", "classification_rule")
#: Left out of ``mentions.geojson`` as what the others give: ``sentence_end`` is ``sentence_start``
#: plus the sentence's length, ``precision_words`` the words for ``precision`` and ``place_name``
#: (the tables, ``mentions.csv``, keep them for a reader without code).
DERIVED = ("sentence_end", "precision_words")


#: Properties most features leave empty: the GeoJSON files leave them out where they are null (a
#: reader takes a missing property as null; QGIS shows NULL), the tables keep every column.
#: ``sentence_end`` of a source or claim is its ``sentence_start`` plus the sentence's length.
OPTIONAL = frozenset({"citation", "url", "correction", "note"})
#: The optional properties each layer has (``read_maps`` gives them as columns even when all null).
ALWAYS_COLUMNS = {"mentions": OPTIONAL, "incidents": frozenset({"correction"}), "regions": frozenset({"correction"})}


def exported_mentions(mentions: dict, leave_out=REVIEW_ONLY + DERIVED) -> dict:
    """The mention layer as the GeoPackage and GeoParquet files hold it: each feature without the
    properties ``leave_out`` names."""
    return {**mentions, "features": [{**f, "properties": {k: v for k, v in f["properties"].items() if k not in leave_out}}
                                     for f in mentions["features"]]}


def _lean(props: dict, leave_out=frozenset()) -> dict:
    return {k: v for k, v in props.items() if k not in leave_out and not (v is None and k in OPTIONAL)}


def lean_geojson(fc: dict, leave_out=frozenset()) -> dict:
    """A layer as its GeoJSON file holds it: without the properties ``leave_out`` names and the null
    optional ones, and in each feature's ``sources`` or ``claims`` without the derived
    ``sentence_end``. Its features are made one at a time as the file is written (a build's
    mentions are many)."""
    def features():
        for f in fc["features"]:
            props = _lean(f["properties"], leave_out)
            for key in ("sources", "claims"):
                if isinstance(props.get(key), list):
                    props[key] = [_lean(s, {"sentence_end"}) if isinstance(s, dict) else s for s in props[key]]
            yield {**f, "properties": props}
    return {**fc, "features": features()}


def write_exports(out: Path, mentions: dict, incidents: dict, regions: dict, formats=DEFAULT_FORMATS) -> None:
    layers = dict(zip(LAYERS, (mentions, incidents, regions)))
    for name, fc in layers.items():
        leave_out = frozenset(REVIEW_ONLY + DERIVED) if name == "mentions" else frozenset()
        atomic.write_lines(out / f"{name}.geojson", geojson_lines(lean_geojson(fc, leave_out)))
    atomic.write_text(out / "incidents.csv", csv_text(incidents, INCIDENT_COLUMNS))
    if "csv" in formats:
        atomic.write_text(out / "mentions.csv", csv_text(mentions, MENTION_COLUMNS))
    if "gpkg" in formats or "parquet" in formats:
        layers["mentions"] = exported_mentions(mentions)
    if "gpkg" in formats:
        write_geopackage(out / GEOPACKAGE_NAME, layers)
    if "parquet" in formats:
        for name, fc in layers.items():
            tmp = out / f".{name}.parquet.tmp"
            to_geodataframe(fc).to_parquet(tmp, index=False)
            tmp.replace(out / f"{name}.parquet")


class Maps(NamedTuple):
    """The three layers of a build, as GeoDataFrames (EPSG:4326)."""
    mentions: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame


def read_maps(folder: str | Path = "maps") -> Maps:
    """The mentions, incidents and regions a build wrote to ``folder``, as GeoDataFrames:
    list-valued properties as JSON text (as in the GeoPackage), ``date_start``/``date_end`` as
    pandas datetimes. ``mentions, incidents, regions = read_maps("maps/")``."""
    import pandas as pd

    folder = Path(folder)
    frames = []
    for name in LAYERS:
        path = folder / f"{name}.geojson"
        try:
            fc = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{path}: not found: is {folder} the output folder of a build?") from None
        gdf = to_geodataframe(fc)
        for col in sorted(ALWAYS_COLUMNS[name] - set(gdf.columns)):
            gdf[col] = None  # left out of the file where null: the columns stay those of every build
        for col in ("date_start", "date_end"):
            if col in gdf:
                gdf[col] = pd.to_datetime(gdf[col], format="%Y-%m-%d")
        frames.append(gdf)
    return Maps(*frames)
