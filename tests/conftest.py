"""Shared fixtures. Names are prefixed by the layer they serve (``render_``)."""
from __future__ import annotations

import copy

import pytest

RENDER_INJECTED_SCRIPT = "<script>alert(1)</script>"
RENDER_INJECTED_IMG = "<img src=x onerror=alert(1)>"


def _render_sentences(text: str) -> list[list[int]]:
    """Spans ending after '.', like the real splitter's output."""
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] in " \n"):
            spans.append([start, i + 1])
            start = i + 1
            while start < len(text) and text[start] in " \n":
                start += 1
    return spans


def _render_source(doc: dict, words: str, *, occurrence: int = 0, **extra) -> dict:
    """A quote of ``words`` in ``doc``: offsets, sentence and links as the pipeline gives them."""
    text = doc["text"]
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    end = start + len(words)
    s_start, s_end = next((a, b) for a, b in doc["sentences"] if a <= start < b)
    return {
        "doc": doc["id"],
        "sentence": text[s_start:s_end],
        "start": start,
        "end": end,
        "sentence_start": s_start,
        "sentence_end": s_end,
        "text": words,
        "citation": f"{doc['outlet']}, {doc['date']}",
        "url": doc["url"],
        "mention_id": f"{doc['id']}:{start}",
        **extra,
    }


def _render_point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _render_square(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _render_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _render_build() -> dict:
    doc_a = {
        "id": "000_aaaa",
        "title": "Blast at a rally in Mastung",
        "outlet": "Dawn",
        "author": "Staff reporter",
        "date": "2018-07-14",
        "date_inferred": False,
        "url": "https://example.com/mastung",
        "text": (
            "A suicide bomber struck an election rally in Mastung on Friday, killing 128 people.\n"
            "Officials in Quetta said IS-K claimed the attack.\n\n"
            "The group has long been strong in Nangarhar, east of Kabul."
        ),
    }
    doc_b = {
        "id": "001_bbbb",
        "title": f"Report {RENDER_INJECTED_SCRIPT}",
        "outlet": "Example <b>News</b>",
        "author": None,
        "date": "2019",
        "date_inferred": True,
        "url": "javascript:alert(1)",
        "text": (
            f"Fighters {RENDER_INJECTED_IMG} attacked a checkpoint in Jalalabad.\n"
            f"They wrote </script>{RENDER_INJECTED_SCRIPT} on a wall. IS-K controls parts of Nangarhar."
        ),
    }
    for doc in (doc_a, doc_b):
        doc["sentences"] = _render_sentences(doc["text"])

    places = {
        "Mastung": ("geonames:1170395", "town", "PK", 66.84, 29.80, 1, "exact place"),
        "Quetta": ("geonames:1167528", "town", "PK", 66.99, 30.18, 1, "exact place"),
        "Jalalabad": ("geonames:1138336", "town", "AF", 70.45, 34.43, 3, "district-level: Jalalabad District"),
        "Nangarhar": ("geonames:1131256", "province", "AF", 70.6, 34.25, 4, "province-level: Nangarhar"),
        "Kabul": ("geonames:1138958", "town", "AF", 69.17, 34.53, 1, "exact place"),
    }

    def mention(doc: dict, words: str, role: str) -> dict:
        src = _render_source(doc, words)
        place_id, level, country, lon, lat, precision, precision_words = places[words]
        props = {
            "id": src["mention_id"],
            "doc": doc["id"],
            "text": words,
            "start": src["start"],
            "end": src["end"],
            "sentence": src["sentence"],
            "sentence_start": src["sentence_start"],
            "sentence_end": src["sentence_end"],
            "place_name": words,
            "place_id": place_id,
            "level": level,
            "country": country,
            "precision": precision,
            "precision_words": precision_words,
            "role": role,
            "citation": src["citation"],
            "url": doc["url"],
            "rule": "gazetteer-exact",
            "note": None,
            "candidates": [
                {"place_id": place_id, "place_name": words, "country": country, "level": level,
                 "score": 0.93, "why": "exact name <b>match</b>"},
            ],
        }
        return {"type": "Feature", "geometry": _render_point(lon, lat), "properties": props}

    mentions = [
        mention(doc_a, "Mastung", "incident"),
        mention(doc_a, "Quetta", "mention"),
        mention(doc_a, "Nangarhar", "contested"),
        mention(doc_a, "Kabul", "mention"),  # cited by no incident or region
        mention(doc_b, "Jalalabad", "incident"),
        mention(doc_b, "Nangarhar", "mention"),
    ]
    incidents = [
        {
            "type": "Feature",
            "geometry": _render_point(66.84, 29.80),
            "properties": {
                "id": "inc-mastung", "date": "2018-07-13", "fatalities": 128, "injured": 200,
                "type": "suicide bombing", "actor": "IS-K", "place_name": "Mastung",
                "place_id": "geonames:1170395", "level": "town", "precision": 1,
                "precision_words": "exact place", "sources": [_render_source(doc_a, "Mastung")],
                "correction": f"Toll is 128 killed, not 131 {RENDER_INJECTED_IMG}",
            },
        },
        {
            "type": "Feature",
            "geometry": _render_point(70.45, 34.43),
            "properties": {
                "id": "inc-jalalabad", "date": "2019-03", "fatalities": None, "injured": None,
                "type": "armed attack", "actor": None, "place_name": "Jalalabad",
                "place_id": "geonames:1138336", "level": "district", "precision": 3,
                "precision_words": "district-level: Jalalabad District",
                "sources": [_render_source(doc_b, "Jalalabad")],
            },
        },
    ]
    regions = [
        {
            "type": "Feature",
            "geometry": _render_square(70.0, 33.9, 71.2, 34.6),
            "properties": {
                "id": "reg-nangarhar", "place_name": "Nangarhar", "place_id": "geonames:1131256",
                "level": "province", "status": "stronghold",
                "claims": [
                    _render_source(doc_a, "Nangarhar", cue="strong in"),
                    _render_source(doc_b, "Nangarhar", cue="controls"),
                ],
            },
        },
        {
            "type": "Feature",
            "geometry": _render_point(66.99, 30.18),
            "properties": {
                "id": "reg-quetta", "place_name": "Quetta", "place_id": "geonames:1167528",
                "level": "town", "status": "hub", "claims": [_render_source(doc_a, "Quetta", cue="IS-K claimed")],
            },
        },
    ]
    documents = []
    for doc, counts in ((doc_a, (1, 2, 4)), (doc_b, (1, 1, 2))):
        documents.append({**doc, "counts": dict(zip(("incidents", "regions", "mentions"), counts))})
    basemap = {
        "countries": _render_collection([
            {"type": "Feature", "geometry": _render_square(60.5, 29.4, 74.9, 38.4), "properties": {"name": "Afghanistan"}},
            {"type": "Feature", "geometry": _render_square(61.0, 24.0, 75.0, 29.4), "properties": {"name": "Pakistan"}},
        ]),
        "provinces": _render_collection([
            {"type": "Feature", "geometry": _render_square(69.9, 33.8, 71.3, 34.7), "properties": {"name": "Nangarhar"}},
            {"type": "Feature", "geometry": _render_square(66.0, 29.0, 68.0, 31.0), "properties": {"name": "Balochistan"}},
        ]),
        "towns": _render_collection([
            {"type": "Feature", "geometry": _render_point(69.17, 34.53), "properties": {"name": "Kabul"}},
        ]),
    }
    return {
        "title": "IS-K reporting: all documents",
        "mentions": _render_collection(mentions),
        "incidents": _render_collection(incidents),
        "regions": _render_collection(regions),
        "documents": documents,
        "basemap": basemap,
        "attribution": "GeoNames (CC BY 4.0), geoBoundaries, © OpenStreetMap contributors (ODbL)",
        # The outline of Jalalabad's district, shown over its (district-level) incident.
        "areas": {"geonames:1138336": _render_square(70.3, 34.3, 70.6, 34.6)},
    }


_RENDER_FIXTURE = _render_build()


@pytest.fixture
def render_fixture() -> dict:
    """Keyword arguments for ``render_map``: two documents, one of them hostile."""
    return copy.deepcopy(_RENDER_FIXTURE)


def render_site_into(folder, inputs: dict) -> None:
    """``folder`` laid out like ``maps/``: index.html (the one map), documents.html (their
    table), ``<doc-id>.html`` (a redirect to the map filtered to it) and sources/<doc-id>.html
    (their texts)."""
    from geo_khorasan.render.map import render_map
    from geo_khorasan.render.pages import render_documents_page, render_redirect_page, render_source_page

    render_map(folder / "index.html", **inputs, document_maps=True, documents_href="documents.html")
    render_documents_page(folder / "documents.html", title="Documents", documents=inputs["documents"],
                          map_href="index.html", attribution=inputs["attribution"])
    for doc in inputs["documents"]:
        doc_id = doc["id"]
        render_redirect_page(folder / f"{doc_id}.html", doc_id=doc_id, title=doc["title"])
        render_source_page(
            folder / "sources" / f"{doc_id}.html",
            document=doc,
            mentions=[f for f in inputs["mentions"]["features"] if f["properties"]["doc"] == doc_id],
            map_href=f"index.html#doc={doc_id}",
            attribution=inputs["attribution"],
            documents_href="documents.html",
        )


@pytest.fixture
def render_payloads() -> dict:
    """The hostile strings planted in the second fixture document."""
    return {"script": RENDER_INJECTED_SCRIPT, "img": RENDER_INJECTED_IMG}


@pytest.fixture
def render_write_site():
    """``render_site_into``, for tests that render the fixture themselves."""
    return render_site_into


@pytest.fixture(scope="session")
def render_site(tmp_path_factory):
    """The fixture rendered once: a maps/ folder with the index map and source pages."""
    folder = tmp_path_factory.mktemp("maps")
    render_site_into(folder, copy.deepcopy(_RENDER_FIXTURE))
    return folder


# --- pipeline fixtures -------------------------------------------------------------------
import os  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED_GAZETTEER = Path(os.environ.get("GEO_KHORASAN_GAZETTEER", REPO.parent / "shared" / "gazetteer"))


@pytest.fixture(scope="session")
def gazetteer():
    """The index built from ../shared/gazetteer (built once, then reused from the user cache)."""
    from geo_khorasan.gazetteer.index import Gazetteer

    if not SHARED_GAZETTEER.is_dir():
        pytest.skip(f"{SHARED_GAZETTEER} not found: the gazetteer tests read the shared data in place")
    return Gazetteer.open(SHARED_GAZETTEER)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return REPO / "seeds"
