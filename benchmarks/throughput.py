"""Throughput at archive scale (issue 13), on the deterministic corpus of benchmarks/corpus.py.

    python benchmarks/throughput.py [--sizes 500,2000] [--index FILE] [--work DIR] [--no-build] [--no-batch]

Rates are on the process's own CPU time (time.process_time; a build's on its child process's
user + system time), so that other work on the machine does not count. Prints:

- reading (recognise, resolve, classify) of the smaller corpus: articles/s and KB/s;
- assembly (incidents and regions) of what was read;
- a full build (``geo-khorasan -q build --no-cache``, a child process) of each size: wall and
  CPU seconds, the exponent between the two sizes (1.0 is linear), output size per 1,000
  articles, the child's peak memory;
- the peak memory of this process; cold start (open the index, first query; first geocode);
- batch geocoding (``geocode --batch``'s row function, country PK) on the UCDP development split.

A quick run: ``--sizes 100,400``.
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # this checkout's code, wherever the script is run from
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402

UCDP = REPO.parent / "shared" / "eval" / "ucdp-ged-pakistan-dev.csv"

_COLD = """
import sys, time
t0 = time.perf_counter()
from geo_khorasan.gazetteer.index import Gazetteer
from geo_khorasan.geocoder import LocalGeocoder
t1 = time.perf_counter()
gaz = Gazetteer(sys.argv[1]) if sys.argv[1] else Gazetteer.open()
gaz.match("Quetta")
t2 = time.perf_counter()
LocalGeocoder(gaz).geocode("Mir Ali, North Waziristan")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def _children() -> tuple[float, int]:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def _mb(kb: int) -> float:
    return kb / 1024


def reading(corpus: Path, gaz) -> list:
    from geo_khorasan.corpus import read_corpus
    from geo_khorasan.pipeline import analyse
    from geo_khorasan.recognise import Recogniser
    from geo_khorasan.resolve import Resolver

    docs = read_corpus(corpus)
    recogniser, resolver = Recogniser(gaz), Resolver(gaz)
    classified = []
    t = time.process_time()
    for doc in docs:
        classified.extend(analyse(doc, recogniser, resolver))
    dt = time.process_time() - t
    kb = sum(len(d.text.encode()) for d in docs) / 1024
    print(f"reading    {len(docs)} articles ({kb:.0f} KB): {dt:.1f} s CPU, {len(docs) / dt:.1f} articles/s, "
          f"{kb / dt:.0f} KB/s")
    return classified


def assembly(classified: list, gaz) -> None:
    from geo_khorasan.assemble import incidents, regions

    t = time.process_time()
    incs = incidents(classified, gaz)
    regs = regions(classified, gaz)
    dt = time.process_time() - t
    print(f"assembly   {len(classified)} classified mentions -> {len(incs)} incidents, {len(regs)} regions: "
          f"{dt:.2f} s CPU")


def build(corpus: Path, out: Path, index: Path | None) -> tuple[float, float, int, int]:
    """Wall s, CPU s, output bytes, peak RSS (KB; the largest child so far) of a full build."""
    cmd = [sys.executable, "-m", "geo_khorasan", "-q", "build", str(corpus), "--out", str(out), "--no-cache"]
    if index:
        cmd += ["--index", str(index)]
    cpu0, _ = _children()
    t = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True)
    wall = time.perf_counter() - t
    cpu1, rss = _children()
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return wall, cpu1 - cpu0, size, rss


def cold_start(index: Path | None) -> None:
    res = subprocess.run([sys.executable, "-c", _COLD, str(index or "")], cwd=REPO, check=True,
                         capture_output=True, text=True)
    imp, first, geo = map(float, res.stdout.split())
    print(f"cold start imports {imp:.2f} s; open index + first query {first:.2f} s; first geocode {geo:.2f} s")


def batch(gaz, csv_path: Path) -> None:
    from geo_khorasan.geocoder import LocalGeocoder, geocode_row

    rows = list(csv.DictReader(open(csv_path, encoding="utf-8")))
    coder = LocalGeocoder(gaz)
    t = time.process_time()
    placed = sum(bool(geocode_row(coder, row["where_description"], "PK")["place_id"]) for row in rows)
    dt = time.process_time() - t
    print(f"batch      {len(rows)} rows ({placed} placed): {dt:.1f} s CPU, {len(rows) / dt:.0f} rows/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,2000", help="the two corpus sizes, comma-separated (default 500,2000)")
    ap.add_argument("--read", type=int, help="articles to read and assemble in this process (default: the smaller size)")
    ap.add_argument("--index", type=Path, help="gazetteer index file (default: the configured one)")
    ap.add_argument("--work", type=Path, help="folder for the corpora and outputs (default: a temporary one)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-build", action="store_true", help="skip the full builds")
    ap.add_argument("--no-batch", action="store_true", help="skip batch geocoding")
    ap.add_argument("--csv", type=Path, default=UCDP, help="table for batch geocoding")
    args = ap.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))
    from geo_khorasan.gazetteer.index import Gazetteer

    gaz = Gazetteer(args.index) if args.index else Gazetteer.open()
    index = args.index or gaz.path
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        corpora = {}
        for n in sorted({*sizes, args.read or sizes[0]}):
            corpora[n] = work / f"corpus-{n}-{args.seed}"
            if not (corpora[n] / "metadata.csv").exists():
                generate(corpora[n], n, args.seed, gaz=gaz)
        print(f"corpus of {sizes} articles (seed {args.seed}) in {work}; index {index}")
        classified = reading(corpora[args.read or sizes[0]], gaz)
        assembly(classified, gaz)
        if not args.no_batch:
            batch(gaz, args.csv)
        print(f"peak memory (this process) {_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss):.0f} MB")
        cold_start(index)
        if not args.no_build:
            got = {}
            for n in sizes:
                out = work / f"maps-{n}"
                wall, cpu, size, rss = got[n] = build(corpora[n], out, index)
                print(f"build      {n} articles: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                      f"{size / 2**20 / n * 1000:.1f} MB per 1,000 articles, peak memory {_mb(rss):.0f} MB")
            (a, b) = sizes[0], sizes[-1]
            if a != b:
                k = math.log(got[b][1] / got[a][1]) / math.log(b / a)
                kw = math.log(got[b][0] / got[a][0]) / math.log(b / a)
                print(f"exponent   {a} -> {b} articles: {k:.2f} on CPU time, {kw:.2f} on wall time (1.0 is linear)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
