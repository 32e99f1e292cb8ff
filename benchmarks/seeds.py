"""Precision and recall of the seed maps against the hand-coded expected results.

    python benchmarks/seeds.py [MAPS_DIR] [--expected tests/fixtures/seeds_expected.yaml] [--misses]

Reads the exports of a build (default: maps/) and prints the share of expected place names
mapped (recall), of mapped names that are places (precision), of points within the expected
area (correct resolution), of roles, incidents (recall, precision, date, fatalities) and
region claims.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo_khorasan.evaluate import score

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("maps", nargs="?", default=REPO / "maps", type=Path)
    ap.add_argument("--expected", default=REPO / "tests" / "fixtures" / "seeds_expected.yaml", type=Path)
    ap.add_argument("--misses", action="store_true", help="list every miss")
    args = ap.parse_args()
    load = lambda name: json.loads((args.maps / name).read_text("utf-8"))  # noqa: E731
    s = score(args.expected, load("mentions.geojson"), load("incidents.geojson"), load("regions.geojson"))
    print(f"seed maps in {args.maps} against {args.expected.name}")
    for line in s.lines():
        print("  " + line)
    if args.misses:
        for name in vars(s):
            for miss in getattr(s, name).misses:
                print(f"  [{name}] {miss}")


if __name__ == "__main__":
    main()
