"""The whole pipeline: seeds folder in, maps folder out."""
from __future__ import annotations

import filecmp
import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import mapping

from . import atomic, changes, export, uptodate
from .assemble import incidents as assemble_incidents, regions as assemble_regions
from .cache import AnalysisCache, document_key, gazetteer_key
from .corpus import MAX_DOCUMENT_MB, read_corpus
from .corrections import CORRECTIONS_NAME, Corrections
from .gazetteer.index import Gazetteer
from .parallel import analyse_all
from .progress import bar, step
from .recognise import Recogniser
from .reading.datelines import anchor_date, document_date
from .reading.reader import Reader
from .records import ClassifiedMention, Document
from .resolve import Resolver, within_article_countries
from .staging import OutputError, Staging, checkpoint, files_under
from .uptodate import Stamp
from .vocabulary import THEATRE

log = logging.getLogger(__name__)

#: Countries drawn on the tile-free basemap: the theatre and its neighbours.
BASEMAP_COUNTRIES = ("AF", "PK", "IR", "IN", "TJ", "UZ", "TM", "CN", "KG", "KZ", "OM", "AE", "IQ", "AZ", "AM", "TR")
BASEMAP_PROVINCES = tuple(sorted(THEATRE))
BASEMAP_TOLERANCE = 0.01  # degrees (~1 km): outlines for orientation, not for measurement
#: Incidents located to this precision or vaguer get their area outlined on the map (district and up).
OUTLINE_FROM_PRECISION = 3


@dataclass
class BuildReport:
    documents: int = 0
    mentions: int = 0
    incidents: int = 0
    regions: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gazetteer_sources: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    analysed: int = 0  # documents analysed afresh; the others came from the analysis cache
    cached: int = 0
    corrections_applied: int = 0
    corrections_not_applied: int = 0
    changes: list[str] = field(default_factory=list)  # what changed since the previous build, one line each


def analyse(doc: Document, recogniser: Recogniser, resolver: Resolver) -> list[ClassifiedMention]:
    mentions = recogniser.mentions(doc)
    resolutions = within_article_countries(resolver.resolve_document(doc, mentions), resolver.gaz)
    return Reader(doc, anchor_date(doc))(resolutions)


def _simplified(gdf, tolerance=BASEMAP_TOLERANCE) -> dict:
    feats = []
    for name, country, geom in zip(gdf["name"], gdf["country"], gdf.geometry):
        g = geom.simplify(tolerance, preserve_topology=True)
        if g.is_empty:
            continue
        feats.append({"type": "Feature", "properties": {"name": name, "country": country},
                      "geometry": export._round(mapping(g))})
    return {"type": "FeatureCollection", "features": feats}


def basemap_layers(gaz: Gazetteer, more_countries=()) -> dict:
    """Countries, provinces and big towns of the theatre; ``more_countries`` (where an incident
    or a claimed area lies farther away, as Moscow) are added with coarser outlines."""
    all_countries = gaz.places(level="country", polygons=True)
    polygons = all_countries.geom_type != "Point"
    countries = all_countries[all_countries["country"].isin(BASEMAP_COUNTRIES) & polygons]
    farther = sorted(set(more_countries) - set(BASEMAP_COUNTRIES) - {None})
    if farther:
        far = _simplified(all_countries[all_countries["country"].isin(farther) & polygons], BASEMAP_TOLERANCE * 10)
        near = _simplified(countries)
        near["features"].extend(far["features"])
        countries_fc = near
    else:
        countries_fc = _simplified(countries)
    provinces = gaz.places(level="province", polygons=True)
    provinces = provinces[provinces["country"].isin(BASEMAP_PROVINCES) & (provinces.geom_type != "Point")]
    towns = gaz.places(level="town")
    towns = towns[towns["country"].isin(BASEMAP_PROVINCES) & (towns["population"].fillna(0) >= 300_000)]
    return {"countries": countries_fc, "provinces": _simplified(provinces), "towns": _simplified(towns)}


def map_attribution(gaz: Gazetteer) -> str:
    """Every gazetteer source the maps draw on, each with its licence."""
    parts: dict[str, None] = {}
    for source in gaz.sources():
        text = source.attribution or source.key
        if source.licence and source.licence not in text:
            text = f"{text} ({source.licence})"
        parts.setdefault(text)
    return ", ".join(parts) or gaz.attribution()


def incident_areas(incidents_fc: dict, gaz: Gazetteer) -> dict:
    """``place_id`` -> simplified outline of each district, province, region or country an
    incident is located to only approximately (for the map's hover outline)."""
    out = {}
    for f in incidents_fc["features"]:
        p = f["properties"]
        place_id = p.get("place_id")
        if place_id in out or (p.get("precision") or 0) < OUTLINE_FROM_PRECISION:
            continue
        place = gaz.get(place_id)
        poly = gaz.polygon(place_id) if place is not None and place.has_polygon else None
        if poly is None:
            continue
        tolerance = BASEMAP_TOLERANCE * (5 if p.get("level") == "country" else 1)
        g = poly.simplify(tolerance, preserve_topology=True)
        if not g.is_empty:
            out[place_id] = export._round(mapping(g))
    return out


def _document_dict(doc: Document, counts: dict) -> dict:
    date, inferred = document_date(doc)
    return {"id": doc.id, "title": doc.meta.title or doc.id, "outlet": doc.meta.outlet, "author": doc.meta.author,
            "date": date, "date_inferred": inferred, "url": doc.meta.url, "text": doc.text,
            "sentences": [list(s) for s in doc.sentences], "counts": counts}


def _by_document(fc: dict, key: str | None) -> dict[str, list[dict]]:
    """The features of ``fc`` under the id of each document they cite (``key``: the list of sources; None: ``doc``)."""
    out: dict[str, list[dict]] = {}
    for f in fc["features"]:
        p = f["properties"]
        for doc_id in [p["doc"]] if key is None else dict.fromkeys(s["doc"] for s in p[key]):
            out.setdefault(doc_id, []).append(f)
    return out


@dataclass
class Analysis:
    """Everything a build draws, before it is drawn."""
    docs: list[Document]
    classified: list[ClassifiedMention]
    corrections: Corrections
    mentions: dict  # feature collections, as exported
    incidents: dict
    regions: dict


def default_corrections(seeds: Path) -> Path:
    return Path(seeds) / CORRECTIONS_NAME


def analyse_corpus(seeds: Path, gaz: Gazetteer, report: BuildReport, *, progress: bool = False,
                   cache: AnalysisCache | None = None, corrections_file: Path | None = None,
                   max_document_bytes: int | None = MAX_DOCUMENT_MB * 2**20, jobs: int = 1,
                   client=None, docs: list[Document] | None = None) -> Analysis:
    """Read, analyse (from the cache where it holds the document), correct and assemble the corpus.
    The documents the cache lacks are analysed in this process (``jobs=1``), in ``jobs`` processes,
    or on the workers of a ``dask.distributed.Client`` (:mod:`geo_khorasan.parallel`).
    ``docs``: the documents of ``seeds`` when the caller has read them already.
    Raises CorpusError / CorrectionsError when the sidecar or the corrections file is unreadable."""
    if docs is None:
        docs = read_corpus(seeds, errors=report.errors, warnings=report.warnings, max_bytes=max_document_bytes)
    report.documents = len(docs)
    corrections = Corrections.read(corrections_file or default_corrections(seeds), docs, gaz)
    found_in: list[list[ClassifiedMention] | None] = [cache.get(doc) if cache else None for doc in docs]
    report.cached = sum(found is not None for found in found_in)
    todo = [i for i, found in enumerate(found_in) if found is None]
    failed = set()
    for i, result in zip(todo, analyse_all([docs[i] for i in todo], gaz, jobs=jobs, client=client, progress=progress)):
        doc = docs[i]
        if isinstance(result, str):  # the document could not be analysed: named, and left out
            report.errors.append(result)
            failed.add(i)
            continue
        found_in[i] = [ClassifiedMention(doc=doc, resolution=r, classification=c, citation=citation)
                       for r, c, citation in result]
        if cache:
            cache.put(doc, found_in[i])
        report.analysed += 1
    if failed:
        docs = [doc for i, doc in enumerate(docs) if i not in failed]
        report.documents = len(docs)
    classified: list[ClassifiedMention] = [cm for found in found_in if found for cm in found]
    if cache:
        report.warnings.extend(cache.warnings + ([cache.warning] if cache.warning else []))
    checkpoint("analysed")
    classified = corrections.apply_to_mentions(classified)
    placed = {cm.doc.id for cm in classified} | {cm.doc.id for cm, _ in corrections.dropped}
    report.warnings.extend(f"{doc.path}: no place names found" for doc in docs if doc.id not in placed)
    with step("assembling incidents and regions", enabled=progress):
        incidents = corrections.apply_to_incidents(assemble_incidents(classified, gaz), classified)
        regions = assemble_regions(classified, gaz)
    doc_dates = {d.id: document_date(d)[0] for d in docs}
    mentions_fc = export.mention_features(classified)
    incidents_fc = export.incident_features(incidents)
    regions_fc = export.region_features(regions, gaz, doc_dates)
    corrections.annotate(mentions_fc, incidents_fc, regions_fc)
    report.errors.extend(corrections.errors)
    report.corrections_applied, report.corrections_not_applied = corrections.applied, corrections.not_applied
    report.mentions, report.incidents, report.regions = len(mentions_fc["features"]), len(incidents), len(regions)
    return Analysis(docs, classified, corrections, mentions_fc, incidents_fc, regions_fc)


def build(seeds: Path, out: Path, gaz: Gazetteer | None = None, progress: bool = False, *,
          cache: AnalysisCache | None = None, corrections_file: Path | None = None,
          max_document_bytes: int | None = MAX_DOCUMENT_MB * 2**20, formats=export.DEFAULT_FORMATS,
          jobs: int = 1, client=None) -> BuildReport:
    """Read every document in ``seeds`` and write maps, source pages and exports to ``out``.

    ``gaz``: default the gazetteer the command line uses (``Gazetteer.open()``); ``formats``: the
    exports beside the maps (:data:`geo_khorasan.export.FORMATS`); ``jobs``: processes reading the
    documents (``geo-khorasan build`` uses every core), or ``client``, a ``dask.distributed.Client``
    whose workers read them. The output is the same bytes either way. Everything is written to a
    staging folder first and swapped in at the end, so that a build that fails or is interrupted
    leaves the previous maps intact. When no document can be read, nothing is written."""
    from .render.assets import libraries

    formats = export.check_formats(formats)
    libraries()  # a missing library (AssetsNotFound) stops the build before any work
    gaz = gaz if gaz is not None else Gazetteer.open()
    report = BuildReport(gazetteer_sources=[f"{s.key} ({s.licence})" for s in gaz.sources()], warnings=list(gaz.warnings))
    seeds, out = Path(seeds), Path(out)
    here, there = out.resolve(), seeds.resolve()
    if here == there:
        raise OutputError(f"{out}: is the seeds folder; write the maps elsewhere (--out)")
    if here.is_relative_to(there) or there.is_relative_to(here):
        where = "is inside" if here.is_relative_to(there) else "holds"
        raise OutputError(f"{out}: {where} the seeds folder {seeds}; write the maps elsewhere (--out)")
    with Staging(out) as stage:  # an unusable output folder fails here, before any work
        stamp = None
        if cache is not None:
            stamp = Stamp(cache, out, seeds, corrections_file or default_corrections(seeds), gaz, formats,
                          max_document_bytes)
            if _said_again(stamp.unread(), report, read=True):
                return report  # nothing changed in the folder: the maps are what this build would write
        first = len(report.errors), len(report.warnings)
        docs = read_corpus(seeds, errors=report.errors, warnings=report.warnings, max_bytes=max_document_bytes)
        read = len(report.errors), len(report.warnings)  # what reading said; the analysis says the rest
        if stamp is not None and docs and _said_again(stamp.read(docs), report, read=False):
            return report  # the same documents: the same maps
        a = analyse_corpus(seeds, gaz, report, progress=progress, cache=cache, corrections_file=corrections_file,
                           max_document_bytes=max_document_bytes, jobs=jobs, client=client, docs=docs)
        if not a.docs:
            report.errors.append(f"{seeds}: no document could be read; {out} left unchanged")
            return report
        _write(stage.path, a, gaz, progress, formats, cache)
        checkpoint("written")
        previous = changes.previous(out)
        report.written = stage.commit()
        report.changes = changes.summary(previous, changes.documents_manifest(a.docs, document_key),
                                         a.incidents, a.regions)
        if stamp is not None:
            unusable = set(cache.warnings) | {cache.warning}  # of this build's cache only: not said again
            stamp.record(report, {"read_errors": report.errors[first[0]:read[0]],
                                  "read_warnings": report.warnings[first[1]:read[1]],
                                  "errors": report.errors[read[0]:],
                                  "warnings": [w for w in report.warnings[read[1]:] if w not in unusable]})
    return report


def _said_again(previous: dict | None, report: BuildReport, *, read: bool) -> bool:
    """``report`` as the previous build's, when there is one to say again (nothing analysed, nothing
    written); ``read``: with what reading the folder said (this build did not read it)."""
    if previous is None:
        return False
    if read:
        report.errors.extend(previous["read_errors"])
        report.warnings.extend(previous["read_warnings"])
    report.errors.extend(previous["errors"])
    report.warnings.extend(previous["warnings"])
    for k in ("documents", "mentions", "incidents", "regions", "corrections_applied", "corrections_not_applied"):
        setattr(report, k, previous[k])
    report.cached = report.documents
    return True


def _basemap(gaz: Gazetteer, more_countries, cache: AnalysisCache | None) -> dict:
    """:func:`basemap_layers`, kept in the analysis cache: the same for every build with this gazetteer and code."""
    more = sorted(c for c in set(more_countries) if c)
    if cache is None:
        return basemap_layers(gaz, more)
    key = hashlib.sha256(json.dumps([gazetteer_key(gaz), more]).encode()).hexdigest()
    path = cache.folder / "basemap" / f"{key}.json"
    try:
        entry = json.loads(path.read_text("utf-8"))
        if entry.get("key") == key and set(entry.get("layers") or ()) == {"countries", "provinces", "towns"}:
            return entry["layers"]
    except (OSError, ValueError, AttributeError):
        pass  # not there yet, or unusable: drawn again
    layers = basemap_layers(gaz, more)
    try:
        atomic.write_text(path, json.dumps({"key": key, "layers": layers}, separators=(",", ":")))
    except OSError:
        pass  # the cache's own warning says it cannot be written
    return layers


def _write(out: Path, a: Analysis, gaz: Gazetteer, progress: bool, formats=export.DEFAULT_FORMATS,
           cache: AnalysisCache | None = None) -> None:
    from .render.map import render_map
    from .render.pages import render_documents_page, render_redirect_page, render_source_page

    mentions_fc, incidents_fc, regions_fc = a.mentions, a.incidents, a.regions
    export.write_exports(out, mentions_fc, incidents_fc, regions_fc, formats)
    manifest = changes.documents_manifest(a.docs, document_key)
    atomic.write_text(out / changes.DOCUMENTS_FILE, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    base = _basemap(gaz, {f["properties"].get("country") for f in incidents_fc["features"] + regions_fc["features"]},
                    cache)
    attribution = map_attribution(gaz)
    mentions_of = _by_document(mentions_fc, None)
    incidents_of, regions_of = _by_document(incidents_fc, "sources"), _by_document(regions_fc, "claims")
    documents = []
    for doc in a.docs:
        counts = {"mentions": len(mentions_of.get(doc.id, ())), "incidents": len(incidents_of.get(doc.id, ())),
                  "regions": len(regions_of.get(doc.id, ()))}
        documents.append(_document_dict(doc, counts))
    areas = incident_areas(incidents_fc, gaz)
    render_documents_page(out / "documents.html", title="IS-K reporting: documents", documents=documents,
                          map_href="index.html", attribution=attribution)
    steps = [("index.html", None)] + [(f"{d['id']}.html", d) for d in documents]
    for name, d in bar(steps, enabled=progress, desc="drawing maps", unit="page"):
        if d is None:
            render_map(out / name, title="IS-K reporting: all documents", mentions=mentions_fc, incidents=incidents_fc,
                       regions=regions_fc, documents=documents, basemap=base, attribution=attribution, areas=areas,
                       document_maps=True, documents_href="documents.html")
        else:
            # One map for all: a document's own page sends the reader to it, filtered to the document.
            render_redirect_page(out / name, doc_id=d["id"], title=d["title"], map_href="index.html")
            render_source_page(out / "sources" / f"{d['id']}.html", document=d,
                               mentions=[f["properties"] for f in mentions_of.get(d["id"], ())],
                               map_href=f"index.html#doc={d['id']}", attribution=attribution,
                               documents_href="documents.html")
            checkpoint(f"rendered {d['id']}")


def check(seeds: Path, out: Path, gaz: Gazetteer, **options) -> list[str]:
    """Files in ``out`` that a fresh build would change (added, removed or different)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "maps"
        report = build(seeds, fresh, gaz, **options)
        if options.get("cache") is not None:
            uptodate.forget(options["cache"], fresh)
        if not report.documents:
            raise CheckError(report.errors[-1] if report.errors else f"{seeds}: no document could be read")
        a, b = files_under(fresh), files_under(Path(out))
        changed = sorted((a ^ b) | {f for f in a & b if not filecmp.cmp(fresh / f, Path(out) / f, shallow=False)})
    return changed


class CheckError(RuntimeError):
    """``--check`` could not build anything to compare with."""


def report_json(report: BuildReport) -> str:
    return json.dumps(report.__dict__, indent=1, sort_keys=True)

