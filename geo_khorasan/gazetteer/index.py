"""The embedded gazetteer index: one SQLite file, built once from the sources and reused."""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from rapidfuzz.distance import Levenshtein
from shapely.geometry import Point

from .. import __version__
from ..knowledge import data_path
from ..paths import cache_dir
from ..records import Place
from ..vocabulary import LEVELS
from .build import SourceInfo, build_places, load_recipes
from .names import keys, loose_name, named_in, split_level, without_area_word

if TYPE_CHECKING:  # geopandas (and pandas) take most of a start-up: imported where used
    import geopandas as gpd

log = logging.getLogger(__name__)

#: Bump when the index layout or the reconciliation changes.
INDEX_FORMAT = 6  # 4: GeoNames dumps and alternate names; 5: Who's On First, places_lat index; 6: name skeletons
#: Fuzzy matching: names with fewer consonants than this are never matched fuzzily (too many
#: short names differ by a vowel only: Badan / Badin); one edit is allowed, two in names longer
#: than eight letters.
FUZZY_MIN_CONSONANTS = 4
FUZZY_MAX_EDITS = 2
#: Points farther than the 0.02° buffer plus this from a polygon are outside it, without buffering.
BUFFER_MARGIN = 0.005
#: Bump when the file of name keys kept beside the index (``NameKeys``) changes in layout.
KEYS_FORMAT = 1
#: The curated data the index is built from (a change rebuilds it).
INDEX_DATA_FILES = ("sources.toml", "name_rules.toml", "aliases.csv", "regions.yaml", "recognise.yaml")

_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE places (id TEXT PRIMARY KEY, name TEXT, level TEXT, country TEXT, lat REAL, lon REAL,
                     admin1 TEXT, admin2 TEXT, population INTEGER, source TEXT, other_ids TEXT, has_polygon INTEGER);
CREATE TABLE names (key TEXT, loose TEXT, place_id TEXT, name TEXT, kind TEXT, skeleton TEXT);
CREATE TABLE polygons (place_id TEXT PRIMARY KEY, wkb BLOB);
CREATE TABLE sources (key TEXT, path TEXT, licence TEXT, attribution TEXT, features INTEGER);
CREATE TABLE lines (a3_left TEXT, a3_right TEXT, wkb BLOB);
"""


#: ``Gazetteer.open()``'s default: the folder the configuration names (see geo_khorasan.config).
CONFIGURED = object()


class IndexError_(RuntimeError):
    """The index file is missing, from another version, or corrupt."""


def fingerprint(gazetteer_dir: Path | None) -> str:
    """Changes when the code version, the curated data or any source file changes."""
    h = hashlib.sha256(f"{INDEX_FORMAT}:{__version__}".encode())
    # the code that builds the index is part of what it depends on: an edited reader rebuilds it
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode() + f.read_bytes())
    for name in INDEX_DATA_FILES:
        f = data_path(name)
        if f.exists():
            h.update(f.name.encode() + f.read_bytes())
    if gazetteer_dir and gazetteer_dir.is_dir():
        recipes = load_recipes()
        for recipe in recipes.get("layer", []) + recipes.get("basemap", []):
            for rel in (recipe["path"], recipe.get("unzipped_path")):
                p = gazetteer_dir / rel if rel else None
                if p and p.exists():
                    st = p.stat()
                    h.update(f"{rel}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def default_index_path(gazetteer_dir: Path | None) -> Path:
    """The index of ``gazetteer_dir`` in the user cache (one per fingerprint)."""
    return cache_dir() / f"gazetteer-{fingerprint(gazetteer_dir)}.sqlite"


def build_index(gazetteer_dir: Path | None, out: Path, recipes: dict | None = None) -> list[str]:
    """Build the index file at ``out`` (atomically) from ``recipes`` (default: data/sources.toml).
    Returns the build warnings."""
    result = build_places(gazetteer_dir, recipes)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    con = sqlite3.connect(tmp)
    try:
        con.executescript(_SCHEMA)
        place_rows, name_rows, poly_rows = [], [], []
        for p in result.places:
            place_rows.append((p.id, p.name, p.level, p.country, round(p.lat, 6), round(p.lon, 6), p.admin1, p.admin2,
                               p.population, p.source, json.dumps(sorted(p.other_ids)), int(p.geometry is not None)))
            for name, kind in p.names.items():
                key, _ = split_level(name)
                exact, loose = keys(key)
                if exact:
                    name_rows.append((exact, loose, p.id, name, kind, _skeleton(loose)))
            if p.geometry is not None:
                poly_rows.append((p.id, shapely.to_wkb(p.geometry)))
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", place_rows)
        con.executemany("INSERT INTO names VALUES (?,?,?,?,?,?)", sorted(set(name_rows)))
        con.executemany("INSERT INTO polygons VALUES (?,?)", poly_rows)
        con.executemany("INSERT INTO sources VALUES (?,?,?,?,?)",
                        [(s.key, s.path, s.licence, s.attribution, s.features) for s in result.sources])
        if result.lines is not None:
            con.executemany("INSERT INTO lines VALUES (?,?,?)", [
                (r["adm0_a3_l"], r["adm0_a3_r"], shapely.to_wkb(r["geometry"])) for r in result.lines.to_dict("records")])
        con.execute("CREATE INDEX names_key ON names(key)")
        con.execute("CREATE INDEX names_loose ON names(loose)")
        con.execute("CREATE INDEX names_skeleton ON names(skeleton)")  # fuzzy matching
        con.execute("CREATE INDEX places_lat ON places(lat)")  # reverse geocoding
        con.executemany("INSERT INTO meta VALUES (?,?)", [
            ("format", str(INDEX_FORMAT)), ("fingerprint", fingerprint(gazetteer_dir)),
            ("gazetteer_dir", str(gazetteer_dir or "")), ("warnings", json.dumps(result.warnings))])
        con.commit()
    finally:
        con.close()
    os.replace(tmp, out)
    con = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    try:  # the name keys beside it, made now rather than on the first read of an article
        NameKeys.load(out, con, dict(con.execute("SELECT k, v FROM meta")))
    finally:
        con.close()
    return result.warnings


def _consonants(loose_key: str) -> str:
    return loose_key.translate(_VOWELS)


def _skeleton(loose_key: str) -> str | None:
    """The consonants of a name long enough to match fuzzily: fuzzy matches share them."""
    skeleton = _consonants(loose_key)
    return skeleton if len(skeleton) >= FUZZY_MIN_CONSONANTS else None


_VOWELS = str.maketrans("", "", "aeiouy")


@dataclass(frozen=True)
class FuzzyMatch:
    place: Place
    name: str  # the gazetteer name that was close
    distance: int  # edits between the loose keys
    similarity: float  # 1 - distance / length


@dataclass(frozen=True)
class NameMatch:
    place: Place
    name: str  # the gazetteer name that matched
    kind: str  # primary | alt | alias
    exact: bool  # exact key (True) or loose key (False)


def _key_hashes(keys) -> np.ndarray:
    """64-bit hashes of ``keys``, sorted and unique."""
    return np.unique(np.fromiter(map(_key_hash, keys), dtype=np.uint64))


def _key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class NameKeys:
    """Every exact and loose name key of an index, as sorted arrays of their 64-bit hashes: a
    key whose hash is absent names no place, so the recogniser asks the index only about the
    few words that may name one (and the index answers those exactly, as before).

    Kept beside the index (``<index>.keys``, 8 bytes a key, read in milliseconds), stamped with
    the index's fingerprint, size and modification time and checked by a digest: a file that is
    missing, from another index or damaged is ignored and written again from the index."""

    MAGIC = b"geo_khorasan name keys\n"

    def __init__(self, exact: np.ndarray, loose: np.ndarray):
        self.exact, self.loose = exact, loose

    @staticmethod
    def path_for(index: Path) -> Path:
        return index.with_name(index.name + ".keys")

    @staticmethod
    def stamp(index: Path, meta: dict) -> dict:
        st = index.stat()
        return {"format": KEYS_FORMAT, "fingerprint": meta.get("fingerprint"), "size": st.st_size,
                "mtime_ns": st.st_mtime_ns}

    @classmethod
    def load(cls, index: Path, con: sqlite3.Connection, meta: dict) -> "NameKeys":
        """The keys of the index at ``index``: from the file beside it, else from the index (and saved)."""
        stamp = cls.stamp(index, meta)
        found = cls.read(cls.path_for(index), stamp)
        if found is None:
            exact, loose = set(), set()
            for key, lo in con.execute("SELECT key, loose FROM names"):
                if key is not None:
                    exact.add(key)
                if lo is not None:
                    loose.add(lo)
            found = cls(_key_hashes(sorted(exact)), _key_hashes(sorted(loose)))
            found.write(cls.path_for(index), stamp)
        return found

    @classmethod
    def read(cls, path: Path, stamp: dict) -> "NameKeys | None":
        """The keys saved at ``path`` for the index ``stamp`` describes, or None (missing, stale, damaged)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            if not data.startswith(cls.MAGIC):
                return None
            head_end = data.index(b"\n", len(cls.MAGIC))
            head = json.loads(data[len(cls.MAGIC):head_end])
            body = memoryview(data)[head_end + 1:]
            if (not isinstance(head, dict) or head.get("stamp") != stamp
                    or len(body) != 8 * (head["exact"] + head["loose"])
                    or hashlib.blake2b(body, digest_size=16).hexdigest() != head["digest"]):
                return None
            arr = np.frombuffer(body, dtype="<u8").astype(np.uint64)  # aligned: searched without a copy
            return cls(arr[:head["exact"]], arr[head["exact"]:])
        except (ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path, stamp: dict) -> None:
        """Save beside the index (atomically); a folder that cannot be written keeps them in memory only."""
        body = self.exact.astype("<u8").tobytes() + self.loose.astype("<u8").tobytes()
        head = {"stamp": stamp, "exact": len(self.exact), "loose": len(self.loose),
                "digest": hashlib.blake2b(body, digest_size=16).hexdigest()}
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_bytes(self.MAGIC + json.dumps(head, sort_keys=True).encode() + b"\n" + body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def _has(arr: np.ndarray, key: str) -> bool:
        h = np.uint64(_key_hash(key))
        i = int(arr.searchsorted(h))
        return i < len(arr) and arr[i] == h

    def may_match(self, exact: str, loose: str) -> bool:
        """False when no name of the index has the exact key ``exact`` or the loose key ``loose``."""
        return self._has(self.exact, exact) or self._has(self.loose, loose)


class Gazetteer:
    """Read-only access to a built index."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            raise IndexError_(f"{self.path}: gazetteer index not found")
        if self.path.is_dir():
            raise IndexError_(f"{self.path}: is a folder, not a gazetteer index file (--index takes the .sqlite file)")
        try:
            self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self._con.execute("SELECT k, v FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise IndexError_(f"{self.path}: gazetteer index is corrupt ({exc}); delete it to rebuild") from exc
        if meta.get("format") != str(INDEX_FORMAT):
            raise IndexError_(f"{self.path}: gazetteer index format {meta.get('format')} is not {INDEX_FORMAT}")
        self.meta = meta
        self.warnings: list[str] = json.loads(meta.get("warnings", "[]"))
        self._place_cache: dict[str, Place] = {}
        self._poly_cache: dict[str, object] = {}
        self._valid: dict[str, bool] = {}
        self._buffered: dict[str, object] = {}  # place id -> its polygon buffered and prepared, made once
        self._contains_memo: dict[tuple, bool] = {}
        self._areas = None  # a GeoDataFrame of the polygons, made when first asked
        self._fuzzy_memo: dict = {}
        self._match_memo: dict[tuple[str, str], list[NameMatch]] = {}
        self._country_memo: dict[str, Place | None] = {}
        self._name_keys: NameKeys | None = None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, gazetteer_dir: Path | None | object = CONFIGURED, index_path: Path | None = None,
             rebuild: bool = False) -> "Gazetteer":
        """Open the index for ``gazetteer_dir``, building it first when missing or stale.

        With no arguments, the gazetteer folder and index are found as the command line finds
        them (see :mod:`geo_khorasan.config`); ``gazetteer_dir=None`` means the packaged data only."""
        from .. import config

        if gazetteer_dir is CONFIGURED:
            gazetteer_dir = config.gazetteer_dir()
            index_path = index_path or config.index_path()
        gazetteer_dir = Path(gazetteer_dir).resolve() if gazetteer_dir else None
        path = Path(index_path) if index_path else default_index_path(gazetteer_dir)
        if rebuild or not path.exists():
            log.info("building gazetteer index %s", path)
            build_index(gazetteer_dir, path)
        return cls(path)

    # -- queries -----------------------------------------------------------------------------
    def _place(self, row) -> Place:
        pid = row[0]
        if pid not in self._place_cache:
            self._place_cache[pid] = Place(
                id=row[0], name=row[1], level=row[2], country=row[3], lat=row[4], lon=row[5], admin1=row[6],
                admin2=row[7], population=row[8], source=row[9], other_ids=tuple(json.loads(row[10] or "[]")),
                has_polygon=bool(row[11]))
        return self._place_cache[pid]

    def get(self, place_id: str) -> Place | None:
        if place_id in self._place_cache:
            return self._place_cache[place_id]
        row = self._con.execute("SELECT * FROM places WHERE id = ?", (place_id,)).fetchone()
        return self._place(row) if row else None

    def nearest(self, lat: float, lon: float, levels=("town",), max_km: float = 50) -> tuple[Place, float] | None:
        """The place of ``levels`` nearest the point within ``max_km``, with its distance."""
        from .build import distance_km

        d = max_km / 111.0
        dlon = d / max(0.1, math.cos(math.radians(lat)))
        marks = ",".join("?" * len(levels))
        rows = self._con.execute(f"SELECT * FROM places WHERE level IN ({marks}) AND lat BETWEEN ? AND ? "
                                 f"AND lon BETWEEN ? AND ?", (*levels, lat - d, lat + d, lon - dlon, lon + dlon)).fetchall()
        found = sorted((distance_km(lat, lon, r[4], r[5]), r[0], r) for r in rows)
        if not found or found[0][0] > max_km:
            return None
        return self._place(found[0][2]), found[0][0]

    def country_place(self, iso: str) -> Place | None:
        """The country record of an ISO code (looked up once per process: the index does not change)."""
        if iso not in self._country_memo:
            row = self._con.execute("SELECT * FROM places WHERE level = 'country' AND country = ? ORDER BY id LIMIT 1",
                                    (iso,)).fetchone()
            self._country_memo[iso] = self._place(row) if row else None
        return self._country_memo[iso]

    def match(self, text: str) -> list[NameMatch]:
        """Places one of whose names has the same exact or loose key as ``text``."""
        key, _ = split_level(text)
        exact, loose = keys(key)
        if not exact:
            return []
        found = self.match_keys(exact, loose)
        bare = None if found else without_area_word(exact)
        return self.match_keys(*keys(bare)) if bare else found

    def name_keys(self) -> NameKeys:
        """The index's name keys (read once, when first asked for)."""
        if self._name_keys is None:
            self._name_keys = NameKeys.load(self.path, self._con, self.meta)
        return self._name_keys

    def may_match_keys(self, exact: str, loose: str) -> bool:
        """False when ``match_keys(exact, loose)`` finds nothing, answered without a query; True when
        it may find something (then ``match_keys`` says)."""
        if (exact, loose) in self._match_memo:
            return bool(self._match_memo[(exact, loose)])
        return self.name_keys().may_match(exact, loose)

    def match_keys(self, exact: str, loose: str) -> list[NameMatch]:
        found = self._match_memo.get((exact, loose))
        if found is None:
            found = self._match_memo[(exact, loose)] = self._match_keys(exact, loose)
        return list(found)  # the index does not change: each key is looked up once per process

    def _match_keys(self, exact: str, loose: str) -> list[NameMatch]:
        rows = self._con.execute(
            "SELECT p.*, n.name, n.kind, n.key = ? FROM names n JOIN places p ON p.id = n.place_id "
            "WHERE n.key = ? OR n.loose = ? ORDER BY p.id", (exact, exact, loose)).fetchall()
        best: dict[str, NameMatch] = {}
        rank = {"primary": 0, "alias": 1, "alt": 2}
        for row in rows:
            m = NameMatch(self._place(row[:12]), row[12], row[13], bool(row[14]))
            old = best.get(m.place.id)
            if old is None or (m.exact, -rank[m.kind]) > (old.exact, -rank[old.kind]):
                best[m.place.id] = m
        return list(best.values())

    def fuzzy(self, text: str, country: str, levels: frozenset[str] | set[str], limit: int = 5) -> list[FuzzyMatch]:
        """Places of ``country`` and ``levels`` whose name is one or two letters away from ``text``.

        The last resort for a name with no exact or loose match: the distance is counted on
        loose keys, so transliteration variants cost nothing; the first letter must agree and
        short names allow one edit only, so that Kalat never becomes Qalat nor Mastung Mastuj.
        """
        key, _ = split_level(text)
        exact, loose = keys(key)
        bare = without_area_word(exact)
        if bare:
            loose = keys(bare)[1]
        skeleton = _consonants(loose)
        if len(skeleton) < FUZZY_MIN_CONSONANTS:
            return []
        memo_key = (loose, country.upper(), frozenset(levels), limit)
        if memo_key in self._fuzzy_memo:
            return list(self._fuzzy_memo[memo_key])
        found: dict[str, FuzzyMatch] = {}
        allowed = 1 if len(loose) <= 8 else FUZZY_MAX_EDITS
        # only the vowels may differ ("Chechawatni" / "Chichawatni", "Tamirgarah" / "Timargara"):
        # a consonant changed makes another name (Mastung / Mastuj, Sararogha / Sargodha). So only
        # the names with the same consonants are compared, found through the index's skeleton column.
        marks = ",".join("?" * len(levels))
        rows = self._con.execute(
            f"SELECT n.loose, p.id, n.name FROM names n JOIN places p ON p.id = n.place_id WHERE n.skeleton = ? "
            f"AND p.country = ? AND p.level IN ({marks}) ORDER BY n.loose, p.id",
            (skeleton, country.upper(), *sorted(levels))).fetchall()
        for choice, pid, name in rows:
            if choice[0] == loose[0]:
                dist = Levenshtein.distance(loose, choice, score_cutoff=allowed)
                old = found.get(pid)
                if dist <= allowed and (old is None or dist < old.distance):
                    found[pid] = FuzzyMatch(self.get(pid), name, dist, round(1 - dist / max(len(loose), len(choice)), 3))
        out = sorted(found.values(), key=lambda f: (f.distance, -(f.place.population or 0), f.place.id))[:limit]
        self._fuzzy_memo[memo_key] = out
        return list(out)

    def has_key(self, exact: str) -> bool:
        return self._con.execute("SELECT 1 FROM names WHERE key = ? LIMIT 1", (exact,)).fetchone() is not None

    def has_prefix(self, exact: str) -> bool:
        """True when some name key starts with ``exact`` followed by a space (for longest-match scanning)."""
        return self._con.execute("SELECT 1 FROM names WHERE key > ? AND key < ? LIMIT 1",
                                 (exact + " ", exact + " \uffff")).fetchone() is not None

    def polygon(self, place_id: str):
        if place_id not in self._poly_cache:
            row = self._con.execute("SELECT wkb FROM polygons WHERE place_id = ?", (place_id,)).fetchone()
            self._poly_cache[place_id] = shapely.from_wkb(row[0]) if row else None
        return self._poly_cache[place_id]

    def _prepared_polygon(self, place_id: str):
        """The polygon prepared for point queries, and whether it is valid (in ``_valid``)."""
        if place_id not in self._valid:
            poly = self.polygon(place_id)
            if poly is not None:
                shapely.prepare(poly)
            self._valid[place_id] = poly is not None and bool(shapely.is_valid(poly))
        return self.polygon(place_id)

    def _buffered_polygon(self, place_id: str):
        """The polygon grown by 0.02° (~2 km: points on the border are inside), prepared for
        point queries; buffering is the costly part, so it is done once per place and process."""
        if place_id not in self._buffered:
            poly = self.polygon(place_id)
            if poly is not None:
                poly = poly.buffer(0.02)
                shapely.prepare(poly)
            self._buffered[place_id] = poly
        return self._buffered[place_id]

    def contains(self, outer: Place, inner: Place) -> bool:
        """Whether ``inner`` lies within ``outer`` (by polygon, else by admin names/country)."""
        cache = self._place_cache
        if cache.get(outer.id) is outer and cache.get(inner.id) is inner:
            key = (outer.id, inner.id)  # the index's own records: their ids say all
        else:
            key = (outer, inner)  # records read back from the analysis cache, or from an online service
        found = self._contains_memo.get(key)
        if found is None:
            found = self._contains_memo[key] = self._contains(outer, inner)
        return found

    def _contains(self, outer: Place, inner: Place) -> bool:
        if outer.id == inner.id or LEVELS.index(inner.level) >= LEVELS.index(outer.level):
            return False
        if outer.level == "country":
            return inner.country == outer.country and inner.level != "country"
        poly = self._prepared_polygon(outer.id) if outer.has_polygon else None
        if poly is not None:
            if self._valid[outer.id]:
                # a valid polygon grown by 0.02° holds all of itself and nothing farther than 0.02°
                # from it (GEOS may fill concavities shallower than 1% of the distance: the margin),
                # so only points near its edge need the grown polygon
                if shapely.contains_xy(poly, inner.lon, inner.lat):
                    return True
                if shapely.distance(poly, Point(inner.lon, inner.lat)) > 0.02 + BUFFER_MARGIN:
                    return False
            return bool(shapely.contains_xy(self._buffered_polygon(outer.id), inner.lon, inner.lat))
        if inner.country != outer.country:
            return False
        return named_in(outer.name, (inner.admin1, inner.admin2))

    def nesting(self) -> "Nesting":
        """An empty :class:`Nesting` over this index."""
        return Nesting(self)

    def areas_containing(self, lat: float, lon: float) -> list[Place]:
        """Places with a polygon that contains the point, smallest level first."""
        if self._areas is None:
            self._areas = self.places(polygons=True)
            self._areas = self._areas[self._areas.geom_type != "Point"].reset_index(drop=True)
        hits = self._areas.iloc[self._areas.sindex.query(Point(lon, lat), predicate="within")]
        places = [self.get(pid) for pid in sorted(hits["place_id"])]
        return sorted(places, key=lambda p: (LEVELS.index(p.level), p.id))

    def sources(self) -> list[SourceInfo]:
        return [SourceInfo(*r) for r in self._con.execute("SELECT * FROM sources ORDER BY rowid")]

    def attribution(self) -> str:
        seen = dict.fromkeys(s.attribution for s in self.sources() if s.attribution)
        return ", ".join(seen)

    def places(self, level: str | None = None, country: str | None = None, polygons: bool = False) -> gpd.GeoDataFrame:
        """Places as a GeoDataFrame (points, or polygons where known when ``polygons``)."""
        import geopandas as gpd
        sql, args = "SELECT * FROM places WHERE 1=1", []
        if level:
            sql += " AND level = ?"
            args.append(level)
        if country:
            sql += " AND country = ?"
            args.append(country)
        rows = [self._place(r) for r in self._con.execute(sql + " ORDER BY id", args)]
        geoms = [(self.polygon(p.id) if polygons and p.has_polygon else None) or Point(p.lon, p.lat) for p in rows]
        return gpd.GeoDataFrame(
            {"place_id": [p.id for p in rows], "name": [p.name for p in rows], "level": [p.level for p in rows],
             "country": [p.country for p in rows], "admin1": [p.admin1 for p in rows], "admin2": [p.admin2 for p in rows],
             "population": [p.population for p in rows]},
            geometry=geoms, crs=4326)

    def boundary_lines(self) -> gpd.GeoDataFrame:
        import geopandas as gpd
        rows = self._con.execute("SELECT a3_left, a3_right, wkb FROM lines ORDER BY rowid").fetchall()
        return gpd.GeoDataFrame({"left": [r[0] for r in rows], "right": [r[1] for r in rows]},
                                geometry=[shapely.from_wkb(r[2]) for r in rows], crs=4326)

    @property
    def has_rich_data(self) -> bool:
        return bool(self.meta.get("gazetteer_dir"))


class Nesting:
    """Items filed by place, for finding those whose place is the same as, contains or lies within
    a given place without testing every pair: the places ``Gazetteer.contains`` could relate to
    it are found by country, by the admin names it compares, and by 1° grid cells for polygons
    (their bounds grown by the buffer) and points. ``candidates`` may return more than the nested
    ones (callers test each), never fewer."""

    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self._seq = 0
        self._order: dict[int, int] = {}  # id(item) -> when it was first added
        self._buckets: dict[tuple, list] = {}

    def _put(self, key: tuple, item) -> None:
        self._buckets.setdefault(key, []).append(item)

    def _polygon(self, place: Place):
        return self.gaz.polygon(place.id) if place.has_polygon and place.level != "country" else None

    @staticmethod
    def _cells(bounds) -> list[tuple[int, int]]:
        x0, y0, x1, y1 = (math.floor(v) for v in (bounds[0] - 0.02, bounds[1] - 0.02, bounds[2] + 0.02, bounds[3] + 0.02))
        return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    @staticmethod
    def _cell(place: Place) -> tuple[int, int] | None:
        if place.lat is None or place.lon is None:
            return None
        return math.floor(place.lon), math.floor(place.lat)

    def add(self, place: Place, item) -> None:
        """File ``item`` under ``place`` (an item filed again under a new place keeps its old filing)."""
        self._order.setdefault(id(item), self._seq)
        self._seq += 1
        self._put(("id", place.id), item)
        self._put(("country", place.country), item)
        if place.level == "country":
            self._put(("country-level", place.country), item)
        else:
            poly = self._polygon(place)
            if poly is not None:
                for cell in self._cells(poly.bounds):
                    self._put(("polygon-cell", cell), item)
            else:
                self._put(("name", place.country, loose_name(place.name)), item)
        for admin in (place.admin1, place.admin2):
            if admin:
                self._put(("admin", place.country, loose_name(admin)), item)
        cell = self._cell(place)
        if cell is not None:
            self._put(("point-cell", cell), item)

    def candidates(self, place: Place) -> list:
        """Items filed under ``place``, a place that may contain it, or one it may contain
        (in the order they were first added)."""
        get = lambda *key: self._buckets.get(key, ())  # noqa: E731
        found = [*get("id", place.id), *get("country-level", place.country)]  # the same place; its country
        cell = self._cell(place)
        if cell is not None:
            found += get("polygon-cell", cell)  # a polygon around its point
        for admin in (place.admin1, place.admin2):
            if admin:
                found += get("name", place.country, loose_name(admin))  # an area without polygon it names
        if place.level == "country":
            found += get("country", place.country)  # everything in the country
        else:
            poly = self._polygon(place)
            if poly is not None:
                for c in self._cells(poly.bounds):
                    found += get("point-cell", c)  # points in its polygon
            else:
                found += get("admin", place.country, loose_name(place.name))  # places naming it as their admin
        unique = {id(x): x for x in found}
        return sorted(unique.values(), key=lambda x: self._order[id(x)])
