"""Fast checks of the rendered HTML, without a browser."""
from __future__ import annotations

import copy
import html
import itertools
import json
import re

import pytest
from geo_khorasan.render import assets
from geo_khorasan.render.map import map_data, map_html
from geo_khorasan.render.pages import source_page_html

def data_of(page: str) -> dict:
    """The data block, its incidents, regions and mentions unpacked to one object each as the page does."""
    return unpack(map_data(page))


def unpack(data: dict) -> dict:
    """map.js's reading of the packed block (map.py's _Packer), in Python: rows as the objects
    ``_incident``, ``_region`` and ``_mention`` make."""
    strings, quotes, places = data["strings"], data["quotes"]["rows"], data["places"]
    entries = data["documents"] + data["cited"]

    def s(k):
        return [s(x) for x in k] if isinstance(k, list) else (strings[k] if k else None)

    def quote(k, cue):
        doc, sentence, a, b, anchor, citation, link, mention = quotes[k]
        d = entries[doc]
        return {"doc": d["id"], "title": d["title"], "outlet": d["outlet"], "date": d["date"], "sentence": s(sentence),
                "mark": None if a is None else [a, b], "citation": s(citation), "cue": s(cue),
                "href": s(link[0]) if link else d["href"], "url_text": s(link[1]) if link else d["url_text"],
                "source_href": d["source_href"] + ("" if anchor is None else f"#s{anchor}"),
                "mention_id": f"{d['id']}:{anchor + a}" if mention == -1 else s(mention)}

    def geometry(g):
        if not g or "delta" not in g:
            return g

        def walk(v, depth):
            if depth:
                return [walk(c, depth - 1) for c in v]
            xs, ys = itertools.accumulate(v[0::2]), itertools.accumulate(v[1::2])
            return [[x / 1e5, y / 1e5] for x, y in zip(xs, ys)]
        return {"type": g["type"], "coordinates": walk(g["delta"], {"LineString": 0, "Polygon": 1, "MultiLineString": 1,
                                                                    "MultiPolygon": 2}[g["type"]])}

    def table(t):
        rows = []
        for values in t["rows"]:
            row = {}
            for name, v in zip(t["fields"], values):
                if name in t["quotes_in"]:
                    listed = [quote(v[j], v[j + 1]) for j in range(0, len(v), 2)]
                    row[name] = listed[0] if name in t["one"] else listed
                    row["docs"] = sorted({q["doc"] for q in listed if q["doc"]})
                    row["mention_ids"] = sorted({q["mention_id"] for q in listed if q["mention_id"]})
                elif name == "geometry":
                    row[name] = geometry(v)
                else:
                    row[name] = s(v) if name in t["strings_in"] else v
            rows.append(row)
        return rows

    def place(k):
        pid, name, level, country, lat, lon = places[k]
        return {"place_id": s(pid), "place": s(name), "level": s(level), "country": s(country),
                "lat": None if lat is None else lat / 1e5, "lon": None if lon is None else lon / 1e5}

    mentions = []
    for q, cue, at, precision, words, role, rule, note, correction, cands in data["mentions"]["rows"]:
        row = {**place(at), "quote": quote(q, cue), "precision": precision, "precision_words": s(words),
               "role": s(role), "rule": s(rule), "note": s(note), "correction": s(correction)}
        row["id"], row["docs"] = row["quote"]["mention_id"], [row["quote"]["doc"]] if row["quote"]["doc"] else []
        c = data["candidates"][cands]
        row["candidates"] = [{**{k: v for k, v in place(c[j]).items() if k not in ("lat", "lon")}, "score": c[j + 1],
                              "why": s(c[j + 2])} for j in range(0, len(c), 3)]
        mentions.append(row)
    basemap = {kind: rows if kind == "towns" else [{"type": "Feature", "geometry": geometry(g), "properties": {}} for g in rows]
               for kind, rows in data["basemap"].items()}
    return {**data, "incidents": table(data["incidents"]), "regions": table(data["regions"]), "mentions": mentions,
            "areas": {k: geometry(g) for k, g in data["areas"].items()}, "basemap": basemap}


def all_quotes(data: dict) -> list[dict]:
    quotes = [q for f in data["incidents"] for q in f["sources"]]
    quotes += [q for f in data["regions"] for q in f["claims"]]
    quotes += [f["quote"] for f in data["mentions"]]
    return quotes


@pytest.fixture
def page(render_fixture) -> str:
    return map_html(**render_fixture)


def source_page(inputs: dict, doc_index: int) -> str:
    doc = inputs["documents"][doc_index]
    return source_page_html(
        document=doc,
        mentions=[f for f in inputs["mentions"]["features"] if f["properties"]["doc"] == doc["id"]],
        map_href="index.html",
        attribution=inputs["attribution"],
    )


def test_no_external_resources(page, render_fixture):
    for text in (page, source_page(render_fixture, 0), source_page(render_fixture, 1)):
        assert not re.search(r"<script[^>]*\ssrc\s*=", text, re.I)
        assert not re.search(r"<link[^>]*\shref\s*=", text, re.I)
        assert not re.search(r"<(img|iframe|embed|object)[^>]*\s(src|data)\s*=\s*['\"]?https?:", text, re.I)
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text, re.I)
        assert not re.search(r"@import", text, re.I)
        for cdn in ("cdn.jsdelivr", "code.jquery.com", "cdnjs", "bootstrapcdn", "unpkg.com", "fontawesome"):
            assert cdn not in text


def test_leaflet_and_plugin_are_inlined(page):
    leaflet = assets.find_libraries()[0]
    leaflet_js = (leaflet.folder / "leaflet.js").read_text("utf-8").replace("\r\n", "\n")
    leaflet_js = leaflet_js.split("//# sourceMappingURL")[0].rstrip()
    assert leaflet_js in page
    assert "/* leaflet 1.9.3 (BSD-2-Clause) */" in page
    assert "/* leaflet.markercluster 1.4.1 (MIT) */" in page
    assert "MarkerClusterGroup" in page
    assert "images/layers.png" not in page  # inlined as data: URIs


def test_every_inline_script_is_allowed_by_the_csp_and_nothing_else(page):
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "connect-src 'none'" in csp and "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 3
    allowed = re.findall(r"'sha256-[^']+'", csp.split("script-src")[1].split(";")[0])
    assert sorted(allowed) == sorted(assets.script_hash(s) for s in scripts)
    assert page.lower().count("<script") == 4  # those three and the JSON data block


def test_same_inputs_give_identical_bytes(render_fixture, render_write_site, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    render_write_site(first, copy.deepcopy(render_fixture))
    render_write_site(second, copy.deepcopy(render_fixture))
    files = sorted(p.relative_to(first) for p in first.rglob("*.html"))
    assert len(files) == 6  # index, documents, two document maps, two source pages
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert not re.search(r"_[0-9a-f]{32}\b", (first / "index.html").read_text("utf-8"))


def test_feature_order_does_not_change_the_output(render_fixture, page):
    shuffled = copy.deepcopy(render_fixture)
    for kind in ("mentions", "incidents", "regions"):
        shuffled[kind]["features"].reverse()
    assert map_html(**shuffled) == page


def test_coordinates_rounded_to_five_decimals(render_fixture):
    render_fixture["incidents"]["features"][0]["geometry"]["coordinates"] = [66.123456789, 29.987654321]
    data = data_of(map_html(**render_fixture))
    assert any(f["lon"] == 66.12346 and f["lat"] == 29.98765 for f in data["incidents"])


def test_injected_markup_appears_only_escaped(render_fixture, render_payloads):
    script, img = render_payloads["script"], render_payloads["img"]
    render_fixture["title"] = render_fixture["documents"][1]["title"]
    page = map_html(**render_fixture)
    for payload in (script, img, "<b>News</b>", "<b>match</b>"):
        assert payload not in page
    assert page.lower().count("</script") == 4  # none from the article text
    assert "<title>Report &lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    data = data_of(page)
    sentences = [q["sentence"] for q in all_quotes(data)]
    assert any(img in s for s in sentences)  # kept as text, for textContent
    assert data["title"] == render_fixture["title"]

    hostile = source_page(render_fixture, 1)
    for payload in (script, img, "</script>", "<b>News</b>"):
        assert payload not in hostile
    assert "<script" not in hostile.lower()
    assert html.escape(img) in hostile
    assert html.escape(script) in hostile
    assert "Example &lt;b&gt;News&lt;/b&gt;" in hostile


def test_only_http_urls_become_links(page, render_fixture):
    quotes = all_quotes(data_of(page))
    assert {q["href"] for q in quotes} == {"https://example.com/mastung", None}
    assert {q["url_text"] for q in quotes if q["doc"] == "001_bbbb"} == {"javascript:alert(1)"}
    hostile = source_page(render_fixture, 1)
    assert not re.search(r"href\s*=\s*['\"]?\s*javascript:", hostile, re.I)
    assert "<dd>javascript:alert(1)</dd>" in hostile
    assert '<a href="https://example.com/mastung" rel="noopener noreferrer">' in source_page(render_fixture, 0)


def test_quotes_mark_the_place_words(page):
    for q in all_quotes(data_of(page)):
        assert q["mark"] is not None
        assert q["sentence"][q["mark"][0] : q["mark"][1]] in {"Mastung", "Quetta", "Jalalabad", "Nangarhar", "Kabul"}


def test_region_claims_newest_document_first(page):
    nangarhar = next(r for r in data_of(page)["regions"] if r["id"] == "reg-nangarhar")
    assert [q["doc"] for q in nangarhar["claims"]] == ["001_bbbb", "000_aaaa"]


def test_source_pages_have_every_linked_anchor(render_fixture, render_site):
    data = data_of((render_site / "index.html").read_text("utf-8"))
    pages = {p.stem: p.read_text("utf-8") for p in (render_site / "sources").glob("*.html")}
    assert set(pages) == {"000_aaaa", "001_bbbb"}
    for q in all_quotes(data):
        path, anchor = q["source_href"].split("#")
        assert path == f"sources/{q['doc']}.html"
        assert f'<span id="{anchor}" class="sentence">' in pages[q["doc"]]
    for doc in render_fixture["documents"]:
        text = pages[doc["id"]]
        assert text.count('class="sentence"') == len(doc["sentences"])
        article = re.search(r'<div class="article">(.*?)</div>', text, re.S).group(1)
        assert html.unescape(re.sub(r"<[^>]+>", "", article)) == doc["text"]  # paragraph breaks kept
    for f in render_fixture["mentions"]["features"]:
        p = f["properties"]
        assert f'href="../index.html#doc={p["doc"]}&amp;m={p["id"]}"' in pages[p["doc"]]


def test_empty_collections_render(render_fixture):
    empty = {"type": "FeatureCollection", "features": []}
    page = map_html(
        title="Nothing yet",
        mentions=empty,
        incidents=empty,
        regions=empty,
        documents=[],
        basemap={"countries": empty, "provinces": empty, "towns": empty},
        attribution="Natural Earth",
    )
    data = data_of(page)
    assert data["incidents"] == data["regions"] == data["mentions"] == []
    assert data["bounds"] == [[24.0, 60.0], [38.5, 75.0]]
    with_basemap = data_of(map_html(**{**render_fixture, "mentions": empty, "incidents": empty, "regions": empty}))
    assert with_basemap["bounds"] == [[24.0, 60.5], [38.4, 75.0]]


def test_features_without_usable_coordinates_are_skipped(render_fixture):
    render_fixture["incidents"]["features"][0]["geometry"] = None
    render_fixture["mentions"]["features"][0]["geometry"]["coordinates"] = [float("nan"), 1.0]
    data = data_of(map_html(**render_fixture))
    assert len(data["incidents"]) == 1 and len(data["mentions"]) == 5


def test_missing_library_is_one_clear_line(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "xstatic.pkg.leaflet_markercluster", None)  # as if not installed
    with pytest.raises(assets.AssetsNotFound) as error:
        assets.libraries()
    message = str(error.value)
    assert message.startswith("XStatic-Leaflet-MarkerCluster: not installed")
    assert "pip install XStatic-Leaflet-MarkerCluster" in message and "\n" not in message


def test_data_block_cannot_close_its_element_and_reads_back():
    from geo_khorasan.render.map import data_block

    data = {"a": "</script><!-- & > \u2028 Kandahār"}
    text = data_block(data)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", text)  # base64: nothing a page could read as markup
    assert text == data_block(dict(data))  # no time stamp in the gzip header
    page = f'<script type="application/gzip" id="gk-data" data-encoding="base64">{text}</script>'
    assert map_data(page) == data


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("HTTP://example.com", "HTTP://example.com"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<b>", None),
        ("//example.com", None),
        ("https://exa mple.com", None),
        ('https://example.com/"onmouseover=', None),
        (None, None),
    ],
)
def test_http_url(url, expected):
    assert assets.http_url(url) == expected


# --- time, types, evidence, outlines, corrections, the table of documents ------------------
from geo_khorasan.render.map import month_span  # noqa: E402
from geo_khorasan.render.pages import documents_page_html  # noqa: E402


@pytest.mark.parametrize(
    "date, expected",
    [
        ("2018-07-13", (2018 * 12 + 6, 2018 * 12 + 6)),
        ("2019-03", (2019 * 12 + 2, 2019 * 12 + 2)),
        ("2016", (2016 * 12, 2016 * 12 + 11)),
        ("2016-13", (None, None)),
        ("last spring", (None, None)),
        (None, (None, None)),
    ],
)
def test_month_span(date, expected):
    assert month_span(date) == expected


def test_time_range_and_type_counts(render_fixture):
    render_fixture["incidents"]["features"][1]["properties"]["date"] = None
    data = data_of(map_html(**render_fixture))
    # The time range spans the incident dates and those of the documents claiming areas.
    assert data["time"] == {"min": 2018 * 12 + 6, "max": 2019 * 12 + 11, "undated": 1}
    assert [(t["label"], t["count"]) for t in data["legend"]["types"]] == [("suicide bombing", 1), ("armed attack", 1)]  # palette order
    render_fixture["incidents"]["features"][0]["properties"]["date"] = "nobody knows"
    for doc in render_fixture["documents"]:
        doc["date"] = None
    assert data_of(map_html(**render_fixture))["time"] is None


def test_region_evidence_strength(page):
    regions = {r["id"]: r for r in data_of(page)["regions"]}
    assert (regions["reg-nangarhar"]["claim_count"], regions["reg-nangarhar"]["latest"]) == (2, "2019")
    assert (regions["reg-quetta"]["claim_count"], regions["reg-quetta"]["latest"]) == (1, "2018-07-14")
    assert regions["reg-nangarhar"]["opacity"] > regions["reg-quetta"]["opacity"]


def test_outline_only_for_approximate_incidents(render_fixture):
    render_fixture["areas"]["geonames:1170395"] = render_fixture["regions"]["features"][0]["geometry"]  # Mastung: exact
    data = data_of(map_html(**render_fixture))
    assert set(data["areas"]) == {"geonames:1138336"}
    assert {i["id"]: i["area"] for i in data["incidents"]} == {"inc-jalalabad": "geonames:1138336", "inc-mastung": None}


def test_precision_in_words_from_the_code_when_missing(render_fixture):
    props = render_fixture["incidents"]["features"][1]["properties"]
    props["precision_words"] = None
    incident = next(i for i in data_of(map_html(**render_fixture))["incidents"] if i["id"] == "inc-jalalabad")
    assert incident["precision_words"] == "district-level: Jalalabad"


def test_correction_is_data_not_markup(page, render_payloads):
    incident = next(i for i in data_of(page)["incidents"] if i["id"] == "inc-mastung")
    assert incident["correction"].endswith(render_payloads["img"])
    assert render_payloads["img"] not in page


def test_other_documents_quoted_with_their_metadata(render_fixture):
    doc_a = render_fixture["documents"][0]
    one = {**render_fixture, "documents": [doc_a]}
    alone = {r["id"]: r for r in data_of(map_html(**one))["regions"]}
    # Without all_documents the other document is known only by its id, and has no date.
    assert [(q["doc"], q["title"]) for q in alone["reg-nangarhar"]["claims"]][1] == ("001_bbbb", "001_bbbb")
    both = {r["id"]: r for r in data_of(map_html(**one, all_documents=render_fixture["documents"]))["regions"]}
    claims = both["reg-nangarhar"]["claims"]
    assert [q["doc"] for q in claims] == ["001_bbbb", "000_aaaa"]
    assert claims[0]["title"] == render_fixture["documents"][1]["title"]
    assert [d["id"] for d in data_of(map_html(**one))["documents"]] == ["000_aaaa"]


def test_documents_page_escapes_and_links(render_fixture, render_payloads):
    text = documents_page_html(title="Documents", documents=render_fixture["documents"], map_href="index.html",
                               attribution=render_fixture["attribution"])
    assert "<script" not in text.lower() and render_payloads["script"] not in text
    assert html.escape(render_fixture["documents"][1]["title"]) in text
    assert "Example &lt;b&gt;News&lt;/b&gt;" in text
    assert not re.search(r"href\s*=\s*['\"]?\s*javascript:", text, re.I)
    for doc_id in ("000_aaaa", "001_bbbb"):
        assert f'href="index.html#doc={doc_id}"' in text and f'href="sources/{doc_id}.html"' in text
    assert '<a class="doc-article" href="https://example.com/mastung"' in text
    assert "2019 or later (inferred)" in text


def test_palette_is_fixed_per_type_and_documented(render_fixture):
    from pathlib import Path

    from geo_khorasan.render import style

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert "<!-- palette:start -->\n" + style.palette_markdown() + "<!-- palette:end -->" in readme
    one = data_of(map_html(**render_fixture))
    only_armed = copy.deepcopy(render_fixture)
    only_armed["incidents"]["features"] = only_armed["incidents"]["features"][1:]
    two = data_of(map_html(**only_armed))
    colours = lambda d: {t["label"]: t["color"] for t in d["legend"]["types"]}  # noqa: E731
    assert colours(one)["armed attack"] == colours(two)["armed attack"] == style.INCIDENT_COLORS["armed attack"]
    assert colours(one)["suicide bombing"] == style.INCIDENT_COLORS["suicide bombing"]
    assert {r["color"] for r in one["regions"] if r["status"] == "stronghold"} == {style.STATUS_COLORS["stronghold"]}
    assert one["styles"]["town"] == style.TOWN_STYLE


def test_default_view_is_the_theatre_and_fit_all_includes_far_points(render_fixture):
    far = copy.deepcopy(render_fixture["incidents"]["features"][0])
    far["geometry"] = {"type": "Point", "coordinates": [37.62, 55.75]}  # Moscow
    far["properties"]["id"] = "inc-moscow"
    render_fixture["incidents"]["features"].append(far)
    data = data_of(map_html(**render_fixture))
    (south, west), (north, east) = data["bounds"]
    assert west >= 56 and north <= 42  # the theatre only
    assert data["all_bounds"][1][0] == 55.75 and data["all_bounds"][0][1] == 37.62


def test_many_incidents_travel_packed_and_are_drawn_as_dots(render_fixture):
    from geo_khorasan.render import map as render_map_module

    feature = render_fixture["incidents"]["features"][0]
    many = copy.deepcopy(render_fixture)
    many["incidents"]["features"] = []
    for i in range(render_map_module.DOTS_FROM):
        f = copy.deepcopy(feature)
        f["properties"]["id"] = f"inc-{i:05d}"
        many["incidents"]["features"].append(f)
    page = map_html(**many)
    data = data_of(page)
    assert data["draw"]["dots"] is True and data_of(map_html(**render_fixture))["draw"]["dots"] is False
    assert len(data["incidents"]) == render_map_module.DOTS_FROM
    assert [i["id"] for i in data["incidents"]] == sorted(i["id"] for i in data["incidents"])  # the table's tie order
    small = next(i for i in data_of(map_html(**render_fixture))["incidents"] if i["id"] == feature["properties"]["id"])
    assert data["incidents"][7]["sources"] == small["sources"]  # unpacked, the same quotes
    # A document's title, a type, a place, a quoted sentence: each once in the data block, however
    # many incidents quote it (the title in the document's entry, the others in the strings; the
    # legend names the type again).
    packed = map_data(page)
    block = json.dumps({k: v for k, v in packed.items() if k != "legend"}, ensure_ascii=False)
    sentence = small["sources"][0]["sentence"]
    for text in (render_fixture["documents"][0]["title"], feature["properties"]["type"],
                 feature["properties"]["place_name"], sentence):
        assert block.count(json.dumps(text, ensure_ascii=False)) == 1, text
    assert packed["strings"].count(sentence) == 1
    quoted = {(q["doc"], q["source_href"], str(q["mark"]), q["mention_id"]) for q in all_quotes(data_of(map_html(**render_fixture)))}
    assert len(packed["quotes"]["rows"]) == len(quoted)  # a quote cited by an incident, an area and a mention: one row


def test_packed_rows_read_back_as_the_objects_map_py_made(render_fixture):
    """Each string, quote, place and list of candidates is in the block once, and read back (as
    map.js does) every incident, area and mention is the object it was before packing."""
    from geo_khorasan.render import map as m

    data = data_of(map_html(**render_fixture))
    docs = {d["id"]: d for d in render_fixture["documents"]}

    def made(kind, make):
        rows = [make(f, docs, "sources/") for f in render_fixture[kind]["features"]]
        return sorted((r for r in rows if r), key=lambda r: r["id"])

    assert data["mentions"] == made("mentions", m._mention)
    assert data["regions"] == made("regions", m._region)
    incidents = made("incidents", m._incident)
    assert [{k: v for k, v in i.items() if k not in ("place_id", "area", "color")} for i in incidents] == \
        [{k: v for k, v in i.items() if k not in ("area", "color")} for i in data["incidents"]]
    assert data["areas"] and all(g == m._area_geometry({"geometry": render_fixture["areas"][k]}) for k, g in data["areas"].items())
    assert data["basemap"] == {k: m._basemap_layer(render_fixture["basemap"].get(k), k) for k in ("countries", "provinces", "towns")}
    packed = map_data(map_html(**render_fixture))
    assert len(packed["strings"]) == len(set(packed["strings"]))
    assert all(len(json.dumps(row)) < 80 for row in packed["mentions"]["rows"])  # no text in a mention's row
