"""Output size at archive scale (issues 13 and 14), on the deterministic corpus of benchmarks/corpus.py.

    python benchmarks/output_size.py [--sizes 200,800] [--index FILE] [--work DIR] [--out-of DIR ...]

For each size: generates the corpus (or reuses it in --work), builds it as a user does
(``geo-khorasan -q build CORPUS --out OUT --no-cache``, a child process) and prints the output
folder's size per 1,000 articles, file by file (the per-document pages and the source pages
summed), and inside ``index.html`` the size of each part of its data block. ``--out-of DIR``
breaks down an output folder already built instead (its article count from ``documents.json``).
MB are 2**20 bytes, as benchmarks/throughput.py prints them. A figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from geo_khorasan.render.map import DATA_BLOCK, map_data  # noqa: E402

MB = 2**20
OWN_PAGES = ("index.html", "documents.html")


def _size(value) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def breakdown(out: Path, articles: int) -> list[str]:
    """Lines: the folder's total and each file's (or kind of file's) size, per 1,000 articles."""
    per = 1000 / articles
    files: dict[str, int] = {}
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        if path.parent != out:
            key = path.parent.relative_to(out).as_posix() + "/"
        elif path.suffix == ".html" and path.name not in OWN_PAGES:
            key = "<doc-id>.html"
        else:
            key = path.name
        files[key] = files.get(key, 0) + path.stat().st_size
    total = sum(files.values())
    lines = [f"{articles} articles: {total / MB:.1f} MB, {total / MB * per:.1f} MB per 1,000 articles"]
    for key, size in sorted(files.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {key:<20} {size / MB:8.2f} MB  {size / MB * per:6.1f} MB per 1,000  {size / total:5.1%}")
    page = (out / "index.html").read_text("utf-8")
    block = DATA_BLOCK.search(page)
    if block:
        data = map_data(page)
        lines.append(f"  index.html: data block {len(block.group(1).encode()) / MB:.2f} MB (gzip, base64; "
                     f"{_size(data) / MB:.2f} MB as JSON), "
                     f"the rest (Leaflet, map.js, CSS) {(len(page.encode()) - len(block.group(1).encode())) / MB:.2f} MB")
        lines.append("    parts, as JSON:")
        for key, value in sorted(data.items(), key=lambda kv: -_size(kv[1])):
            if _size(value) >= 1000:
                lines.append(f"    {key:<18} {_size(value) / MB:8.3f} MB")
    return lines


def build(corpus: Path, out: Path, index: str | None) -> None:
    cmd = [sys.executable, "-m", "geo_khorasan", "-q", *(["--index", index] if index else []),
           "build", str(corpus), "--out", str(out), "--no-cache"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="200,800", help="corpus sizes, comma-separated (default 200,800)")
    ap.add_argument("--index", help="gazetteer index file (default: the configured one)")
    ap.add_argument("--work", help="folder for the corpora and outputs (default: a temporary one)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out-of", action="append", default=[], metavar="DIR", help="break down this built folder")
    args = ap.parse_args()
    for folder in map(Path, args.out_of):
        articles = len(json.loads((folder / "documents.json").read_text("utf-8"))["documents"])
        print("\n".join(breakdown(folder, articles)))
    if args.out_of:
        return
    from corpus import generate

    from geo_khorasan.gazetteer.index import Gazetteer

    gaz = Gazetteer(args.index) if args.index else Gazetteer.open()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.work or tmp)
        for n in sorted(int(x) for x in args.sizes.split(",")):
            corpus, out = work / f"corpus-{n}", work / f"maps-{n}"
            if not corpus.exists():
                generate(corpus, n, seed=args.seed, gaz=gaz)
            build(corpus, out, args.index)
            print("\n".join(breakdown(out, n)), flush=True)


if __name__ == "__main__":
    main()
