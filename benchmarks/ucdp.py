"""Geocoding accuracy on UCDP GED events for Pakistan (see ../shared/eval/README.md).

    python benchmarks/ucdp.py [CSV] [--gazetteer DIR] [--show-misses N]

Prints the share of rows within 25/50/161 km of UCDP's point (unresolved rows count as
misses), the median error of resolved rows and the share resolved, overall and by where_prec;
the share of resolved rows within 50 km, the precision agreement (the row's precision within
one step of UCDP's where_prec) and the oracle ceiling of the index (some 1-4-word span of the
description names a place of the index within 50 km of UCDP's point).
"""
from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the code of this checkout, not an installed copy

from geo_khorasan.gazetteer.build import distance_km  # noqa: E402
from geo_khorasan.gazetteer.index import Gazetteer  # noqa: E402
from geo_khorasan.geocoder import LocalGeocoder  # noqa: E402

DEFAULT_CSV = REPO.parent / "shared" / "eval" / "ucdp-ged-pakistan-dev.csv"
DEFAULT_GAZETTEER = REPO.parent / "shared" / "gazetteer"


def figures(errors: list[float | None]) -> str:
    n = len(errors)
    got = [e for e in errors if e is not None]
    share = lambda d: sum(e <= d for e in got) / n if n else 0  # noqa: E731
    med = statistics.median(got) if got else float("nan")
    return (f"n={n:5d}  ≤25km {share(25):.3f}  ≤50km {share(50):.3f}  ≤161km {share(161):.3f}  "
            f"median {med:7.1f} km  resolved {len(got) / n if n else 0:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="?", default=DEFAULT_CSV, type=Path)
    ap.add_argument("--gazetteer", default=DEFAULT_GAZETTEER, type=Path)
    ap.add_argument("--index", type=Path, help="a built index file to use instead of the cached one")
    ap.add_argument("--ceiling", action="store_true", help="also compute the oracle ceiling (slower)")
    ap.add_argument("--show-misses", type=int, default=0, help="print this many rows farther than 50 km")
    args = ap.parse_args()
    coder = LocalGeocoder(gazetteer=Gazetteer(args.index) if args.index else Gazetteer.open(args.gazetteer),
                          country="PK")
    rows = list(csv.DictReader(open(args.csv, encoding="utf-8")))
    by_prec: dict[str, list] = defaultdict(list)
    errors, misses, agree = [], [], []
    t0 = time.perf_counter()
    for row in rows:
        res = coder.candidates(row["where_description"])
        err = None
        if res:
            p = res[0].place
            err = distance_km(p.lat, p.lon, float(row["latitude"]), float(row["longitude"]))
            if row["where_prec"].isdigit():
                agree.append(abs(res[0].precision - int(row["where_prec"])) <= 1)
        errors.append(err)
        by_prec[row["where_prec"]].append(err)
        if err is None or err > 50:
            misses.append((row["where_description"], row["where_coordinates"], res[0].place.name if res else None, err))
    dt = time.perf_counter() - t0
    print(f"UCDP GED Pakistan ({args.csv.name}): {len(rows)} rows, {dt:.1f} s ({1000 * dt / len(rows):.1f} ms/row)")
    print(f"all        {figures(errors)}")
    for prec in sorted(by_prec):
        print(f"where_prec {prec} {figures(by_prec[prec])}")
    got = [e for e in errors if e is not None]
    print(f"resolved rows within 50 km {sum(e <= 50 for e in got) / max(1, len(got)):.3f}   "
          f"precision within one step of where_prec {sum(agree) / max(1, len(agree)):.3f}")
    if args.ceiling:
        hits = sum(_oracle(coder.gaz, row) for row in rows)
        print(f"oracle ceiling (a 1-4-word span names a place of the index within 50 km) {hits / len(rows):.3f}")
    for desc, coord, got, err in misses[: args.show_misses]:
        print(f"  miss: {desc!r} (UCDP: {coord}) -> {got} {'' if err is None else f'{err:.0f} km'}")


def _oracle(gaz, row) -> bool:
    words = re.findall(r"[\w'’-]+", row["where_description"])
    lat, lon = float(row["latitude"]), float(row["longitude"])
    for n in range(1, 5):
        for i in range(len(words) - n + 1):
            for m in gaz.match(" ".join(words[i:i + n])):
                if m.place.lat is not None and distance_km(m.place.lat, m.place.lon, lat, lon) <= 50:
                    return True
    return False


if __name__ == "__main__":
    main()
