"""Exports: GeoJSON feature collections (the contract the maps and users read), CSV and
GeoPackage, and the same layers as GeoDataFrames."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape

from . import atomic, csvcells
from .assemble import ClassifiedMention
from .gazetteer.index import Gazetteer
from .records import Incident, Region, Source
from .resolve import precision_words

PRECISION_DIGITS = 5  # ~1 m: more would only be noise, and keeps files small


def _round(obj):
    if isinstance(obj, float):
        return round(obj, PRECISION_DIGITS)
    if isinstance(obj, (list, tuple)):
        return [_round(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


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


def incident_features(incidents: list[Incident]) -> dict:
    feats = []
    for inc in incidents:
        feats.append({"type": "Feature", "geometry": _point(inc.place), "properties": {
            "id": inc.id, "date": inc.date, "fatalities": inc.fatalities, "injured": inc.injured, "type": inc.type,
            "actor": inc.actor, "place_name": inc.place.name, "place_id": inc.place.id, "level": inc.place.level,
            "country": inc.place.country, "precision": inc.precision,
            "precision_words": precision_words(inc.precision, inc.place), "rules": list(inc.rules),
            "sources": [_source(s, f"{s.doc}:{s.start}") for s in inc.sources]}})
    return {"type": "FeatureCollection", "features": feats}


def region_features(regions: list[Region], gaz: Gazetteer, doc_dates: dict[str, str | None]) -> dict:
    feats = []
    for reg in regions:
        poly = gaz.polygon(reg.place.id) if reg.place.has_polygon else None
        geom = _round(mapping(shapely.set_precision(poly, 10 ** -PRECISION_DIGITS))) if poly is not None else _point(reg.place)
        claims = sorted(reg.claims, key=lambda c: (doc_dates.get(c.source.doc) or "", c.source.doc, c.source.start), reverse=True)
        feats.append({"type": "Feature", "geometry": geom, "properties": {
            "id": f"region:{reg.place.id}", "place_name": reg.place.name, "place_id": reg.place.id,
            "level": reg.place.level, "country": reg.place.country, "status": reg.status,
            "claim_count": len(claims), "latest": max((doc_dates.get(c.source.doc) or "" for c in claims), default="") or None,
            "claims": [dict(_source(c.source, f"{c.source.doc}:{c.source.start}"), cue=c.cue, status=c.status) for c in claims]}})
    return {"type": "FeatureCollection", "features": feats}


def to_geodataframe(fc: dict) -> gpd.GeoDataFrame:
    """A feature collection as a GeoDataFrame; list-valued properties become JSON text (as in a GeoPackage)."""
    rows = []
    for f in fc["features"]:
        props = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in f["properties"].items()}
        rows.append(props)
    geoms = [shape(f["geometry"]) for f in fc["features"]]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326) if rows else gpd.GeoDataFrame(geometry=[], crs=4326)


def geojson_text(fc: dict) -> str:
    return json.dumps(fc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


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
                   "role", "cue", "citation", "url", "sentence", "correction"]
INCIDENT_COLUMNS = ["id", "date", "fatalities", "injured", "type", "actor", "place_name", "place_id", "level",
                    "precision", "sources", "correction"]


def write_geopackage(path: Path, layers: dict[str, dict]) -> None:
    """All layers in one GeoPackage (written to a temporary file, then renamed)."""
    tmp = path.with_name(f".{path.name}.tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    for name, fc in layers.items():
        to_geodataframe(fc).to_file(tmp, layer=name, driver="GPKG")
    tmp.replace(path)


def write_exports(out: Path, mentions: dict, incidents: dict, regions: dict) -> None:
    atomic.write_text(out / "mentions.geojson", geojson_text(mentions))
    atomic.write_text(out / "incidents.geojson", geojson_text(incidents))
    atomic.write_text(out / "regions.geojson", geojson_text(regions))
    atomic.write_text(out / "mentions.csv", csv_text(mentions, MENTION_COLUMNS))
    atomic.write_text(out / "incidents.csv", csv_text(incidents, INCIDENT_COLUMNS))
