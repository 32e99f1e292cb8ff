"""Gazetteer index figures: build time and size, cold start, look-up latency, batch geocoding rate.

    python benchmarks/gazetteer.py [--gazetteer DIR] [--rows N]

Targets (issue 12): build <= 90 s on 2 cores, index <= 150 MB, cold start <= 1 s, look-up median
<= 0.2 ms, batch geocoding >= 2,000 rows/s.

Cold start is measured in a fresh interpreter: import, open the index, answer one query.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the code of this checkout, not an installed copy
NAMES = ["Quetta", "Mastung", "Nangarhar", "Jowzjan", "Bajaur agency", "Kerman", "Darzab", "Qosh Tepa",
         "Sar-i-Pul", "Mazar-e-Sharif", "Killa Saifullah", "Khaar", "Dashte-e-Barchi", "Peshawar", "Miranshah"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gazetteer", type=Path, default=REPO.parent / "shared" / "gazetteer")
    ap.add_argument("--rows", type=int, default=500, help="rows of the UCDP file to geocode for the rate")
    args = ap.parse_args()
    from geo_khorasan.gazetteer.index import Gazetteer, build_index

    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index.sqlite"
        t0 = time.perf_counter()
        build_index(args.gazetteer, index)
        build_s = time.perf_counter() - t0
        size_mb = index.stat().st_size / 1e6
        code = ("import time; t=time.perf_counter(); from geo_khorasan.gazetteer.index import Gazetteer; "
                f"g=Gazetteer({str(index)!r}); g.match('Quetta'); print(time.perf_counter()-t)")
        colds = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
                 for _ in range(3)]
        g = Gazetteer(index)
        lat = []
        for _ in range(5):
            for n in NAMES:
                t = time.perf_counter()
                g.match(n)
                lat.append(time.perf_counter() - t)
        import csv

        from geo_khorasan.geocoder import LocalGeocoder, geocode_row

        ucdp = REPO.parent / "shared" / "eval" / "ucdp-ged-pakistan-dev.csv"
        texts = [r["where_description"] for r in csv.DictReader(open(ucdp, encoding="utf-8"))][: args.rows] \
            if ucdp.exists() else NAMES * 20
        coder = LocalGeocoder(gazetteer=g)
        t = time.perf_counter()
        for text in texts:
            geocode_row(coder, text, "PK")
        rate = len(texts) / (time.perf_counter() - t)
        n_places = g._con.execute("SELECT count(*) FROM places").fetchone()[0]
        n_names = g._con.execute("SELECT count(*) FROM names").fetchone()[0]
    print(f"index build      {build_s:6.1f} s   ({n_places} places, {n_names} names, {size_mb:.1f} MB)")
    print(f"cold start       {statistics.median(colds):6.3f} s   (median of 3: import + open + first query)")
    print(f"name look-up     {1000 * statistics.median(lat):6.2f} ms  median, {1000 * max(lat):.2f} ms max over {len(lat)}")
    print(f"batch geocoding  {rate:6.0f} rows/s ({len(texts)} UCDP descriptions, country PK)")


if __name__ == "__main__":
    main()
