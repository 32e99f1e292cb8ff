"""A deterministic corpus for throughput measurements: N articles of ~5 KB built from the seed
articles' sentences, each place name the seeds write swapped for another place of the index.

    python benchmarks/corpus.py OUT_DIR [-n 500] [--seed 13] [--seeds seeds] [--index FILE]

The same seed, seeds folder and index give the same files, byte for byte. Sentences keep their
cues (dates, tolls, "in X district"), so that the corpus is read, resolved and assembled as the
seeds are; the swapped names come from the theatre's provinces, districts and towns, at the level
the text gives ("X district" gets a district).
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # this checkout's code, wherever the script is run from

from geo_khorasan.corpus import read_corpus  # noqa: E402
from geo_khorasan.gazetteer.index import Gazetteer  # noqa: E402
from geo_khorasan.recognise import Recogniser  # noqa: E402
from geo_khorasan.vocabulary import THEATRE  # noqa: E402

ARTICLE_CHARS = 5000
_LEVEL_WORD = re.compile(r"\s+(?:district|province|city|town|village|agency|tehsil|area|valley)$", re.I)
_PLAIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}")


def place_pool(gaz: Gazetteer) -> dict[str, list[str]]:
    """Plain names of the theatre's places by level, sorted (so that a seed always picks the same)."""
    pool: dict[str, set[str]] = {"province": set(), "district": set(), "town": set()}
    marks = ",".join("?" * len(THEATRE))
    for name, level in gaz._con.execute(
            f"SELECT name, level FROM places WHERE country IN ({marks}) AND level IN ('province','district','town')",
            sorted(THEATRE)):
        if _PLAIN_NAME.fullmatch(name):
            pool[level].add(name)
    return {k: sorted(v) for k, v in pool.items()}


def sentence_pool(seeds: Path, gaz: Gazetteer) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Every seed sentence with the spans of the place names in it (relative to the sentence)."""
    recogniser = Recogniser(gaz)
    out = []
    for doc in read_corpus(seeds):
        spans: dict[tuple[int, int], list] = {}
        for m in recogniser.mentions(doc):
            if m.region or not m.known or m.dateline:
                continue
            spans.setdefault((m.sentence_start, m.sentence_end), []).append(m)
        for s, e in doc.sentences:
            text = doc.text[s:e].strip()
            if len(text) < 20 or "\n" in text:
                continue
            lead = doc.text[s:e].index(text[0])
            places = [(m.start - s - lead, m.end - s - lead, m.level_hint or "") for m in spans.get((s, e), [])]
            out.append((text, places))
    return out


def _swap(text: str, places: list[tuple[int, int, str]], names: dict[str, list[str]], rnd: random.Random) -> str:
    parts, at = [], 0
    for s, e, hint in sorted(places):
        if s < at:
            continue
        old = text[s:e]
        tail = _LEVEL_WORD.search(old)
        level = hint if hint in names else ("district" if tail and "district" in tail.group().lower() else "town")
        parts += [text[at:s], rnd.choice(names[level]), tail.group() if tail else ""]
        at = e
    parts.append(text[at:])
    return "".join(parts)


def generate(out: Path, n: int, seed: int = 13, seeds: Path = REPO / "seeds", gaz: Gazetteer | None = None) -> Path:
    """Write ``n`` articles and their metadata.csv into ``out`` (created); returns ``out``."""
    gaz = gaz or Gazetteer.open()
    names = place_pool(gaz)
    sentences = sentence_pool(seeds, gaz)
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for k in range(n):
        paragraphs, size, para = [], 0, []
        while size < ARTICLE_CHARS:
            text, places = rnd.choice(sentences)
            s = _swap(text, places, names, rnd)
            para.append(s)
            size += len(s) + 1
            if len(para) >= rnd.randint(3, 5):
                paragraphs.append(" ".join(para))
                para = []
        if para:
            paragraphs.append(" ".join(para))
        doc_id = f"{k:05d}_gen"
        (out / f"{doc_id}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        year, month, day = rnd.randint(2015, 2024), rnd.randint(1, 12), rnd.randint(1, 28)
        rows.append({"id": doc_id, "title": f"Generated article {k}", "outlet": "Benchmark", "author": "",
                     "date": f"{year}-{month:02d}-{day:02d}", "url": ""})
    with open(out / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "title", "outlet", "author", "date", "url"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=500, help="number of articles (default 500)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds", help="folder of seed articles")
    ap.add_argument("--index", type=Path, help="gazetteer index file (default: the configured one)")
    args = ap.parse_args()
    gaz = Gazetteer(args.index) if args.index else Gazetteer.open()
    generate(args.out, args.n, args.seed, args.seeds, gaz)
    print(f"{args.n} articles -> {args.out}")


if __name__ == "__main__":
    main()
