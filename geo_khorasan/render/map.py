"""One offline, self-contained HTML map from GeoJSON layers and their sources.

folium assembles the map (map, panes, feature groups, layer switcher, scale);
our MacroElements call the small script in ``templates/map.js``, which draws
every feature from one JSON data block, builds popups with ``textContent``
only, and fits the view to the data. Leaflet and leaflet.markercluster are
inlined from the XStatic packages, and folium's CDN links are never emitted.
"""
from __future__ import annotations

import base64
import gzip
import itertools
import json
import math
import re
from collections import OrderedDict
from urllib.parse import quote

import folium
import jinja2
from branca.element import Element, Figure, MacroElement
from folium.map import CustomPane, FeatureGroup, LayerControl
from folium.template import Template
from markupsafe import Markup

from geo_khorasan.atomic import write_text
from geo_khorasan.render import assets, style
from geo_khorasan.vocabulary import PRECISION_WORDS

#: The palette lives in style.py; these names stay for callers of this module.
STATUS_COLORS = style.STATUS_COLORS
UNKNOWN_COLOR = style.UNKNOWN_STATUS_COLOR

#: Precision codes from this value up are areas, not points: drawn hollow and dashed.
APPROXIMATE_FROM = 3

#: Shown when neither the data nor the basemap has coordinates (Afghanistan-Pakistan).
DEFAULT_BOUNDS = [[24.0, 60.0], [38.5, 75.0]]

#: The theatre: the default view is the extent of the places inside this box (south-west,
#: north-east), so that one attack in Moscow does not shrink Khorasan into a corner; the
#: "fit all" button shows the far points too.
THEATRE = [[23.0, 56.0], [42.0, 80.0]]

_PAGE = jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(
    assets.template_text("map.html")
)


class _Map(folium.Map):
    """folium.Map without its CDN resources, jQuery snippet and global switches."""

    default_js: list = []
    default_css: list = []
    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div class="gk-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {{ this.options|tojavascript }}
            );
            {%- if this.control_scale %}
            L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )


class _Draw(MacroElement):
    """Draws one kind of feature from the data block into its parent FeatureGroup."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            GK.draw({{ this.map.get_name() }}, {{ this._parent.get_name() }}, {{ this.kind|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, fmap: folium.Map, kind: str):
        super().__init__()
        self._name = "Draw"
        self.map = fmap
        self.kind = kind


class _Call(MacroElement):
    """``GK.<function>(map)``: one of the controls or the start-up step of map.js."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            GK.{{ this.function }}({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, function: str):
        super().__init__()
        self._name = "GK_" + function
        self.function = function


#: The map's data block, as :func:`data_block` writes it.
DATA_BLOCK = re.compile(r'<script type="application/gzip" id="gk-data" data-encoding="base64">(.*?)</script>', re.S)


def data_block(data: dict) -> str:
    """The data as the page carries it: sorted compact JSON, gzipped (no time stamp: same data, same
    bytes) and base64-encoded. The JSON repeats field names and numbers' digits: gzip takes it to a
    quarter, base64 adds a third back; map.js inflates it in the browser. Level 6: level 9 is three
    times the time for 2% fewer bytes."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)).decode("ascii")


def map_data(page: str) -> dict:
    """The data block of a map page read back (for tests, benchmarks and scripts of one's own)."""
    block = DATA_BLOCK.search(page)
    if block is None:
        raise ValueError("not a geo_khorasan map page: no data block")
    return json.loads(gzip.decompress(base64.b64decode(block.group(1))))


def render_map(path, **options) -> None:
    """Write the map as one HTML file; ``options`` are those of :func:`map_html`."""
    write_text(path, map_html(**options))


def map_html(
    *,
    title: str,
    mentions: dict,
    incidents: dict,
    regions: dict,
    documents: list[dict],
    basemap: dict,
    attribution: str,
    sources_dir: str = "sources",
    areas: dict | None = None,
    all_documents: list[dict] | None = None,
    document_maps: bool = False,
    index_href: str | None = None,
    documents_href: str | None = None,
) -> str:
    """The map page: same inputs, same bytes.

    ``documents`` are the documents this map is about (the document filter and
    list); ``all_documents`` (default: ``documents``) are looked up for the
    title, outlet, date and sentence of a quote from another document, as when
    an area on one document's map is also claimed by others. ``areas`` maps a
    ``place_id`` to its GeoJSON geometry: the outline shown when the pointer is
    over an incident located only to that district, province or country.
    ``document_maps`` links each listed document to its own map
    (``<doc-id>.html`` beside this one); ``index_href`` and ``documents_href``
    link to the map of all documents and to the table of documents.
    """
    library = assets.libraries()
    docs = {str(d.get("id")): d for d in (all_documents if all_documents is not None else documents) or []}
    docs.update({str(d.get("id")): d for d in documents or []})
    data = _payload(
        title=title,
        mentions=mentions,
        incidents=incidents,
        regions=regions,
        docs=docs,
        documents=documents or [],
        basemap=basemap or {},
        attribution=attribution,
        sources_dir=sources_dir,
        areas=areas or {},
        document_maps=document_maps,
    )
    data["links"] = {
        "index": _relative_href(index_href),
        "documents": _relative_href(documents_href),
    }
    figure = _assemble(data)
    _number_elements(figure)
    for child in figure._children.values():
        child.render()
    header = figure.header.render()
    body = figure.html.render()
    script = _compact(figure.script.render())
    # Every executable script is one of the three below, each allowed by its hash.
    if "<script" in (header + body).lower():
        raise RuntimeError("a folium element emitted a <script> outside the hashed blocks")
    app_js = assets.safe_script_text(assets.template_text("map.js"))
    # The page's own script runs once map.js has read the data block (GKpage).
    script = assets.safe_script_text("GKpage(function () {\n" + script + "\n});")
    scripts = [library.js, app_js, script]
    return _PAGE.render(
        csp=assets.content_security_policy(scripts=scripts, tiles=True),
        title=title or "",
        library_css=Markup(library.css),
        app_css=Markup(assets.safe_style_text(assets.template_text("map.css"))),
        header=Markup(header),
        body=Markup(body),
        data=Markup(data_block(data)),
        library_js=Markup(library.js),
        app_js=Markup(app_js),
        script=Markup(script),
    )


def _assemble(data: dict) -> Figure:
    fmap = _Map(location=None, tiles=None, control_scale=True, zoom_control=True)
    (south, west), (north, east) = data["bounds"]
    fmap.options = {
        "center": [_round((south + north) / 2), _round((west + east) / 2)],
        "zoom": 5,
        "maxZoom": 14,  # markercluster needs a finite maxZoom, and there are no tiles to set one
        "minZoom": 2,
        "zoomSnap": 0.5,
        "zoomControl": True,
    }
    figure = Figure()
    figure.header._children.clear()  # its content-type <meta>: map.html has <meta charset>
    figure.add_child(fmap)

    # Land below the optional tiles; region shapes below incident markers.
    CustomPane("gkLand", z_index=150, pointer_events=False).add_to(fmap)
    CustomPane("gkRegions", z_index=350, pointer_events=True).add_to(fmap)

    counts = {"incidents": len(data["incidents"]["rows"]), "regions": len(data["regions"]["rows"]),
              "mentions": len(data["mentions"]["rows"])}
    layers = (
        ("countries", "Countries", True),
        ("provinces", "Provinces", True),
        ("towns", "Towns", True),
        ("regions", f"IS-K areas claimed ({counts['regions']})", True),
        ("incidents", f"Incidents ({counts['incidents']})", True),
        ("mentions", f"All place mentions ({counts['mentions']})", False),
    )
    for kind, label, show in layers:
        group = FeatureGroup(name=label, overlay=True, show=show).add_to(fmap)
        group.add_child(_Draw(fmap, kind))
    folium.TileLayer(
        tiles=assets.TILE_URL,
        attr="© OpenStreetMap contributors",
        name="OpenStreetMap tiles (online)",
        overlay=True,
        show=False,
        max_zoom=19,
        subdomains="",
    ).add_to(fmap)
    fmap.add_child(_Call("panel"))  # the side panel (a bottom sheet on a phone), beside the map
    LayerControl(position="topright", collapsed=False).add_to(fmap)  # moved into the panel by start()
    for function in ("fullscreen", "fitAll", "attribution"):
        fmap.add_child(_Call(function))
    # start() applies the address's state, or fits the view to data["bounds"] (the theatre).
    fmap.add_child(_Call("start"))
    return figure


def _number_elements(figure: Figure) -> None:
    """Replace branca's random element ids with a counter, for identical output."""
    counter = itertools.count(1)

    def visit(element: Element) -> None:
        element._id = str(next(counter))
        renamed: OrderedDict = OrderedDict()
        for key, child in element._children.items():
            old_name = child.get_name()
            visit(child)
            renamed[child.get_name() if key == old_name else key] = child
        element._children = renamed

    for element in (figure, figure.header, figure.html, figure.script):
        visit(element)


def _compact(script: str) -> str:
    return "\n".join(line.rstrip() for line in script.splitlines() if line.strip()) + "\n"


# --- the data block --------------------------------------------------------


def _payload(
    *, title, mentions, incidents, regions, docs, documents, basemap, attribution, sources_dir, areas, document_maps
) -> dict:
    sources_prefix = quote(str(sources_dir or "").rstrip("/"), safe="/")
    sources_prefix = sources_prefix + "/" if sources_prefix else ""

    incident_rows = [_incident(f, docs, sources_prefix) for f in _features(incidents)]
    incident_rows = [row for row in incident_rows if row]
    present = {row["type"] for row in incident_rows}
    types = [t for t in style.INCIDENT_COLORS if t in present] + sorted(present - set(style.INCIDENT_COLORS))
    for row in incident_rows:
        row["color"] = style.incident_color(row["type"])
    # In id order, which breaks ties in the table (map.js draws big circles first).
    incident_rows.sort(key=lambda row: row["id"])

    # Outlines of the places that incidents are located to only approximately.
    outlines = {}
    for row in incident_rows:
        place_id = row.pop("place_id")
        geometry = _area_geometry({"geometry": areas.get(place_id)}) if row["approx"] and place_id else None
        if geometry is not None:
            outlines[place_id] = geometry
            row["area"] = place_id

    region_rows = [_region(f, docs, sources_prefix) for f in _features(regions)]
    region_rows = sorted((row for row in region_rows if row), key=lambda row: row["id"])
    # Mentions are many (30 an article, each with its candidates): made and packed one at a time, in
    # id order, so that only their positions (for the extent) stay in memory.
    mention_order = sorted(_features(mentions), key=lambda f: _text(_props(f).get("id")) or "")
    mention_points: list[dict] = []

    def mention_rows():
        for feature in mention_order:
            row = _mention(feature, docs, sources_prefix)
            if row:
                mention_points.append({"lat": row["lat"], "lon": row["lon"]})
                yield row

    base = {kind: _basemap_layer(basemap.get(kind), kind) for kind in ("countries", "provinces", "towns")}
    statuses = {row["status"] for row in region_rows}
    type_counts = {t: sum(row["type"] == t for row in incident_rows) for t in types}
    legend = {
        "types": [{"label": t, "color": style.incident_color(t), "count": type_counts[t]} for t in types],
        "statuses": [{"label": s, "color": c} for s, c in STATUS_COLORS.items() if s in statuses]
        + [{"label": s, "color": UNKNOWN_COLOR} for s in sorted(statuses - set(STATUS_COLORS))],
    }
    styles = {"town": style.TOWN_STYLE, "approximate": style.APPROXIMATE_STYLE, "exact": style.EXACT_STYLE}
    months = [m for row in incident_rows for m in (row["t0"], row["t1"]) if m is not None]
    months += [m for row in region_rows for span in row["spans"] for m in span]
    time = None
    if months:
        time = {
            "min": min(months),
            "max": max(months),
            "undated": sum(row["t0"] is None for row in incident_rows),
        }
    packer = _Packer([_document_entry(d, sources_prefix, document_maps) for d in documents], docs, sources_prefix)
    packed = {
        "incidents": packer.table(incident_rows, INCIDENT_FIELDS, INCIDENT_STRINGS, ("sources",)),
        "regions": packer.table(region_rows, REGION_FIELDS, REGION_STRINGS, ("claims",)),
        "mentions": packer.mentions(mention_rows()),
    }
    return {
        "title": _text(title),
        "attribution": assets.escape(attribution),
        "documents": packer.documents,
        "cited": packer.cited,
        **packed,
        **packer.block(),
        "draw": {"dots": len(incident_rows) >= DOTS_FROM, "cells_above": CELLS_ABOVE},
        "areas": {place_id: _packed_geometry(g) for place_id, g in outlines.items()},
        "basemap": {kind: rows if kind == "towns" else [_packed_geometry(f["geometry"]) for f in rows]
                    for kind, rows in base.items()},
        "legend": legend,
        "styles": styles,
        "time": time,
        "latest": max((d for d in (_text(doc.get("date")) for doc in docs.values()) if d), default=None),
        "bounds": _bounds(incident_rows, region_rows, mention_points, base, THEATRE),
        "all_bounds": _bounds(incident_rows, region_rows, mention_points, base),
    }


#: From this many incidents up they are drawn as dots on one canvas, not as one SVG marker
#: each in clusters: a filter step redraws the canvas instead of adding and removing
#: thousands of DOM nodes. Dots take no Tab focus; the incident table is the keyboard path.
DOTS_FROM = 2000
#: Dots are counted in cells (a grey disc with a number, as a cluster) while more than this
#: many are in view: drawing more big, overlapping circles takes a software canvas (Chromium
#: without a GPU) longer than a filter step may (about 30 ms for 2,000, 100 ms for 4,000).
CELLS_ABOVE = 2000

class _Packer:
    """The data block's incidents, regions and place mentions, each thing in it once.

    Every string (a type, a place name, a sentence, a rule) is in ``strings`` once, rows hold its
    index (0: null). A quoted sentence with its document, mark, citation and links is one row of
    ``quotes``, referred to by every incident, area and mention citing it, with the cue that
    made it a claim beside the reference (``[quote, cue]``); its title, outlet, date and links
    come from the document's entry (``documents``, then ``cited``: documents quoted but not
    listed). A place (id, name, level, country, position) is one row of ``places``, a list of
    candidates one row of ``candidates``. map.js reads the rows back as the objects
    ``_incident``, ``_region``, ``_mention`` and ``_quote`` make; tests/test_render.py too."""

    #: Fields of the quote rows; ``link``: 0 when the quote's href and url_text are its
    #: document's, else ``[href, url_text]``; ``mention``: -1 when it is ``<doc>:<start>``.
    QUOTE_FIELDS = ("doc", "sentence", "a", "b", "anchor", "citation", "link", "mention")

    def __init__(self, documents: list[dict], docs: dict, sources_prefix: str):
        self.strings: list[str | None] = [None]
        self._strings: dict[str, int] = {}
        self.documents = documents
        self.cited: list[dict] = []
        self._docs = {entry["id"]: i for i, entry in enumerate(documents)}
        self._lookup, self._prefix = docs, sources_prefix
        self.quotes: list[list] = []
        self._quotes: dict[str, int] = {}
        self.places: list[list] = []
        self._places: dict[tuple, int] = {}
        self._named: dict[tuple, int] = {}
        self.candidates: list[list] = []
        self._candidates: dict[str, int] = {}

    def ref(self, value):
        """The index of a string (0 for None); a list of them for a list."""
        if value is None:
            return 0
        if isinstance(value, (list, tuple)):
            return [self.ref(v) for v in value]
        k = self._strings.get(value)
        if k is None:
            k = self._strings[value] = len(self.strings)
            self.strings.append(value)
        return k

    def _doc(self, doc_id: str) -> int:
        k = self._docs.get(doc_id)
        if k is None:
            entry = _document_entry(self._lookup.get(doc_id) or {"id": doc_id}, self._prefix, False)
            entry["id"] = doc_id
            k = self._docs[doc_id] = len(self.documents) + len(self.cited)
            self.cited.append(entry)
        return k

    def entry(self, k: int) -> dict:
        return self.documents[k] if k < len(self.documents) else self.cited[k - len(self.documents)]

    def quote(self, q: dict) -> list:
        """``[quote, cue]`` for a quote made by :func:`_quote`."""
        k = self._doc(q["doc"])
        entry = self.entry(k)
        a, b = q["mark"] if q["mark"] else (None, None)
        anchor = _anchor(q["source_href"])
        link = 0 if (q["href"], q["url_text"]) == (entry["href"], entry["url_text"]) else self.ref([q["href"], q["url_text"]])
        mention = q["mention_id"]
        if mention is not None and anchor is not None and a is not None and mention == f"{q['doc']}:{anchor + a}":
            mention = -1
        else:
            mention = self.ref(mention)
        row = [k, self.ref(q["sentence"]), a, b, anchor, self.ref(q["citation"]), link, mention]
        key = repr(row)
        index = self._quotes.get(key)
        if index is None:
            index = self._quotes[key] = len(self.quotes)
            self.quotes.append(row)
        return [index, self.ref(q["cue"])]

    def quote_list(self, quotes: list[dict]) -> list:
        return [x for q in quotes for x in self.quote(q)]

    def place(self, place_id, name, level, country, lat=None, lon=None) -> int:
        named = (place_id, name, level, country)
        key = named + (lat, lon)
        k = self._places.get(key) if lat is not None else self._named.get(named)
        if k is None:
            k = self._places[key] = len(self.places)
            self._named.setdefault(named, k)
            self.places.append([*self.ref(list(named)), _fixed(lat), _fixed(lon)])
        return k

    def candidate_list(self, candidates: list[dict]) -> int:
        row = []
        for c in candidates:
            row += [self.place(c["place_id"], c["place"], c["level"], c["country"]), c["score"], self.ref(c["why"])]
        key = repr(row)
        k = self._candidates.get(key)
        if k is None:
            k = self._candidates[key] = len(self.candidates)
            self.candidates.append(row)
        return k

    def table(self, rows: list[dict], fields: tuple, strings_in: tuple, quotes_in: tuple = (), one: tuple = ()) -> dict:
        """Rows as lists under one list of field names: ``strings_in`` fields as string indexes,
        ``quotes_in`` as ``[quote, cue, ...]`` (``one``: a single quote)."""
        packed = []
        for row in rows:
            values = []
            for name in fields:
                value = row[name]
                if name == "geometry":
                    value = _packed_geometry(value)
                elif name in quotes_in:
                    value = self.quote(value) if name in one else self.quote_list(value)
                elif name in strings_in:
                    value = self.ref(value)
                values.append(value)
            packed.append(values)
        return {"fields": list(fields), "strings_in": sorted(strings_in), "quotes_in": sorted(quotes_in),
                "one": sorted(one), "rows": packed}

    def mentions(self, rows) -> dict:
        """Place mentions: ``[quote, cue, place, precision, precision_words, role, rule, note,
        correction, candidates]`` each (id, document and position from the quote and place)."""
        packed = []
        for m in rows:
            quote, cue = self.quote(m["quote"])
            place = self.place(m["place_id"], m["place"], m["level"], m["country"], m["lat"], m["lon"])
            packed.append([quote, cue, place, m["precision"], *self.ref([m["precision_words"], m["role"], m["rule"],
                           m["note"], m["correction"]]), self.candidate_list(m["candidates"])])
        return {"fields": list(MENTION_FIELDS), "rows": packed}

    def block(self) -> dict:
        return {"strings": self.strings, "quotes": {"fields": list(self.QUOTE_FIELDS), "rows": self.quotes},
                "places": self.places, "candidates": self.candidates}


MENTION_FIELDS = ("quote", "cue", "place", "precision", "precision_words", "role", "rule", "note", "correction",
                  "candidates")
#: Fields of the incident and region rows; those map.js derives (docs, mention_ids) are left out.
INCIDENT_FIELDS = ("id", "lat", "lon", "type", "date", "t0", "t1", "fatalities", "injured", "fatalities_range",
                   "attackers_killed", "actor", "place", "precision", "precision_words", "approx", "area", "radius",
                   "color", "correction", "rules", "sources")
INCIDENT_STRINGS = ("id", "type", "date", "fatalities_range", "actor", "place", "precision_words", "area", "color",
                    "correction", "rules")
REGION_FIELDS = ("id", "geometry", "lat", "lon", "place", "level", "status", "color", "claim_count", "latest",
                 "opacity", "past", "correction", "claims", "spans", "undated")
REGION_STRINGS = ("id", "place", "level", "status", "color", "latest", "correction")


def _fixed(value):
    """A coordinate (5 decimals) as an integer of 1e-5 degrees; map.js divides by 1e5, which gives
    the same number as the decimal."""
    return None if value is None else int(round(value * 100000))


#: How deep the lists of positions lie in each kind of geometry's coordinates.
_LINE_DEPTH = {"LineString": 0, "Polygon": 1, "MultiLineString": 1, "MultiPolygon": 2}


def _packed_geometry(geometry: dict | None) -> dict | None:
    """A line or area with each list of positions as one flat list of integers (1e-5 degrees): the
    first longitude and latitude, then the step to each next one (``delta``): a third of the
    digits. map.js adds the steps up and divides by 1e5, which gives the same numbers."""
    if not geometry or geometry.get("type") not in _LINE_DEPTH:
        return geometry

    def pack(coords, depth):
        if depth:
            return [pack(c, depth - 1) for c in coords]
        out, x0, y0 = [], 0, 0
        for lon, lat in coords:
            x, y = _fixed(lon), _fixed(lat)
            out += [x - x0, y - y0]
            x0, y0 = x, y
        return out

    return {"type": geometry["type"], "delta": pack(geometry["coordinates"], _LINE_DEPTH[geometry["type"]])}


def _anchor(source_href: str) -> int | None:
    _, sep, anchor = source_href.rpartition("#s")
    return int(anchor) if sep else None


def _relative_href(href) -> str | None:
    """A link to a page beside this one (no scheme, no host)."""
    if not href:
        return None
    return quote(str(href), safe="/#=:")


_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def month_span(date) -> tuple[int | None, int | None]:
    """``(first, last)`` month of an ISO date as ``year * 12 + month - 1``;
    a year alone spans its twelve months; anything else is undated."""
    if not isinstance(date, str):
        return None, None
    match = _DATE.match(date.strip())
    if not match:
        return None, None
    year = int(match.group(1))
    if match.group(2) is None:
        return year * 12, year * 12 + 11
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return None, None
    return year * 12 + month - 1, year * 12 + month - 1


def _features(collection) -> list[dict]:
    if not isinstance(collection, dict):
        return []
    return [f for f in collection.get("features") or [] if isinstance(f, dict)]


def _props(feature: dict) -> dict:
    props = feature.get("properties")
    return props if isinstance(props, dict) else {}


def _text(value) -> str | None:
    if value is None:
        return None
    return str(value)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _round(value: float) -> float:
    return round(float(value), 5) + 0.0  # + 0.0 turns -0.0 into 0.0


def _point(feature: dict) -> tuple[float, float] | None:
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None
    coords = geometry.get("coordinates")
    if not isinstance(coords, (list, tuple)) or len(coords) < 2:
        return None
    lon, lat = (assets.finite_number(c) for c in coords[:2])
    if lon is None or lat is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return _round(lat), _round(lon)


def _rounded_coords(coords):
    if isinstance(coords, (list, tuple)) and coords and all(
        assets.finite_number(c) is not None for c in coords
    ):
        return [_round(c) for c in coords[:2]]
    if isinstance(coords, (list, tuple)):
        parts = [_rounded_coords(c) for c in coords]
        if any(p is None for p in parts):
            return None
        return parts
    return None


def _area_geometry(feature: dict, types=("Polygon", "MultiPolygon")) -> dict | None:
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in types:
        return None
    coords = _rounded_coords(geometry.get("coordinates"))
    if not coords:
        return None
    return {"type": geometry["type"], "coordinates": coords}


def _document_entry(doc: dict, sources_prefix: str, document_maps: bool) -> dict:
    doc_id = str(doc.get("id"))
    counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
    return {
        "id": doc_id,
        "title": _text(doc.get("title")) or doc_id,
        "outlet": _text(doc.get("outlet")),
        "date": _doc_date(doc),
        "href": assets.http_url(doc.get("url")),
        "url_text": None if assets.http_url(doc.get("url")) or doc.get("url") is None else str(doc.get("url")),
        "source_href": f"{sources_prefix}{quote(doc_id, safe='')}.html",
        "map_href": f"#doc={quote(doc_id, safe='')}" if document_maps else None,
        "incidents": _int(counts.get("incidents")),
        "regions": _int(counts.get("regions")),
        "mentions": _int(counts.get("mentions")),
    }


def _doc_date(doc: dict) -> str | None:
    date = _text(doc.get("date"))
    if date and doc.get("date_inferred"):
        return f"{date} or later (inferred)"
    return date


def _quote(source: dict, docs: dict, sources_prefix: str) -> dict:
    """A quoted sentence with the place words marked, its document and links."""
    doc_id = str(source.get("doc") or "")
    doc = docs.get(doc_id, {})
    start, end = _int(source.get("start")), _int(source.get("end"))
    s_start, s_end = _int(source.get("sentence_start")), _int(source.get("sentence_end"))
    full_text = doc.get("text")
    if (
        isinstance(full_text, str)
        and s_start is not None
        and s_end is not None
        and 0 <= s_start <= s_end <= len(full_text)
    ):
        sentence = full_text[s_start:s_end]
    elif isinstance(source.get("sentence"), str):
        sentence = source["sentence"]
    else:
        sentence = ""
    words = source.get("text") if isinstance(source.get("text"), str) else None
    mark = None
    if s_start is not None and start is not None and end is not None:
        a, b = start - s_start, end - s_start
        if 0 <= a < b <= len(sentence) and (not words or sentence[a:b] == words):
            mark = [a, b]
    if mark is None and words:
        found = sentence.find(words)
        if found >= 0:
            mark = [found, found + len(words)]
    url = source.get("url") if source.get("url") is not None else doc.get("url")
    href = assets.http_url(url)
    anchor = f"#s{s_start}" if s_start is not None else ""
    return {
        "doc": doc_id,
        "title": _text(doc.get("title")) or doc_id,
        "outlet": _text(doc.get("outlet")),
        "date": _doc_date(doc),
        "sentence": sentence,
        "mark": mark,
        "citation": _text(source.get("citation")),
        "cue": _text(source.get("cue")),
        "href": href,
        "url_text": None if href or url is None else str(url),
        "source_href": f"{sources_prefix}{quote(doc_id, safe='')}.html{anchor}",
        "mention_id": _text(source.get("mention_id")),
    }


def _quotes(items, docs, sources_prefix) -> list[dict]:
    return [_quote(item, docs, sources_prefix) for item in items or [] if isinstance(item, dict)]


def _docs_of(quotes: list[dict]) -> list[str]:
    return sorted({q["doc"] for q in quotes if q["doc"]})


def _precision_words(p: dict, precision: int | None) -> str | None:
    words = _text(p.get("precision_words"))
    if words or precision not in PRECISION_WORDS:
        return words
    place = _text(p.get("place_name"))
    return f"{PRECISION_WORDS[precision]}: {place}" if place else PRECISION_WORDS[precision]


def _incident(feature: dict, docs: dict, sources_prefix: str) -> dict | None:
    point = _point(feature)
    if point is None:
        return None
    p = _props(feature)
    precision = _int(p.get("precision"))
    fatalities = _int(p.get("fatalities"))
    sources = _quotes(p.get("sources"), docs, sources_prefix)
    approx = precision is None or precision >= APPROXIMATE_FROM
    date = _text(p.get("date"))
    t0, t1 = month_span(date)
    return {
        "id": _text(p.get("id")) or "",
        "lat": point[0],
        "lon": point[1],
        "type": _text(p.get("type")) or "unspecified",
        "date": date,
        "t0": t0,
        "t1": t1,
        "fatalities": fatalities,
        "injured": _int(p.get("injured")),
        "fatalities_range": _text(p.get("fatalities_range")),
        "attackers_killed": _int(p.get("attackers_killed")),
        "actor": _text(p.get("actor")),
        "place": _text(p.get("place_name")) or "",
        "place_id": _text(p.get("place_id")),
        "precision": precision,
        "precision_words": _precision_words(p, precision),
        "approx": approx,
        "area": None,
        "radius": _radius(fatalities, approx),
        "correction": _text(p.get("correction")),
        "rules": [r for r in (_text(x) for x in p.get("rules") or []) if r],
        "sources": sources,
        "docs": _docs_of(sources),
        "mention_ids": sorted({q["mention_id"] for q in sources if q["mention_id"]}),
    }


def _radius(fatalities: int | None, approx: bool) -> float:
    # Area grows with the death toll; approximate places stay large enough to read as areas.
    radius = 5 + 2.5 * math.sqrt(max(fatalities or 0, 0))
    return round(min(max(radius, 11 if approx else 5), 32), 1)


def _region(feature: dict, docs: dict, sources_prefix: str) -> dict | None:
    geometry = _area_geometry(feature)
    point = None if geometry else _point(feature)
    if geometry is None and point is None:
        return None
    p = _props(feature)
    given = [c for c in p.get("claims") or [] if isinstance(c, dict)]
    claims = _quotes(given, docs, sources_prefix)
    # Newest document first, undated ones last; ties keep document order.
    dates = [_text(docs.get(q["doc"], {}).get("date")) or "" for q in claims]
    order = sorted(range(len(claims)), key=lambda i: (claims[i]["doc"], claims[i]["source_href"]))
    order.sort(key=lambda i: dates[i], reverse=True)
    claims = [claims[i] for i in order]
    latest = max(dates, default="") or _text(p.get("latest"))
    # Each claim dates from its document: the time range shows an area while one of them is in it.
    spans = sorted({month_span(d) for d in dates if month_span(d)[0] is not None})
    status = _text(p.get("status")) or "presence"
    count = len(claims)
    current = [c for c in given if not c.get("past")]
    weight = len(current) + 0.5 * (len(given) - len(current))
    return {
        "id": _text(p.get("id")) or "",
        "geometry": geometry,
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "place": _text(p.get("place_name")) or "",
        "level": _text(p.get("level")),
        "status": status,
        "color": style.status_color(status),
        "claim_count": count,
        "latest": latest or None,
        # More claims, more opaque: one claim is a faint wash, five or more a solid tint; a claim
        # about the past ("its former stronghold") weighs half of one about the present.
        "opacity": round(0.12 + 0.08 * min(max(weight, 1), 5), 2) if current else 0.1,
        "past": not current,
        "correction": _text(p.get("correction")),
        "claims": claims,
        "spans": [list(span) for span in spans],
        "undated": any(month_span(d)[0] is None for d in dates) or not dates,
        "docs": _docs_of(claims),
        "mention_ids": sorted({q["mention_id"] for q in claims if q["mention_id"]}),
    }


def _mention(feature: dict, docs: dict, sources_prefix: str) -> dict | None:
    point = _point(feature)
    if point is None:
        return None
    p = _props(feature)
    mention_id = _text(p.get("id")) or ""
    quote_ = _quote({**p, "mention_id": mention_id}, docs, sources_prefix)
    candidates = []
    for c in p.get("candidates") or []:
        if isinstance(c, dict):
            score = assets.finite_number(c.get("score"))
            candidates.append(
                {
                    "place": _text(c.get("place_name")),
                    "place_id": _text(c.get("place_id")),
                    "country": _text(c.get("country")),
                    "level": _text(c.get("level")),
                    "score": None if score is None else round(float(score), 3),
                    "why": _text(c.get("why")),
                }
            )
    return {
        "id": mention_id,
        "lat": point[0],
        "lon": point[1],
        "place": _text(p.get("place_name")) or "",
        "place_id": _text(p.get("place_id")),
        "level": _text(p.get("level")),
        "country": _text(p.get("country")),
        "role": _text(p.get("role")),
        "precision": _int(p.get("precision")),
        "precision_words": _precision_words(p, _int(p.get("precision"))),
        "rule": _text(p.get("rule")),
        "note": _text(p.get("note")),
        "correction": _text(p.get("correction")),
        "candidates": candidates,
        "quote": quote_,
        "docs": [quote_["doc"]] if quote_["doc"] else [],
    }


def _basemap_layer(collection, kind: str) -> list[dict]:
    rows = []
    for feature in _features(collection):
        props = _props(feature)
        if kind == "towns":
            point = _point(feature)
            if point is not None:
                rows.append({"name": _text(props.get("name")) or "", "lat": point[0], "lon": point[1]})
            continue
        geometry = _area_geometry(
            feature, ("Polygon", "MultiPolygon", "LineString", "MultiLineString")
        )
        if geometry is not None:
            rows.append({"type": "Feature", "geometry": geometry, "properties": {}})
    return rows


def _bounds(incidents, regions, mentions, base, within=None) -> list[list[float]]:
    """The data's extent: incidents and regions, else mentions, else the basemap; with
    ``within`` (a box), of their positions inside it, else of them all."""
    if within is not None:
        inside = _extent(incidents, regions, mentions, {"countries": [], "provinces": [], "towns": []}, within)
        if inside:
            return inside
    return _extent(incidents, regions, mentions, base) or DEFAULT_BOUNDS


def _extent(incidents, regions, mentions, base, box=None) -> list[list[float]] | None:
    (south, west), (north, east) = box or ((-90, -180), (90, 180))
    for groups in ((incidents, regions), (mentions,), (base["countries"], base["provinces"], base["towns"])):
        lats: list[float] = []
        lons: list[float] = []
        for rows in groups:
            for row in rows:
                if row.get("lat") is not None:
                    points = [(row["lon"], row["lat"])]
                elif row.get("geometry"):
                    points = list(_positions(row["geometry"]["coordinates"]))
                else:
                    continue
                for lon, lat in points:
                    if south <= lat <= north and west <= lon <= east:
                        lats.append(lat)
                        lons.append(lon)
        if lats:
            return [[min(lats), min(lons)], [max(lats), max(lons)]]
    return None


def _positions(coords):
    if coords and not isinstance(coords[0], list):
        yield coords
        return
    for part in coords:
        yield from _positions(part)
