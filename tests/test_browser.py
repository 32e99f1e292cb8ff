"""The rendered fixture in headless Chromium, opened from file:// with every
other request blocked and counted."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")


@dataclass
class Watch:
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    watch = Watch()

    def route(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            watch.blocked.append(route.request.url)
            route.abort()

    def request(request):
        if not request.url.startswith(("file://", "data:")) and request.url not in watch.blocked:
            watch.blocked.append(request.url)

    def dialog(dialog):
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", request)
    page.on("dialog", dialog)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    yield page, watch
    context.close()


def open_map(page, site: Path, hash_: str = "") -> None:
    page.goto((site / "index.html").as_uri() + hash_)
    page.wait_for_function("() => window.gkReady === true", timeout=5000)


def mention_id(inputs: dict, doc: str, words: str) -> str:
    return next(
        f["properties"]["id"]
        for f in inputs["mentions"]["features"]
        if f["properties"]["doc"] == doc and f["properties"]["text"] == words
    )


def test_map_draws_basemap_and_every_feature(tab, render_site, render_fixture):
    page, watch = tab
    open_map(page, render_site)
    assert page.locator(".leaflet-overlay-pane svg path").count() > 0
    assert page.locator("path.gk-province").count() == 2
    assert page.locator("path.gk-country").count() == 2
    expected = {kind: len(render_fixture[kind]["features"]) for kind in ("incidents", "regions", "mentions")}
    assert page.evaluate("window.gkCounts") == expected
    assert page.locator("path.gk-incident").count() == expected["incidents"]
    assert page.locator("path.gk-region").count() == expected["regions"]
    assert page.locator("path.gk-mention").count() == 0  # layer off by default
    assert page.locator(".gk-town-label").first.inner_text() == "Kabul"
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "GeoNames (CC BY 4.0), geoBoundaries, © OpenStreetMap contributors (ODbL)" in attribution
    if os.environ.get("GEO_KHORASAN_SCREENSHOT"):
        Path(os.environ["GEO_KHORASAN_SCREENSHOT"]).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=os.environ["GEO_KHORASAN_SCREENSHOT"])
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_popup_to_source_sentence_and_back(tab, render_site, render_fixture, render_payloads):
    page, watch = tab
    open_map(page, render_site)

    page.locator("path.gk-incident.gk-approximate").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    quote = popup.locator("blockquote")
    assert render_payloads["img"] in quote.inner_text()
    assert quote.locator("mark").inner_text() == "Jalalabad"
    assert popup.locator("img, script").count() == 0
    assert popup.locator("a[href^='javascript']").count() == 0
    assert popup.locator(".gk-url").inner_text() == "javascript:alert(1)"

    popup.get_by_text("sentence in the source text").click()
    page.wait_for_url("**/sources/001_bbbb.html#s0")
    assert page.evaluate("location.hash") == "#s0"
    assert page.locator("#s0.sentence").count() == 1
    assert page.evaluate("document.querySelector(':target').id") == "s0"

    back = page.locator("#s0 a.place")
    wanted = mention_id(render_fixture, "001_bbbb", "Jalalabad")
    assert back.get_attribute("href") == f"../index.html#doc=001_bbbb&m={wanted}"  # the map filtered to it
    back.click()
    page.wait_for_function("() => window.gkReady === true", timeout=5000)
    page.locator(".leaflet-popup-content .gk-focus").wait_for()
    assert page.locator(".leaflet-popup-content mark").inner_text() == "Jalalabad"
    state = page.evaluate("location.hash")[1:].split("&")
    assert "doc=001_bbbb" in state and f"m={wanted}" in state
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_hash_opens_a_plain_mention_with_its_layer(tab, render_site, render_fixture):
    page, watch = tab
    open_map(page, render_site, "#m=" + mention_id(render_fixture, "000_aaaa", "Kabul"))
    page.locator(".leaflet-popup-content .gk-popup-mention").wait_for()
    assert page.locator(".leaflet-popup-content mark").inner_text() == "Kabul"
    assert page.locator("path.gk-mention").count() == len(render_fixture["mentions"]["features"])
    assert page.locator(".leaflet-popup-content details summary").inner_text() == "How this place was chosen"

    page.evaluate("location.hash = '#r=reg-nangarhar'")
    page.locator(".leaflet-popup-content .gk-popup-region").wait_for()
    dates = page.locator(".gk-popup-region .gk-cite").all_inner_texts()
    assert "2019 or later (inferred)" in dates[0] and "2018-07-14" in dates[1]  # newest first
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_mention_popup_shows_its_sentence_document_citation_and_candidates(tab, render_site, render_fixture):
    """The data block holds each sentence, document and candidate list once: a mention's popup, and
    an incident's quoting a mention, still show the whole citation."""
    page, watch = tab
    props = {f["properties"]["text"]: f["properties"] for f in render_fixture["mentions"]["features"]
             if f["properties"]["doc"] == "000_aaaa"}
    kabul, mastung = props["Kabul"], props["Mastung"]
    open_map(page, render_site, "#m=" + kabul["id"])  # cited by no incident or area: its own popup
    popup = page.locator(".leaflet-popup-content .gk-popup-mention")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "Kabul"
    assert popup.locator("blockquote").inner_text() == kabul["sentence"]
    assert popup.locator("blockquote mark").inner_text() == "Kabul"
    assert popup.locator(".gk-cite").inner_text() == "Blast at a rally in Mastung \u2014 Dawn, 2018-07-14"
    assert popup.locator(".gk-citation").inner_text() == kabul["citation"]
    assert popup.get_by_text("article", exact=True).get_attribute("href") == "https://example.com/mastung"
    source = popup.get_by_text("sentence in the source text")
    assert source.get_attribute("href") == f"sources/000_aaaa.html#s{kabul['sentence_start']}"
    cells = popup.locator("details table tr").nth(1).locator("td").all_text_contents()  # in the closed details
    assert cells == ["Kabul", "AF", "town", "0.93", "exact name <b>match</b>"]  # as text, not markup
    page.evaluate(f"location.hash = '#m={mastung['id']}'")  # quoted by an incident: its popup, the quote marked
    focus = page.locator(".leaflet-popup-content .gk-popup-incident .gk-focus")
    focus.wait_for()
    assert focus.locator("blockquote").inner_text() == mastung["sentence"]
    assert focus.locator("mark").inner_text() == "Mastung"
    assert focus.locator(".gk-cite").inner_text() == "Blast at a rally in Mastung \u2014 Dawn, 2018-07-14"
    assert focus.locator(".gk-citation").inner_text() == mastung["citation"]
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_document_filter_and_place_search(tab, render_site):
    page, watch = tab
    open_map(page, render_site)
    page.select_option("select.gk-doc-filter", "000_aaaa")
    assert page.evaluate("window.gkCounts") == {"incidents": 1, "regions": 2, "mentions": 4}
    page.fill("input.gk-search", "nangar")
    assert page.evaluate("window.gkCounts") == {"incidents": 0, "regions": 1, "mentions": 1}
    page.select_option("select.gk-doc-filter", "")
    page.fill("input.gk-search", "")
    assert page.evaluate("window.gkCounts") == {"incidents": 2, "regions": 2, "mentions": 6}
    # The mentions' markers, made when their layer is first shown, follow the filters as they stand.
    page.select_option("select.gk-doc-filter", "000_aaaa")
    assert page.locator("path.gk-mention").count() == 0
    page.get_by_label("All place mentions (6)").check()
    assert page.locator("path.gk-mention").count() == 4 == page.evaluate("GK.shownCounts().mentions")
    page.select_option("select.gk-doc-filter", "")
    assert page.locator("path.gk-mention").count() == 6 == page.evaluate("window.gkCounts.mentions")
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_optional_tile_layer_is_the_only_network_use(tab, render_site):
    page, watch = tab
    open_map(page, render_site)
    page.wait_for_timeout(200)
    assert watch.blocked == []
    page.get_by_label("OpenStreetMap tiles (online)").check()
    page.wait_for_function("document.querySelectorAll('.leaflet-tile').length > 0")
    page.wait_for_timeout(200)
    assert watch.blocked and all(url.startswith("https://tile.openstreetmap.org/") for url in watch.blocked)


def test_empty_map_loads(tab, tmp_path):
    from geo_khorasan.render.map import render_map

    empty = {"type": "FeatureCollection", "features": []}
    render_map(
        tmp_path / "index.html",
        title="Nothing yet",
        mentions=empty,
        incidents=empty,
        regions=empty,
        documents=[],
        basemap={"countries": empty, "provinces": empty, "towns": empty},
        attribution="Natural Earth",
    )
    page, watch = tab
    open_map(page, tmp_path)
    assert page.evaluate("window.gkCounts") == {"incidents": 0, "regions": 0, "mentions": 0}
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


# --- the committed maps (build --check in CI keeps them equal to a fresh build) -----------
MAPS = Path(__file__).resolve().parent.parent / "maps"


@pytest.mark.parametrize("page_name", ["index.html", "002_a57efe51e3e1ac0b.html"])
def test_committed_map_shows_basemap_and_every_exported_feature_offline(tab, page_name):
    import json

    page, watch = tab
    if not (MAPS / page_name).exists():
        pytest.skip("maps/ not built")
    page.goto((MAPS / page_name).as_uri())
    page.wait_for_function("() => window.gkCounts !== undefined")
    counts = page.evaluate("window.gkCounts")
    doc = None if page_name == "index.html" else page_name[:-5]

    def exported(name, key):
        feats = json.loads((MAPS / name).read_text("utf-8"))["features"]
        if doc is None:
            return len(feats)
        if key is None:
            return sum(f["properties"]["doc"] == doc for f in feats)
        return sum(any(s["doc"] == doc for s in f["properties"][key]) for f in feats)

    assert counts == {"incidents": exported("incidents.geojson", "sources"),
                      "regions": exported("regions.geojson", "claims"),
                      "mentions": exported("mentions.geojson", None)}
    assert page.locator(".leaflet-overlay-pane path").count() > 20  # country and province outlines
    shot = os.environ.get("GEO_KHORASAN_SCREENSHOT")
    if shot and page_name == "index.html":
        page.screenshot(path=shot)
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


# --- filters, full screen, the document list, outlines ------------------------------------
SYNTHETIC_DATES = ("2016", "2017-03", "2017-03-15", "2018-11-02", None, "2020-06", "bad date")
SYNTHETIC_TYPES = ("suicide bombing", "kidnapping", "airstrike")


def synthetic_incidents(n: int) -> dict:
    """``n`` incidents with dates and types cycling through the lists above."""
    features = []
    for i in range(n):
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [62 + (i * 7919 % 1300) / 100, 29 + (i * 104729 % 900) / 100]},
            "properties": {"id": f"inc-{i:04d}", "date": SYNTHETIC_DATES[i % len(SYNTHETIC_DATES)],
                           "type": SYNTHETIC_TYPES[i % len(SYNTHETIC_TYPES)], "fatalities": i % 9,
                           "precision": 1 + i % 5, "place_name": f"Place {i}", "sources": []},
        })
    return {"type": "FeatureCollection", "features": features}


def month(date: str) -> int:
    from geo_khorasan.render.map import month_span

    return month_span(date)[0]


def expected_incidents(features, *, start=None, end=None, undated=True, types=None) -> int:
    from geo_khorasan.render.map import month_span

    n = 0
    for f in features:
        p = f["properties"]
        if types is not None and p["type"] not in types:
            continue
        t0, t1 = month_span(p["date"])
        if t0 is None:
            n += undated
        elif (start is None or t1 >= start) and (end is None or t0 <= end):
            n += 1
    return n


def slide(page, selector: str, value: int) -> None:
    page.locator(selector).evaluate(
        "(input, value) => { input.value = value; input.dispatchEvent(new Event('input', {bubbles: true})); }", value
    )


def shown_incidents(page) -> int:
    counts = page.evaluate("window.gkCounts")
    assert page.evaluate("GK.shownCounts()") == counts  # the markers in their layer are the ones counted
    return counts["incidents"]


@pytest.fixture(params=["markers", "dots"])
def drawn(request, monkeypatch):
    """Each test twice: incidents as SVG markers, and as the dots of a map with many incidents
    (drawn so from ``DOTS_FROM`` up; lowered here to keep the test maps small)."""
    if request.param == "dots":
        monkeypatch.setattr("geo_khorasan.render.map.DOTS_FROM", 1)
    return request.param


def test_time_range_type_filter_and_undated(tab, tmp_path, render_fixture, drawn):
    from geo_khorasan.render.map import render_map

    incidents = synthetic_incidents(70)
    features = incidents["features"]
    render_map(tmp_path / "index.html", **{**render_fixture, "incidents": incidents})
    page, watch = tab
    open_map(page, tmp_path)
    assert shown_incidents(page) == 70
    assert page.locator("input.gk-from").get_attribute("min") == str(month("2016"))
    assert page.locator("input.gk-to").get_attribute("max") == str(month("2020-06"))
    assert page.locator(".gk-time-range").inner_text() == "2016-01 \u2013 2020-06"

    slide(page, "input.gk-from", month("2017-03"))
    assert page.locator(".gk-time-range").inner_text() == "2017-03 \u2013 2020-06"
    assert shown_incidents(page) == expected_incidents(features, start=month("2017-03"))
    slide(page, "input.gk-to", month("2018-12"))
    wanted = expected_incidents(features, start=month("2017-03"), end=month("2018-12"))
    assert shown_incidents(page) == wanted
    page.locator(".gk-undated input").uncheck()
    wanted = expected_incidents(features, start=month("2017-03"), end=month("2018-12"), undated=False)
    assert shown_incidents(page) == wanted == 30
    # The from handle pushes the to handle rather than cross it.
    slide(page, "input.gk-from", month("2019-01"))
    assert page.locator("input.gk-to").input_value() == str(month("2019-01"))
    assert shown_incidents(page) == 0
    slide(page, "input.gk-from", month("2016"))
    slide(page, "input.gk-to", month("2020-06"))
    page.locator(".gk-undated input").check()
    assert shown_incidents(page) == 70

    page.locator("label.gk-type", has_text="kidnapping").locator("input").uncheck()
    keep = {"suicide bombing", "airstrike"}
    assert shown_incidents(page) == expected_incidents(features, types=keep)
    slide(page, "input.gk-from", month("2018-11"))
    assert shown_incidents(page) == expected_incidents(features, start=month("2018-11"), types=keep)
    page.get_by_role("button", name="none", exact=True).click()
    assert shown_incidents(page) == 0
    page.get_by_role("button", name="all", exact=True).click()
    assert shown_incidents(page) == expected_incidents(features, start=month("2018-11"))
    # Areas follow the time range by the dates of their claims (Quetta's only claim is from
    # 2018-07; Nangarhar's newest from 2019); the type filter is for incidents only.
    assert page.evaluate("window.gkCounts.regions") == 1
    assert page.evaluate("window.gkCounts.mentions") == len(render_fixture["mentions"]["features"])

    # A link to a hidden incident shows everything again, controls included.
    page.evaluate("location.hash = '#i=inc-0002'")  # 2017-03-15, before the range
    page.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    assert shown_incidents(page) == 70
    assert page.locator("input.gk-from").input_value() == str(month("2016"))
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_fullscreen_toggles(tab, render_site):
    page, watch = tab
    open_map(page, render_site)
    button = page.locator("button.gk-fullscreen-button")
    assert button.get_attribute("aria-pressed") == "false"
    pressed = "() => document.querySelector('.gk-fullscreen-button').getAttribute('aria-pressed')"
    button.click()
    page.wait_for_function(f"() => document.fullscreenElement === document.documentElement && ({pressed})() === 'true'")
    assert button.get_attribute("title") == "Leave full screen"
    button.click()
    page.wait_for_function(f"() => document.fullscreenElement === null && ({pressed})() === 'false'")
    assert button.get_attribute("title") == "Full screen"
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_document_list_links_to_each_map_and_text(tab, render_site, render_fixture):
    page, watch = tab
    open_map(page, render_site)
    docs = render_fixture["documents"]
    page.locator(".gk-doclist summary").click()
    items = page.locator(".gk-doclist li")
    assert items.count() == len(docs)
    for i, doc in enumerate(docs):
        item = items.nth(i)
        assert item.locator(".gk-doc-title").inner_text() == doc["title"]
        assert item.locator(".gk-doc-counts").inner_text() == "{} incident · {} area{} · {} mentions".format(
            doc["counts"]["incidents"], doc["counts"]["regions"], "" if doc["counts"]["regions"] == 1 else "s",
            doc["counts"]["mentions"])
        assert item.locator("a.gk-doc-map").get_attribute("href") == f"#doc={doc['id']}"
        assert item.locator("a.gk-doc-source").get_attribute("href") == f"sources/{doc['id']}.html"
    assert items.nth(0).locator("a.gk-doc-article").get_attribute("href") == "https://example.com/mastung"
    assert items.nth(1).locator("a.gk-doc-article").count() == 0  # javascript: URL

    # One map: a document's view is the map filtered to it, named by the address.
    items.nth(0).locator("a.gk-doc-map").click()
    page.wait_for_function("() => window.gkCounts.incidents === 1")
    assert "doc=000_aaaa" in page.evaluate("location.hash")
    assert page.evaluate("window.gkCounts") == {"incidents": 1, "regions": 2, "mentions": 4}
    assert page.locator(".gk-panel h1").inner_text() == docs[0]["title"] == page.title()
    page.locator(".gk-nav a", has_text="Read the article text").click()
    page.wait_for_url("**/sources/000_aaaa.html")
    assert page.locator("nav a").first.get_attribute("href") == "../index.html#doc=000_aaaa"
    page.locator("nav a", has_text="All documents").click()
    page.wait_for_url("**/documents.html")
    rows = page.locator("tbody tr")
    assert rows.count() == len(docs)
    assert rows.nth(1).locator("td.title").inner_text() == docs[1]["title"]
    assert [rows.nth(i).locator("td.n").all_inner_texts() for i in range(2)] == [
        ["1", "1", "2", "4"], ["2", "1", "1", "2"]]
    rows.nth(1).locator("a.doc-source").click()
    page.wait_for_url("**/sources/001_bbbb.html")
    page.go_back()
    rows.nth(1).locator("a.doc-map", has_text="map").click()
    page.wait_for_function("() => window.gkReady === true && window.gkCounts.mentions === 2")
    assert page.url.endswith("/index.html#doc=001_bbbb") or "doc=001_bbbb" in page.evaluate("location.hash")
    assert page.evaluate("window.gkCounts") == {"incidents": 1, "regions": 1, "mentions": 2}
    page.locator(".gk-all-link").click()
    page.wait_for_function("() => window.gkCounts.mentions === 6")
    assert "doc=" not in page.evaluate("location.hash")

    # The old per-document address is a small page that sends the reader there, fragment kept.
    page.goto((render_site / "000_aaaa.html").as_uri() + "#i=inc-mastung")
    page.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    assert page.url.split("#")[0].endswith("/index.html")
    assert "doc=000_aaaa" in page.evaluate("location.hash")
    assert (render_site / "000_aaaa.html").stat().st_size < 2000
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_approximate_incident_outline_evidence_and_correction(tab, render_site):
    page, watch = tab
    open_map(page, render_site)
    assert page.locator("path.gk-area-outline").count() == 0
    page.locator("path.gk-incident.gk-approximate").hover()
    page.locator("path.gk-area-outline").wait_for()
    page.mouse.move(5, 400)
    page.wait_for_function("document.querySelectorAll('path.gk-area-outline').length === 0")
    page.locator("path.gk-incident.gk-approximate").click()
    popup = page.locator(".leaflet-popup-content")
    assert "district-level: Jalalabad District" in popup.inner_text()
    assert page.locator("path.gk-area-outline").count() == 1  # kept while the popup is open

    page.evaluate("location.hash = '#i=inc-mastung'")
    page.locator(".gk-popup-incident .gk-correction").wait_for()
    correction = page.locator(".gk-correction")
    assert correction.locator("strong").inner_text() == "Analyst correction"
    assert correction.locator("p").inner_text() == "Toll is 128 killed, not 131 <img src=x onerror=alert(1)>"
    assert page.locator(".leaflet-popup-content img").count() == 0

    page.evaluate("location.hash = '#r=reg-nangarhar'")
    page.locator(".gk-popup-region").wait_for()
    assert "2 claims, newest 2019" in page.locator(".gk-popup-region dl").inner_text()
    opacities = page.locator("path.gk-region").evaluate_all("paths => paths.map(p => p.getAttribute('fill-opacity'))")
    assert sorted(opacities) == ["0.28", "0.35"]  # Quetta (1 claim, a point), Nangarhar (2 claims)
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


# --- a hostile corpus through the whole pipeline ------------------------------------------
HOSTILE_TEXT = (
    "A suicide bomber <img src=x onerror=\"window.__pwned='img'\"> killed 12 people at a market in Jalalabad "
    "on 5 March 2019, officials said.\n"
    "IS-K fighters wrote <script>window.__pwned='script'</script> on a wall in Mastung, Balochistan.\n"
    "The group \"controls\" parts of Nangarhar province, according to 'local' elders & officials "
    "(Dawn, March 6, 2019).\n"
)
HOSTILE_SIDECAR = (
    "id,title,outlet,author,date,url\n"
    "000_hostile,\"Report <script>window.__pwned='title'</script> \"\"quoted\"\" & 'single'\","
    "\"<img src=x onerror=\"\"window.__pwned='outlet'\"\">\",\"\"\"><svg onload=\"\"window.__pwned='author'\"\">\","
    "2019-03-06,javascript:window.__pwned='url'\n"
    "001_plain,Quetta attack,Example News,,2020-06-02,\"https://example.com/a?b=1&c=<script>\"\n"
)
TRAP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def hostile_maps(tmp_path_factory, gazetteer):
    from geo_khorasan.pipeline import build

    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "000_hostile.txt").write_text(HOSTILE_TEXT, "utf-8")
    (seeds / "001_plain.txt").write_text("Gunmen killed 3 policemen in Quetta on 2 June 2020, police said.\n", "utf-8")
    (seeds / "metadata.csv").write_text(HOSTILE_SIDECAR, "utf-8")
    report = build(seeds, root / "maps", gazetteer)
    assert report.errors == [] and report.incidents >= 1
    return root / "maps"


def assert_nothing_ran(page, watch, scripts: int) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__csp") == []  # no injected script, handler or image was even tried
    assert page.locator("img, svg[onload], [onerror], [onload]").count() == 0
    assert page.locator("script").count() == scripts
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_hostile_corpus_runs_no_script(tab, hostile_maps):
    import json

    page, watch = tab
    page.add_init_script(TRAP)
    title = "Report <script>window.__pwned='title'</script> \"quoted\" & 'single'"
    incidents = json.loads((hostile_maps / "incidents.geojson").read_text("utf-8"))["features"]
    regions = json.loads((hostile_maps / "regions.geojson").read_text("utf-8"))["features"]
    mentions = json.loads((hostile_maps / "mentions.geojson").read_text("utf-8"))["features"]

    for name in ("index.html", "000_hostile.html"):
        page.goto((hostile_maps / name).as_uri())
        page.wait_for_function("() => window.gkReady === true")
        if name == "index.html":
            page.locator(".gk-doclist summary").click()
            assert page.locator(".gk-doclist .gk-doc-title").first.inner_text() == title
            assert page.locator(".gk-doclist a.gk-doc-article").count() == 0  # neither URL is a safe http(s) link
            # Every popup is built when it opens: open them all.
            targets = [("i", f["properties"]["id"]) for f in incidents]
            targets += [("r", f["properties"]["id"]) for f in regions]
            targets += [("m", f["properties"]["id"]) for f in mentions]
            for kind, ident in targets:
                if page.locator(".leaflet-popup-close-button").count():
                    page.locator(".leaflet-popup-close-button").click()
                    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")
                page.evaluate("h => { location.hash = h; }", f"#{kind}={ident}")
                page.wait_for_function("() => document.querySelectorAll('.leaflet-popup-content').length === 1")
        else:
            assert page.title() == title
            assert page.locator(".gk-panel h1").inner_text() == title
        assert_nothing_ran(page, watch, scripts=4)

    hostile = next(f for f in incidents if f["properties"]["sources"][0]["doc"] == "000_hostile")
    page.goto((hostile_maps / "index.html").as_uri() + "#i=" + hostile["properties"]["id"])
    popup = page.locator(".leaflet-popup-content .gk-popup-incident")
    popup.wait_for()
    assert "<img src=x onerror=" in popup.locator("blockquote").inner_text()
    assert popup.locator("a[href^='http']").count() == 0  # the javascript: URL is shown as text
    assert popup.locator(".gk-url").inner_text() == "javascript:window.__pwned='url'"
    popup.get_by_text("sentence in the source text").click()
    page.wait_for_url("**/sources/000_hostile.html#s*")
    assert_nothing_ran(page, watch, scripts=0)

    page.goto((hostile_maps / "sources" / "000_hostile.html").as_uri())
    assert page.locator("h1").inner_text() == title
    assert "<script>window.__pwned='script'</script>" in page.locator(".article").inner_text()
    assert "javascript:window.__pwned='url'" in page.locator("dl.meta").inner_text()
    assert_nothing_ran(page, watch, scripts=0)

    page.goto((hostile_maps / "documents.html").as_uri())
    assert page.locator("td.title").first.inner_text() == title
    assert page.locator("a.doc-article").count() == 0  # neither URL is a safe http(s) link
    assert_nothing_ran(page, watch, scripts=0)


# --- issue 14: layout, palette, table and export, state in the link, keyboard, print ---------
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sized(browser):
    """``sized(viewport)``: a page of that size, network blocked and counted like ``tab``."""
    contexts = []

    def make(viewport, **options):
        context = browser.new_context(viewport=viewport, accept_downloads=True, **options)
        contexts.append(context)
        watch = Watch()

        def route(route):
            if route.request.url.startswith(("file://", "blob:", "data:")):
                route.continue_()
            else:
                watch.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:")) or r.url in watch.blocked
                else watch.blocked.append(r.url))
        page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda error: watch.errors.append(str(error)))
        return page, watch

    yield make
    for context in contexts:
        context.close()


OVERLAPS = """() => {
  const popup = document.querySelector('.leaflet-popup');
  if (!popup) return ['no popup'];
  const p = popup.getBoundingClientRect();
  const bad = [];
  if (p.left < 0 || p.top < 0 || p.right > innerWidth || p.bottom > innerHeight) bad.push('outside the window');
  const boxes = [...document.querySelectorAll('.leaflet-control-container .leaflet-control')];
  const side = document.querySelector('.gk-side');
  boxes.push(side);
  for (const c of boxes) {
    const r = c.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(c).display === 'none') continue;
    if (r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom) bad.push(c.className);
  }
  return bad;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_control_overlaps_an_open_popup(sized, render_site, viewport):
    page, watch = sized(viewport)
    open_map(page, render_site)
    for target in ("#i=inc-mastung", "#i=inc-jalalabad", "#r=reg-nangarhar", "#r=reg-quetta"):
        page.evaluate("h => { location.hash = h; }", target)
        page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 1")  # the old one faded out
        page.locator(".leaflet-popup-content .gk-popup").wait_for()
        page.wait_for_timeout(300)  # autoPan
        assert page.evaluate(OVERLAPS) == [], target
    # Clicked rather than linked, after the view moved: still clear of every control.
    page.locator(".leaflet-popup-close-button").click()
    if viewport is PHONE:
        assert page.locator(".gk-side-body").is_hidden()  # the sheet is closed: one button
        page.locator(".gk-sheet-toggle").click()
        assert page.locator(".gk-filters").is_visible()
        page.locator(".gk-sheet-toggle").click()
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")
    page.locator("path.gk-incident").first.click()
    page.wait_for_timeout(300)
    assert page.evaluate(OVERLAPS) == []
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def fill_of(page, type_: str) -> str:
    return page.locator(f"path.gk-incident[aria-label^='{type_},']").first.get_attribute("fill")


def test_colours_of_a_type_equal_across_two_maps(sized, tmp_path, render_fixture):
    from geo_khorasan.render import style
    from geo_khorasan.render.map import render_map

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    render_map(tmp_path / "a" / "index.html", **render_fixture)
    render_map(tmp_path / "b" / "index.html", **{**render_fixture, "incidents": synthetic_incidents(12)})
    page, watch = sized(DESKTOP)
    colours = []
    for folder in ("a", "b"):
        open_map(page, tmp_path / folder)
        legend = page.locator(".gk-legend-types li").evaluate_all(
            "items => Object.fromEntries(items.map(li => [li.dataset.type, li.querySelector('.gk-swatch').style.background]))")
        colours.append((fill_of(page, "suicide bombing"), legend["suicide bombing"]))
    assert colours[0][0] == colours[1][0] == style.INCIDENT_COLORS["suicide bombing"]
    assert colours[0][1] == colours[1][1]
    town = page.locator("path.gk-town").first
    assert town.get_attribute("fill") == style.TOWN_STYLE["fillColor"]
    assert page.locator(".gk-legend-town").is_visible()
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def table_ids(page) -> list[str]:
    return page.locator(".gk-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")


def test_table_follows_filters_and_exports_what_is_shown(sized, tmp_path, render_fixture, drawn):
    import csv
    import io
    import json

    from geo_khorasan.render.map import render_map

    render_map(tmp_path / "index.html", **{**render_fixture, "incidents": synthetic_incidents(70)})
    page, watch = sized(DESKTOP)
    open_map(page, tmp_path)

    def check():
        n = shown_incidents(page)
        assert len(table_ids(page)) == n
        return n

    assert check() == 70
    slide(page, "input.gk-from", month("2017-03"))
    assert check() < 70
    page.locator("label.gk-type", has_text="kidnapping").locator("input").uncheck()
    page.locator(".gk-undated input").uncheck()
    shown = check()
    page.fill("input.gk-search", "place 1")
    check()
    page.fill("input.gk-search", "")
    assert check() == shown

    # Sorting: by toll, most killed first; then by place, A to Z.
    page.locator(".gk-table th.gk-col-toll button").click()
    tolls = [int(t) for t in page.locator(".gk-table td.gk-col-toll").all_inner_texts()]
    assert tolls == sorted(tolls, reverse=True)
    assert page.locator(".gk-table th.gk-col-toll").get_attribute("aria-sort") == "descending"
    page.locator(".gk-table th.gk-col-place button").click()
    places = [p.removeprefix("\u2248 ") for p in page.locator(".gk-table td.gk-col-place").all_inner_texts()]
    assert places == sorted(places)

    # The export holds exactly the rows of the table, in its order; made in the page.
    with page.expect_download() as info:
        page.locator("button.gk-export-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert [r["id"] for r in rows] == table_ids(page)
    with page.expect_download() as info:
        page.locator("button.gk-export-geojson").click()
    exported = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert [f["properties"]["id"] for f in exported["features"]] == table_ids(page)

    # A row opens its incident on the map; the popup's incident is the selected row.
    first = page.locator(".gk-table tbody tr").first
    wanted = first.get_attribute("data-id")
    first.click()
    page.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    assert f"i={wanted}" in page.evaluate("location.hash")
    assert page.locator(".gk-table tr.gk-selected").get_attribute("data-id") == wanted
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_a_link_reopens_the_same_view_filters_and_popup(sized, tmp_path, render_fixture, drawn):
    from geo_khorasan.render.map import render_map

    render_map(tmp_path / "index.html", **{**render_fixture, "incidents": synthetic_incidents(70)})
    page, watch = sized(DESKTOP)
    open_map(page, tmp_path)
    slide(page, "input.gk-from", month("2017-03"))
    slide(page, "input.gk-to", month("2018-12"))
    page.locator("label.gk-type", has_text="airstrike").locator("input").uncheck()
    page.locator(".gk-table th.gk-col-place button").click()
    row = page.locator(".gk-table tbody tr").nth(2)
    wanted = row.get_attribute("data-id")
    row.click()
    page.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    page.wait_for_timeout(300)
    before = page.evaluate("""() => ({counts: window.gkCounts, ids: [...document.querySelectorAll('.gk-table tbody tr')].map(r => r.dataset.id),
        from: document.querySelector('input.gk-from').value, to: document.querySelector('input.gk-to').value,
        popup: document.querySelector('.leaflet-popup-content').innerText})""")
    view = page.evaluate("location.hash").split("&")[0]
    url = page.url
    assert "from=2017-03" in url and "to=2018-12" in url and f"i={wanted}" in url and "sort=place-asc" in url

    other, watch2 = sized(DESKTOP)
    other.goto(url)
    other.wait_for_function("() => window.gkReady === true")
    other.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    other.wait_for_timeout(300)
    after = other.evaluate("""() => ({counts: window.gkCounts, ids: [...document.querySelectorAll('.gk-table tbody tr')].map(r => r.dataset.id),
        from: document.querySelector('input.gk-from').value, to: document.querySelector('input.gk-to').value,
        popup: document.querySelector('.leaflet-popup-content').innerText})""")
    assert after == before
    assert other.locator("label.gk-type", has_text="airstrike").locator("input").is_checked() is False
    assert other.evaluate("location.hash").split("&")[0] == view  # the same centre and zoom

    # A fragment that cannot be read is ignored, with a note.
    other.goto((tmp_path / "index.html").as_uri() + "#v=north,east,9&bogus=1")
    other.wait_for_function("() => window.gkReady === true")
    assert "could not be read" in other.locator(".gk-note").inner_text()
    assert other.evaluate("window.gkCounts.incidents") == 70
    for w in (watch, watch2):
        assert w.blocked == [] and w.dialogs == [] and w.errors == []


def test_tab_reaches_every_marker_and_area_enter_opens_escape_closes(sized, render_site, render_fixture):
    page, watch = sized(DESKTOP)
    open_map(page, render_site)
    names = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        if label:
            names.add(label)
    assert "suicide bombing, Mastung, 2018-07-13, 128 killed" in names
    assert ("armed attack, Jalalabad, 2019-03, toll unknown, approximate location "
            "(district-level: Jalalabad District)") in names
    assert any(n.startswith("Nangarhar, IS-K area: stronghold, 2 claims") for n in names)
    assert any(n.startswith("Quetta, IS-K area: hub") for n in names)

    marker = page.locator("path.gk-incident[aria-label^='suicide bombing']")
    marker.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    assert "Mastung" in page.locator(".leaflet-popup-content").inner_text()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("suicide bombing")
    assert page.locator("path.gk-incident[role=button]").count() == len(render_fixture["incidents"]["features"])
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_print_shows_map_legend_title_date_and_attribution_not_controls(sized, render_site):
    page, watch = sized(DESKTOP)
    open_map(page, render_site)
    page.emulate_media(media="print")
    for hidden in (".leaflet-control-zoom", ".gk-fullscreen", ".gk-fitall", ".gk-controls", ".gk-incidents",
                   ".gk-layers", ".gk-sheet-toggle"):
        assert page.locator(hidden).first.is_hidden(), hidden
    for shown in (".gk-map", ".gk-legend", ".gk-side h1", ".gk-asof", ".leaflet-control-attribution"):
        assert page.locator(shown).first.is_visible(), shown
    assert page.locator(".gk-asof").inner_text() == "Articles up to 2019"
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_areas_follow_the_time_range_and_play_steps_by_month(sized, render_site):
    page, watch = sized(DESKTOP)
    open_map(page, render_site)
    assert page.evaluate("window.gkCounts.regions") == 2
    slide(page, "input.gk-to", month("2018-07"))
    assert page.evaluate("window.gkCounts.regions") == 2  # both have a claim from 2018-07
    slide(page, "input.gk-from", month("2019-01"))
    assert page.evaluate("window.gkCounts.regions") == 1  # only Nangarhar is claimed in 2019
    slide(page, "input.gk-from", month("2018-07"))
    slide(page, "input.gk-to", month("2018-07"))
    page.evaluate("GK.play.step()")
    assert page.locator("input.gk-to").input_value() == str(month("2018-08"))
    assert page.locator(".gk-time-range").inner_text() == "2018-07 \u2013 2018-08"
    page.locator("button.gk-play").click()
    assert page.locator("button.gk-play").get_attribute("aria-pressed") == "true"
    page.locator("button.gk-play").click()
    assert page.locator("button.gk-play").get_attribute("aria-pressed") == "false"
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


# --- many incidents: dots on one canvas, the table as the keyboard path -------------------
def test_many_incidents_are_dots_reached_by_keyboard_through_the_table(sized, tmp_path, render_fixture, monkeypatch):
    from geo_khorasan.render.map import render_map

    monkeypatch.setattr("geo_khorasan.render.map.DOTS_FROM", 1)
    render_map(tmp_path / "index.html", **render_fixture)
    page, watch = sized(DESKTOP)
    open_map(page, tmp_path)
    assert page.locator("canvas.gk-dots").count() == 1
    assert page.locator("path.gk-incident").count() == 0  # no DOM node per incident
    assert page.locator("path.gk-region").count() == 2  # areas stay focusable SVG
    assert shown_incidents(page) == len(table_ids(page)) == 2

    # Tab reaches the rows of the table, each named as its marker would be; Enter opens the
    # incident on the map, Escape closes it and gives focus back to the row.
    names = []
    for _ in range(60):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
        if names[-1] and names[-1].startswith("suicide bombing"):
            break
    assert names[-1] == "suicide bombing, Mastung, 2018-07-13, 128 killed: open on the map"
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content .gk-popup-incident")
    popup.wait_for()
    assert "Mastung" in popup.inner_text()
    assert "i=inc-mastung" in page.evaluate("location.hash")
    tip = page.locator(".leaflet-popup-tip").bounding_box()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")
    assert page.evaluate("document.activeElement.dataset.id") == "inc-mastung"

    # A click on a dot opens it: the popup's tip points at the dot it was opened from.
    page.mouse.click(tip["x"] + tip["width"] / 2, tip["y"] + tip["height"] + 12)
    popup.wait_for()
    assert "Mastung" in popup.inner_text()
    page.locator(".leaflet-popup-close-button").click()
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 0")

    # The approximate incident's area is outlined while the pointer is over its dot.
    page.evaluate("location.hash = '#i=inc-jalalabad'")
    popup.wait_for()
    assert page.locator("path.gk-area-outline").count() == 1
    tip = page.locator(".leaflet-popup-tip").bounding_box()
    page.locator(".leaflet-popup-close-button").click()
    page.wait_for_function("() => document.querySelectorAll('path.gk-area-outline').length === 0")
    x, y = tip["x"] + tip["width"] / 2, tip["y"] + tip["height"] + 12
    page.mouse.move(x, y)
    page.locator("path.gk-area-outline").wait_for()

    # Dragging the map by a dot moves the map and opens nothing, though the dot ends under the pointer.
    page.mouse.down()
    page.mouse.move(x + 80, y, steps=5)
    page.mouse.move(x + 160, y + 40, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-popup").count() == 0
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_crowded_dots_are_counted_in_cells_a_click_zooms_in(sized, tmp_path, render_fixture, monkeypatch):
    from geo_khorasan.render.map import render_map

    monkeypatch.setattr("geo_khorasan.render.map.DOTS_FROM", 1)
    monkeypatch.setattr("geo_khorasan.render.map.CELLS_ABOVE", 20)
    render_map(tmp_path / "index.html", **{**render_fixture, "incidents": synthetic_incidents(70)})
    page, watch = sized(DESKTOP)
    open_map(page, tmp_path)
    cells = page.evaluate("GK.cells()")
    assert sum(c["n"] for c in cells) == shown_incidents(page) == 70  # every shown incident counted once
    assert "grey disc with a number" in page.locator(".gk-legend-cells").inner_text()
    page.locator("label.gk-type", has_text="kidnapping").locator("input").uncheck()
    cells = page.evaluate("GK.cells()")
    assert sum(c["n"] for c in cells) == shown_incidents(page) == len(table_ids(page))

    zoom = float(page.evaluate("location.hash").split("&")[0].split(",")[2])
    biggest = max(cells, key=lambda c: c["n"])
    page.mouse.click(biggest["x"], biggest["y"])
    page.wait_for_function(f"() => +location.hash.split('&')[0].split(',')[2] > {zoom}")
    assert page.locator(".leaflet-popup").count() == 0
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_keyboard_reaches_markers_inside_clusters(sized, tmp_path, render_fixture):
    from geo_khorasan.render.map import render_map

    render_map(tmp_path / "index.html", **{**render_fixture, "incidents": synthetic_incidents(70)})
    page, watch = sized(DESKTOP)
    open_map(page, tmp_path)
    label = "() => document.activeElement.getAttribute('aria-label') || ''"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(label).startswith("cluster of "):
            break
    assert page.evaluate(label).startswith("cluster of ")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "button"
    # Enter zooms in and gives focus to what the cluster held: a marker or a smaller cluster.
    for _ in range(6):
        before = page.evaluate(label)
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => ({label})() !== {before!r} && ({label})() !== ''")
        if not page.evaluate(label).startswith("cluster of "):
            break
    name = page.evaluate(label)
    assert name.split(", ")[0] in SYNTHETIC_TYPES and name.startswith(tuple(SYNTHETIC_TYPES))
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content .gk-popup-incident").wait_for()
    assert watch.blocked == [] and watch.dialogs == [] and watch.errors == []


def test_phone_attribution_is_cut_and_opens_in_full(sized, tmp_path, render_fixture):
    from geo_khorasan.render.map import render_map

    sources = ", ".join(f"Source {i} (CC BY 4.0)" for i in range(12))  # as long as a real map's
    render_map(tmp_path / "index.html", **{**render_fixture, "attribution": sources})
    page, watch = sized(PHONE)
    open_map(page, tmp_path)
    line = page.locator(".leaflet-control-attribution")
    cut = "e => e.scrollWidth > e.clientWidth + 1"
    assert line.evaluate(cut)  # one line, cut at the width of the screen
    box = line.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # its start on the screen
    assert line.inner_text().strip().startswith("Leaflet")
    page.get_by_role("button", name="Show the map's sources in full").click()
    button = page.locator(".gk-attr-button")
    assert not line.evaluate(cut) and line.evaluate("e => e.getBoundingClientRect().height") > 20
    assert button.get_attribute("aria-expanded") == "true"
    box = line.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["y"] >= 0
    page.get_by_role("button", name="Shorten the map's sources").click()
    assert line.evaluate(cut)
    box = line.bounding_box()
    line.click(position={"x": box["width"] - 8, "y": box["height"] / 2})  # a tap on the line opens it too (not on its link)
    assert not line.evaluate(cut)

    desktop, watch2 = sized(DESKTOP)
    open_map(desktop, tmp_path)
    assert desktop.locator(".gk-attr-button").is_hidden()  # room enough for the whole line
    for w in (watch, watch2):
        assert w.blocked == [] and w.dialogs == [] and w.errors == []
