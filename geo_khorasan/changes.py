"""What a rebuild changed, compared with the previous build's exports in the output folder.

Documents are compared by the sha256 of their text and metadata, kept in ``documents.json``;
incidents and regions by their evidence (the (document, sentence) pairs they cite), so that an
incident whose offsets shifted because its article was edited above it is still the same
incident, and one whose place changed has *moved*.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

DOCUMENTS_FILE = "documents.json"


def documents_manifest(docs, key) -> dict:
    """``documents.json``: id, title and content sha256 of every document built (no dates of the build)."""
    return {"documents": [{"id": d.id, "title": d.meta.title, "sha256": key(d)} for d in sorted(docs, key=lambda d: d.id)]}


def _load(path: Path):
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def previous(out: Path) -> dict | None:
    """The previous build's documents, incidents and regions, or None when there was none."""
    incidents, regions, docs = (_load(out / n) for n in ("incidents.geojson", "regions.geojson", DOCUMENTS_FILE))
    mentions = None
    if docs is None:
        mentions = _load(out / "mentions.geojson")
    if incidents is None and regions is None and docs is None and mentions is None:
        return None
    if docs is not None:
        doc_hashes = {d["id"]: d.get("sha256") for d in docs.get("documents", [])}
    else:  # a build from before documents.json: ids only, edits cannot be told
        doc_hashes = {f["properties"]["doc"]: None for f in (mentions or {}).get("features", [])}
    return {"documents": doc_hashes, "incidents": (incidents or {}).get("features", []),
            "regions": (regions or {}).get("features", [])}


def _evidence(feature: dict, key: str) -> set[tuple[str, str]]:
    return {(s.get("doc"), s.get("sentence")) for s in feature["properties"].get(key) or []}


def _pair(old: list[dict], new: list[dict], key: str) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Match old and new features by shared evidence (most shared first, then same id)."""
    # Only pairs that share evidence or an id are candidates: found through an index of each, so
    # the work grows with the features, not with their pairs.
    holding: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(old):
        for e in _evidence(f, key):
            holding[e].append(i)
    by_id: dict[object, list[int]] = defaultdict(list)
    for i, f in enumerate(old):
        by_id[f["properties"].get("id")].append(i)
    scores = []
    for j, f in enumerate(new):
        shared = Counter(i for e in _evidence(f, key) for i in holding.get(e, ()))
        same = by_id.get(f["properties"].get("id"), ())
        for i in shared.keys() | set(same):
            scores.append((-shared[i], i not in same, i, j))
    scores.sort()
    used_old, used_new, pairs = set(), set(), []
    for _, _, i, j in scores:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((old[i], new[j]))
    return (pairs, [f for i, f in enumerate(old) if i not in used_old], [f for j, f in enumerate(new) if j not in used_new])


def _docs_of(feature: dict, key: str) -> str:
    return ", ".join(sorted({s.get("doc") for s in feature["properties"].get(key) or []}))


def _incident_words(f: dict) -> str:
    p = f["properties"]
    bits = [p.get("type") or "incident", f"at {p.get('place_name')}"]
    if p.get("date"):
        bits.append(f"on {p['date']}")
    return " ".join(bits) + f" [{_docs_of(f, 'sources')}]"


def _region_words(f: dict) -> str:
    p = f["properties"]
    return f"{p.get('status')}: {p.get('place_name')} [{_docs_of(f, 'claims')}]"


def _moved(a: dict, b: dict) -> bool:
    if a["properties"].get("place_id") != b["properties"].get("place_id"):
        return True
    ga, gb = a.get("geometry") or {}, b.get("geometry") or {}
    return ga.get("type") == "Point" and gb.get("type") == "Point" and ga.get("coordinates") != gb.get("coordinates")


#: Properties whose change is reported for an incident or region that is still there.
CHANGED = {"incident": ("date", "fatalities", "injured", "type"), "region": ("status",)}


def _shown(value) -> str:
    return "unknown" if value is None else str(value)


def summary(prev: dict | None, manifest: dict, incidents_fc: dict, regions_fc: dict) -> list[str]:
    """One line per change: documents added/removed/edited; incidents and regions added/removed/moved,
    and changed (an incident's date, toll or type, a region's status). Nothing without a previous build."""
    if prev is None:
        return []
    lines = []
    now = {d["id"]: d["sha256"] for d in manifest["documents"]}
    before = prev["documents"]
    for doc_id in sorted(set(now) | set(before)):
        if doc_id not in before:
            lines.append(f"document added: {doc_id}")
        elif doc_id not in now:
            lines.append(f"document removed: {doc_id}")
        elif before[doc_id] is not None and before[doc_id] != now[doc_id]:
            lines.append(f"document edited: {doc_id}")
    for kind, key, old, new, words in (("incident", "sources", prev["incidents"], incidents_fc["features"], _incident_words),
                                       ("region", "claims", prev["regions"], regions_fc["features"], _region_words)):
        pairs, removed, added = _pair(old, new, key)
        changes = [(words(f), f"{kind} added: {words(f)}") for f in added]
        changes += [(words(f), f"{kind} removed: {words(f)}") for f in removed]
        for a, b in pairs:
            if _moved(a, b):
                changes.append((words(b), f"{kind} moved: {words(b)} (was at {a['properties'].get('place_name')}, "
                                          f"{a['properties'].get('place_id')})"))
            diffs = [f"{k} {_shown(a['properties'].get(k))} -> {_shown(b['properties'].get(k))}" for k in CHANGED[kind]
                     if a["properties"].get(k) != b["properties"].get(k)]
            if diffs:
                changes.append((words(b), f"{kind} changed: {words(b)}: {', '.join(diffs)}"))
        lines.extend(line for _, line in sorted(changes))
    return lines
