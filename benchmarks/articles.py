"""How well the project reads articles it was not written against: builds an article set with this
checkout's code, scores it with the set's own scorer, and times reading on hostile text.

    python benchmarks/articles.py [--set ../shared/eval/articles] [--misses] [--no-adversarial]

Prints the scorer's figures (place forms mapped right and wrongly, traps left alone, non-incident
places, incidents at the right place and fully right, the build's incidents that match a coded one,
area claims, citations), the misses grouped by kind, and, for hostile documents (one sentence of
n words, n capitalised words in a row, n nested parentheses) at 1x, 2x and 4x, the reading time
and its growth exponent (1.0 is linear).
"""
from __future__ import annotations

import argparse
import math
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCORER = REPO.parent / "shared" / "eval" / "articlecheck.py"


def build(articles: Path, out: Path) -> None:
    """A build of ``articles`` with this checkout's code (not whatever geo-khorasan is installed)."""
    subprocess.run([sys.executable, "-m", "geo_khorasan", "-q", "build", str(articles), "--out", str(out),
                    "--no-cache"], cwd=REPO, check=True)


def score(articles: Path, maps: Path, misses: bool) -> None:
    result = subprocess.run([sys.executable, str(SCORER), "--set", str(articles), "--maps", str(maps), "-v"],
                            capture_output=True, text=True, check=True)
    lines = result.stdout.strip().splitlines()
    figures = lines[-1].split(": ", 1)[1]
    print(f"articles in {articles}:")
    for item in figures.split():
        print(f"  {item.replace('=', ' = ')}")
    kinds = Counter(line.split()[0] + (" (" + line.rsplit(") ", 1)[1].split(":")[0] + ")" if line.startswith("incid")
                                       else "") for line in lines[:-1] if line.strip())
    print("misses by kind:")
    for kind, n in sorted(kinds.items()):
        print(f"  {n:4d}  {kind}")
    if misses:
        print("\n".join(lines[:-1]))


def _hostile(kind: str, n: int) -> str:
    rnd = random.Random(n)
    if kind == "long sentence":
        words = "the militants attacked a checkpoint in Kabul and killed five soldiers on Monday".split()
        return " ".join(rnd.choice(words) for _ in range(n)) + ".\n"
    if kind == "capitalised run":
        return "Intro.\n" + " ".join(rnd.choice(["Kabul", "Quetta", "Alpha", "Bravo", "Mastung"]) for _ in range(n)) + ".\n"
    return "A bomb in Kabul " + "(" * n + "Quetta" + ")" * n + " killed 5.\n"


def adversarial(sizes=(2500, 5000, 10000)) -> None:
    print("hostile documents (reading time, seconds; exponent between the smallest and largest size):")
    from geo_khorasan.corpus import read_document
    from geo_khorasan.gazetteer.index import Gazetteer
    from geo_khorasan.pipeline import analyse
    from geo_khorasan.recognise import Recogniser
    from geo_khorasan.resolve import Resolver

    gaz = Gazetteer.open(REPO.parent / "shared" / "gazetteer")
    rec, res = Recogniser(gaz), Resolver(gaz)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("long sentence", "capitalised run", "nested parentheses"):
            times = []
            for n in sizes:
                path = Path(tmp) / "doc.txt"
                path.write_text(_hostile(kind, n), encoding="utf-8")
                doc = read_document(path)
                t0 = time.process_time()
                analyse(doc, rec, res)
                times.append(max(time.process_time() - t0, 1e-3))
            exponent = math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])
            print(f"  {kind:20s} " + "  ".join(f"n={n}: {t:.2f}" for n, t in zip(sizes, times))
                  + f"  exponent {exponent:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default=REPO.parent / "shared" / "eval" / "articles", type=Path)
    ap.add_argument("--misses", action="store_true", help="list every miss")
    ap.add_argument("--no-adversarial", action="store_true", help="skip the hostile-text timings")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        build(args.set, Path(out))
        print(f"build: {time.perf_counter() - t0:.1f} s")
        score(args.set, Path(out), args.misses)
    if not args.no_adversarial:
        adversarial()


if __name__ == "__main__":
    main()
