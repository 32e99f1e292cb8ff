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
    page.wait_for_function("window.gkReady === true", timeout=5000)


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
    assert back.get_attribute("href") == f"../index.html#m={wanted}"
    back.click()
    page.wait_for_function("window.gkReady === true", timeout=5000)
    page.locator(".leaflet-popup-content .gk-focus").wait_for()
    assert page.locator(".leaflet-popup-content mark").inner_text() == "Jalalabad"
    assert page.evaluate("location.hash") == f"#m={wanted}"
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
    assert "2019 (inferred)" in dates[0] and "2018-07-14" in dates[1]  # newest first
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
    page.wait_for_function("window.gkCounts !== undefined")
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
