"""Wall time of a build read in one process and in two (``--jobs 2``), whether both wrote the same
bytes, and the time of a rebuild with nothing changed and with one article edited.

    python benchmarks/parallel.py [-n 200] [--jobs 2] [--index FILE]

The corpus: ``-n`` articles from ``benchmarks/corpus.py`` (seed sentences, places swapped from the
index) when that generator is there, else the development articles (../shared/eval/articles)
copied under new ids until there are ``-n``. Every build runs this checkout's code in a fresh
process, with an analysis cache of its own (the first two with ``--no-cache``), on the same index.
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO.parent / "shared" / "eval" / "articles"


def corpus(out: Path, n: int, index: Path) -> str:
    """Write ``n`` articles into ``out``; says where they came from."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from corpus import generate  # benchmarks/corpus.py, the throughput corpus
    except ImportError:
        generate = None
    if generate is not None:
        from geo_khorasan.gazetteer.index import Gazetteer

        generate(out, n, gaz=Gazetteer(index))
        return f"{n} generated articles (benchmarks/corpus.py)"
    out.mkdir(parents=True)
    texts = sorted(ARTICLES.glob("*.txt"))
    with open(ARTICLES / "metadata.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, {r["id"]: r for r in reader}
    written = []
    for k in range(n):
        src = texts[k % len(texts)]
        doc_id = f"c{k // len(texts)}_{src.stem}"
        shutil.copyfile(src, out / f"{doc_id}.txt")
        if src.stem in rows:
            written.append(dict(rows[src.stem], id=doc_id))
    with open(out / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(written)
    return f"{n} articles: the {len(texts)} of {ARTICLES} copied under new ids"


def timed_build(articles: Path, out: Path, index: Path, cache: Path, *extra: str) -> tuple[float, float]:
    """Wall time and CPU time (the build's processes together) of one build."""
    env = dict(os.environ, GEO_KHORASAN_CACHE=str(cache))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo_khorasan", "--index", str(index), "-q", "build", str(articles),
                    "--out", str(out), *extra], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def same_bytes(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=88, help="number of articles (default 88)")
    ap.add_argument("--jobs", type=int, default=2, help="processes of the parallel build (default 2)")
    ap.add_argument("--index", type=Path, help="gazetteer index file (default: the configured one)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from geo_khorasan.gazetteer.index import Gazetteer

    index = args.index or Gazetteer.open().path
    with tempfile.TemporaryDirectory(prefix="gk-parallel-") as tmp:
        tmp = Path(tmp)
        articles = tmp / "articles"
        print(f"corpus: {corpus(articles, args.n, index)}; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f} (other processes share the cores: compare the CPU times too)")
        serial, serial_cpu = timed_build(articles, tmp / "serial", index, tmp / "cache0", "--no-cache", "--jobs", "1")
        parallel, parallel_cpu = timed_build(articles, tmp / "parallel", index, tmp / "cache0", "--no-cache",
                                             "--jobs", str(args.jobs))
        print(f"build --jobs 1:  {serial:7.1f} s wall, {serial_cpu:6.1f} s CPU")
        print(f"build --jobs {args.jobs}:  {parallel:7.1f} s wall, {parallel_cpu:6.1f} s CPU  ({serial / parallel:.2f}x; "
              f"same bytes: {'yes' if same_bytes(tmp / 'serial', tmp / 'parallel') else 'NO'})")
        maps, cache = tmp / "maps", tmp / "cache"
        timed_build(articles, maps, index, cache)  # fills the cache and leaves the stamp
        again, _ = timed_build(articles, maps, index, cache)
        print(f"rebuild, nothing changed:    {again:5.2f} s")
        first = sorted(articles.glob("*.txt"))[0]
        first.write_text(first.read_text("utf-8") + "\nA bomb exploded in Quetta on May 2, 2021.\n", "utf-8")
        edited, _ = timed_build(articles, maps, index, cache)
        print(f"rebuild, one article edited: {edited:5.1f} s")


if __name__ == "__main__":
    main()
