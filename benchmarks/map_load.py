"""Map figures in headless Chromium (network blocked): the seed map, synthetic maps with
1,000, 10,000 and 100,000 incidents, and the size of the output folder for 1,000 articles.

    python benchmarks/map_load.py [--seeds DIR] [--gazetteer DIR] [--incidents 1000,10000,100000]
                                  [--articles 1000] [--runs 3] [--trace DIR] [--mentions 0]

For each page: file size, time to the load event and to the map being ready (every feature
drawn, the table filled, ``window.gkReady``), both measured by the page from navigation start
(median of ``--runs`` fresh tabs). For the synthetic maps also: time to apply the time, type,
document and place filters (the handler alone, then to the next painted frame; the incident
table follows each), and the JS heap after a garbage collection (Chrome DevTools Protocol).
The folder figure is index.html, documents.html, one redirect page and one source page per
article (five incidents each). Targets (issue 14): 100k ready <= 3 s, each filter step <= 200 ms,
1,000 articles <= 30 MB. ``--mentions K`` gives every synthetic incident K place mentions too
(the seed articles have about 15 an incident). Figures are printed, nothing is asserted. ``--trace DIR`` also writes
a Chromium performance trace of one load of each synthetic map (``DIR/load-<n>.json``; open it
in Chromium's DevTools, Performance panel, "Load profile").
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TYPES = ("suicide bombing", "armed attack", "targeted killing", "security operation", "airstrike",
         "kidnapping", "bombing", "drone strike")
PLACES = ("Jalalabad", "Mastung", "Quetta", "Peshawar", "Kabul", "Kunar", "Bajaur", "Darzab")


def synthetic_inputs(n: int, basemap: dict, attribution: str, n_docs: int = 20, mentions: int = 0) -> dict:
    """``render_map`` keyword arguments: ``n`` incidents from ``n_docs`` documents, each with
    ``mentions`` place mentions of its sentence's place (fixed seed)."""
    rng = random.Random(5)
    docs = []
    for d in range(n_docs):
        sentences, text = [], ""
        for s in range(max(1, n // n_docs)):
            place = PLACES[(d + s) % len(PLACES)]
            sentence = (f"Report {s}: an attack in {place} killed {rng.randint(0, 40)} people, "
                        f"officials said (Dawn, March {1 + s % 28}, 2019).")
            sentences.append([len(text), len(text) + len(sentence)])
            text += sentence + " "
        docs.append({"id": f"doc{d:04d}", "title": f"Synthetic report {d}", "outlet": "Synthetic Times",
                     "date": f"{2015 + d % 10}-{1 + d % 12:02d}", "url": f"https://example.com/{d}", "text": text,
                     "sentences": sentences, "counts": {"incidents": n // n_docs, "regions": 0, "mentions": 0}})
    features = []
    for i in range(n):
        doc = docs[i % n_docs]
        s_start, s_end = doc["sentences"][(i // n_docs) % len(doc["sentences"])]
        sentence = doc["text"][s_start:s_end]
        place = next(p for p in PLACES if p in sentence)
        start = s_start + sentence.index(place)
        year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
        date = rng.choice((f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}", str(year), None))
        precision = rng.choice((1, 1, 1, 2, 3, 4, 6))
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(rng.uniform(61, 74), 5), round(rng.uniform(25, 37.5), 5)]},
            "properties": {
                "id": f"inc-{i:05d}", "date": date, "type": rng.choice(TYPES), "fatalities": rng.choice((None, 0, 1, 3, 10, 40)),
                "injured": rng.choice((None, 0, 5)), "actor": "IS-K", "place_name": place, "place_id": f"p{i % 50}",
                "precision": precision, "precision_words": None,
                "sources": [{"doc": doc["id"], "start": start, "end": start + len(place), "text": place,
                             "sentence_start": s_start, "sentence_end": s_end, "sentence": sentence,
                             "citation": "Dawn, March 1, 2019", "url": doc["url"], "mention_id": f"{doc['id']}:{start}"}],
            },
        })
    places = []
    for i, incident in enumerate(features):
        source = incident["properties"]["sources"][0]
        for k in range(mentions):
            places.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(rng.uniform(61, 74), 5), round(rng.uniform(25, 37.5), 5)]},
                "properties": {
                    "id": f"{source['doc']}:{i}:{k}", "doc": source["doc"], "place_name": source["text"], "place_id": f"p{i % 50}",
                    "level": "town", "country": "AF", "role": "event" if k == 0 else "mention", "precision": 1,
                    "text": source["text"], "start": source["start"], "end": source["end"],
                    "sentence_start": source["sentence_start"], "sentence_end": source["sentence_end"], "rule": "the only candidate",
                    "candidates": [{"place_name": source["text"], "place_id": f"p{i % 50}", "country": "AF", "level": "town",
                                    "score": 0.9, "why": "population"}],
                },
            })
    empty = {"type": "FeatureCollection", "features": []}
    return {"title": f"Synthetic: {n} incidents", "mentions": {"type": "FeatureCollection", "features": places}, "regions": empty,
            "incidents": {"type": "FeatureCollection", "features": features}, "documents": docs,
            "basemap": basemap, "attribution": attribution}


def _context(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    blocked: list[str] = []

    def route(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return context, blocked


def load(browser, path: Path, runs: int) -> dict:
    loads, readies, blocked_all = [], [], []
    for _ in range(runs):
        context, blocked = _context(browser)
        page = context.new_page()
        page.goto(path.as_uri(), timeout=300_000)
        page.wait_for_function("() => window.gkReady === true", timeout=300_000)
        loads.append(page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd"))
        readies.append(page.evaluate("() => window.gkReadyAt"))
        blocked_all += blocked
        context.close()
    return {"load": statistics.median(loads), "ready": statistics.median(readies), "blocked": len(blocked_all)}


FILTER = """async ([selector, value]) => {
  const input = document.querySelector(selector);
  const t0 = performance.now();
  if (input.type === "checkbox") { input.checked = value; input.dispatchEvent(new Event("change", {bubbles: true})); }
  else { input.value = value; input.dispatchEvent(new Event(input.tagName === "SELECT" ? "change" : "input", {bubbles: true})); }
  const t1 = performance.now();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [t1 - t0, performance.now() - t0, window.gkCounts.incidents];
}"""


def filters(browser, path: Path, time_values: tuple[int, int, int]) -> list[tuple[str, float, float, int]]:
    context, _ = _context(browser)
    page = context.new_page()
    page.goto(path.as_uri(), timeout=300_000)
    page.wait_for_function("() => window.gkReady === true", timeout=300_000)
    steps = [
        ("time: from slider one month on", "input.gk-from", str(time_values[0] + 1)),
        ("time: from slider to the middle", "input.gk-from", str(time_values[0] + time_values[2])),
        ("time: to slider back a year", "input.gk-to", str(time_values[1])),
        ("undated off", ".gk-undated input", False),
        ("one type off", "label.gk-type input", False),
        ("document filter", "select.gk-doc-filter", "doc0003"),
        ("place search 'jal'", "input.gk-search", "jal"),
        ("search cleared", "input.gk-search", ""),
        ("document filter cleared", "select.gk-doc-filter", ""),
    ]
    out = []
    for label, selector, value in steps:
        handler, frame, shown = page.evaluate(FILTER, [selector, value])
        out.append((label, handler, frame, shown))
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    nodes = page.evaluate("() => document.getElementsByTagName('*').length")
    context.close()
    return out, heap["usedSize"] / 1e6, nodes


def trace(browser, path: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    context, _ = _context(browser)
    page = context.new_page()
    browser.start_tracing(page=page, path=str(out), screenshots=False,
                          categories=["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink"])
    page.goto(path.as_uri(), timeout=300_000)
    page.wait_for_function("() => window.gkReady === true", timeout=300_000)
    browser.stop_tracing()
    context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds")
    ap.add_argument("--gazetteer", type=Path, default=REPO.parent / "shared" / "gazetteer")
    ap.add_argument("--incidents", default="1000,10000,100000", help="comma-separated sizes")
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--trace", type=Path, help="write a performance trace of each synthetic map's load here")
    ap.add_argument("--mentions", type=int, default=0, help="place mentions per synthetic incident")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from geo_khorasan.gazetteer.index import Gazetteer
    from geo_khorasan.pipeline import basemap_layers, build
    from geo_khorasan.render import map as render_module
    from geo_khorasan.render.map import month_span, render_map

    gaz = Gazetteer.open(args.gazetteer)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        maps = Path(tmp) / "maps"
        build(args.seeds, maps, gaz)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"seed maps (median of {args.runs} loads, ms from navigation start):")
        print(f"  {'page':28} {'size':>8} {'load event':>11} {'ready':>8} {'requests':>9}")
        for path in sorted(maps.glob("*.html"), key=lambda p: (p.name != "index.html", p.name)):
            if path.name == "documents.html" or path.stat().st_size < 5000:  # the table; redirect pages
                continue
            r = load(browser, path, args.runs)
            print(f"  {path.name:28} {path.stat().st_size / 1e6:6.2f}MB {r['load']:9.0f}ms {r['ready']:6.0f}ms {r['blocked']:9d}")

        for n in (int(x) for x in args.incidents.split(",")):
            inputs = synthetic_inputs(n, basemap_layers(gaz), gaz.attribution(), mentions=args.mentions)
            big = Path(tmp) / f"synthetic-{n}.html"
            render_map(big, **inputs, document_maps=True)
            size_mb = big.stat().st_size / 1e6
            r = load(browser, big, args.runs)
            months = [m for f in inputs["incidents"]["features"] for m in month_span(f["properties"]["date"]) if m is not None]
            half = (max(months) - min(months)) // 2
            steps, heap_mb, nodes = filters(browser, big, (min(months), max(months) - 12, half))
            if args.trace:
                trace(browser, big, args.trace / f"load-{n}.json")
            drawn = "dots on one canvas" if n >= render_module.DOTS_FROM else "SVG markers in clusters"
            print(f"synthetic map, {n} incidents ({len(inputs['mentions']['features'])} place mentions) from "
                  f"{len(inputs['documents'])} documents, drawn as {drawn}:")
            print(f"  file size      {size_mb:8.2f} MB")
            print(f"  load event     {r['load']:8.0f} ms   (median of {args.runs})")
            print(f"  ready          {r['ready']:8.0f} ms   (every incident drawn, table filled, view fitted)")
            print(f"  JS heap        {heap_mb:8.1f} MB   (after garbage collection; {nodes} DOM elements)")
            print(f"  requests       {r['blocked']:8d}      (all blocked and counted)")
            print("  filters (handler / to the next painted frame / incidents shown):")
            for label, handler, frame, shown in steps:
                print(f"    {label:34} {handler:6.0f} ms {frame:6.0f} ms {shown:7d}")
        browser.close()
        size = folder_size(Path(tmp) / "site", args.articles, gaz, args.mentions)
        print(f"output folder for {args.articles} articles ({args.mentions * 5} place mentions each): {size:.1f} MB")


def folder_size(out: Path, articles: int, gaz, mentions: int = 0) -> float:
    """Write a maps/ folder for ``articles`` synthetic articles (5 incidents each, ``mentions``
    place mentions an incident) and measure it."""
    from geo_khorasan.pipeline import basemap_layers
    from geo_khorasan.render.map import render_map
    from geo_khorasan.render.pages import render_documents_page, render_redirect_page, render_source_page

    inputs = synthetic_inputs(articles * 5, basemap_layers(gaz), gaz.attribution(), n_docs=articles, mentions=mentions)
    out.mkdir(parents=True, exist_ok=True)
    render_map(out / "index.html", **inputs, document_maps=True, documents_href="documents.html")
    render_documents_page(out / "documents.html", title="Documents", documents=inputs["documents"],
                          map_href="index.html", attribution=inputs["attribution"])
    by_doc: dict[str, list] = {}
    for mention in inputs["mentions"]["features"]:
        by_doc.setdefault(mention["properties"]["doc"], []).append(mention)
    for doc in inputs["documents"]:
        render_redirect_page(out / f"{doc['id']}.html", doc_id=doc["id"], title=doc["title"])
        render_source_page(out / "sources" / f"{doc['id']}.html", document=doc, mentions=by_doc.get(doc["id"], []),
                           map_href=f"index.html#doc={doc['id']}", attribution=inputs["attribution"])
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6


if __name__ == "__main__":
    main()
