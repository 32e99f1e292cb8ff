"""Analyst corrections (seeds/corrections.yaml): applied on every build, checked against the text,
reported when they no longer match, shown in the exports as a ``correction`` property; and the
``review`` table of every mention with its candidates."""
from __future__ import annotations

import csv
import io
import json

import pytest
from _corpus import A_TEXT, lines, make_seeds, run, snapshot
from geo_khorasan import export


@pytest.fixture(autouse=True)
def private_cache(gazetteer, tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def seeds(tmp_path):
    return make_seeds(tmp_path / "seeds")


def _build(capsys, gazetteer, seeds, out, *extra):
    return run(capsys, gazetteer, "build", str(seeds), "--out", str(out), *extra)


def _props(out, layer):
    """A layer's properties as a GIS reader sees them: an optional property left out where null is null."""
    features = json.loads((out / f"{layer}.geojson").read_text("utf-8"))["features"]
    return [{**dict.fromkeys(export.ALWAYS_COLUMNS[layer]), **f["properties"]} for f in features]


def _one(items, **want):
    found = [p for p in items if all(p.get(k) == v for k, v in want.items())]
    assert len(found) == 1, (want, [(p.get("id"), p.get("place_name")) for p in items])
    return found[0]


def _mastung_town(gazetteer):
    (town,) = [m.place for m in gazetteer.match("Mastung") if m.exact and m.place.level == "town"]
    return town


PIN_DROP_ROLE_TOLL = """\
- doc: a
  mention: Mastung
  sentence: A bomb exploded in Mastung
  place: Mastung
  level: town
  why: the town is meant
- {doc: a, mention: Kabul, sentence: Flights to Kabul, drop: true}
- {doc: a, mention: Quetta, sentence: polling station in Quetta, fatalities: 33, date: 2018-07-25}
- {doc: a, mention: Balochistan, sentence: Bombing in Balochistan, role: contested, status: hub}
"""


def test_pin_drop_role_and_toll_are_applied_and_shown(capsys, gazetteer, seeds, tmp_path):
    (seeds / "corrections.yaml").write_text(PIN_DROP_ROLE_TOLL, "utf-8")
    out = tmp_path / "maps"
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert (code, err) == (0, "")
    assert lines(stdout)[-1] == f"2 documents (2 analysed, 0 from cache), 6 mentions, 3 incidents, 2 regions, " \
                                f"4 corrections applied -> {out}/"
    town = _mastung_town(gazetteer)
    mentions = _props(out, "mentions")
    mastung = _one(mentions, doc="a", text="Mastung")
    assert mastung["place_id"] == town.id and mastung["rule"] == "analyst correction"
    assert mastung["correction"].startswith(f"Analyst correction: pinned to Mastung (town, {town.admin1}, PK) instead of "
                                            f"Mastung (district, ")
    assert mastung["correction"].endswith(" — the town is meant")
    assert [m for m in mentions if m["text"] == "Kabul"] == []
    assert _one(mentions, doc="a", text="Quetta")["correction"] is None  # the toll is the incident's
    assert _one(mentions, doc="b", text="Quetta")["correction"] is None

    incidents = _props(out, "incidents")
    quetta = _one(incidents, place_name="Quetta")
    assert (quetta["fatalities"], quetta["date"]) == (33, "2018-07-25")
    assert quetta["correction"] == "Analyst correction: date set to 2018-07-25; fatalities set to 33 instead of 31"
    assert _one(incidents, place_id=town.id)["correction"] == mastung["correction"]
    assert _one(incidents, place_name="Peshawar")["correction"] is None

    region = _one(_props(out, "regions"), place_name="Balochistan")
    assert region["status"] == "hub"
    assert region["correction"] == "Analyst correction: role set to contested instead of mention; status set to hub"
    # the flat tables carry it too
    rows = list(csv.DictReader(io.StringIO((out / "incidents.csv").read_text("utf-8"))))
    assert {r["correction"] for r in rows} == {"", quetta["correction"], mastung["correction"]}


def test_merge_and_split_incidents(capsys, gazetteer, seeds, tmp_path):
    (seeds / "corrections.yaml").write_text(
        "- split: {doc: b, mention: Quetta, sentence: A blast in Quetta}\n"
        "  why: two different attacks\n"
        "- merge:\n"
        "    - {doc: a, mention: Mastung, sentence: A bomb exploded}\n"
        "    - {doc: b, mention: Peshawar, sentence: Another bomb}\n", "utf-8")
    out = tmp_path / "maps"
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert (code, err) == (0, "")
    incidents = _props(out, "incidents")
    assert sorted((p["place_name"], [s["doc"] for s in p["sources"]]) for p in incidents) == [
        ("Peshawar", ["a", "b"]), ("Quetta", ["a"]), ("Quetta", ["b"])]  # merged at the more precise place
    merged = _one(incidents, place_name="Peshawar")
    assert merged["correction"] == "Analyst correction: 2 reports merged into one incident"
    assert (merged["date"], merged["fatalities"]) == ("2018-07-13", 128)
    assert _one(incidents, id="b:11")["correction"] == \
        "Analyst correction: split off from the incident at Quetta — two different attacks"
    assert _one(incidents, id="a:82")["correction"] == \
        "Analyst correction: the report in b split off as an incident of its own — two different attacks"
    assert (_one(incidents, id="b:11")["fatalities"], _one(incidents, id="a:82")["fatalities"]) == (29, 31)


def test_corrections_that_no_longer_match_the_text_are_named_and_never_dropped_silently(capsys, gazetteer, seeds, tmp_path):
    path = seeds / "corrections.yaml"
    path.write_text(PIN_DROP_ROLE_TOLL +                                           # lines 1-9
                    "- {doc: gone, mention: Kabul, drop: true}\n"                  # 10
                    "- {doc: a, mention: Quetta, rol: incident}\n"                 # 11
                    "- {doc: a, mention: Quetta, role: victim}\n"                  # 12
                    "- {doc: a, mention: Quetta, at: 5, role: mention}\n"          # 13
                    "- {doc: a, mention: Quetta, place: Nowhere-on-earth}\n"       # 14
                    "- {doc: a, mention: Mastung, sentence: officials said, drop: true}\n"  # 15
                    "- {doc: b, mention: Quetta, date: July 2018}\n"               # 16
                    "- {doc: b, mention: Quetta, sentence: A blast, fatalities: many}\n"  # 17
                    "- {doc: a, mention: Nangarhar, fatalities: 3}\n"              # 18
                    "- {doc: a, mention: officials}\n"                             # 19
                    "- just a string\n"                                            # 20
                    "- {doc: b, mention: Quetta, sentence: killed, role: mention}\n", "utf-8")  # 21: ambiguous? no: one Quetta
    # the analyst's text edits: the quoted sentences of lines 1 and 7 are gone
    (seeds / "a.txt").write_text(A_TEXT.replace("A bomb exploded in Mastung", "A bomb went off in Mastung")
                                 .replace("Flights to Kabul", "Flights to Kandahar"), "utf-8")
    out = tmp_path / "maps"
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert code == 0
    p = f"geo-khorasan: {path}: line"
    assert lines(err) == [
        f"{p} 1: 'Mastung' in a: the sentence quoted is no longer in the document: 'A bomb exploded in Mastung'; not applied",
        f"{p} 7: 'Kabul' in a: the sentence quoted is no longer in the document: 'Flights to Kabul'; not applied",
        f"{p} 10: 'Kabul' in gone: document 'gone' is not among the documents read; not applied",
        f"{p} 11: unknown key(s) 'rol' (did you mean 'role'? a mention correction takes at, country, date, doc, drop, "
        f"fatalities, injured, level, mention, place, role, sentence, status, type, why); not applied",
        f"{p} 12: role 'victim' is not one of incident, contested, mention, dateline; not applied",
        f"{p} 13: 'Quetta' in a: the text at offset 5 is now 'ng in '; not applied",
        f"{p} 14: 'Quetta' in a: place 'Nowhere-on-earth' is neither a place id nor a name in the gazetteer "
        f"(see `geo-khorasan geocode 'Nowhere-on-earth'`); not applied",
        f"{p} 15: 'Mastung' in a: no longer in the sentence quoted; not applied",
        f"{p} 16: date 'July 2018' is not ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD); not applied",
        f"{p} 17: fatalities: must be a whole number (or 'unknown'), not 'many'; not applied",
        f"{p} 18: 'Nangarhar' in a: fatalities set on a mention whose role is contested; add role: incident; not applied",
        f"{p} 19: says nothing to change (give one of place, role, status, type, date, fatalities, injured, drop); "
        f"not applied",
        f"{p} 20: a correction is a mapping (doc:, mention:, sentence:, ...), not 'just a string'; not applied",
    ]
    assert lines(stdout)[-1].endswith(f"3 corrections applied, 13 not applied -> {out}/")
    # every rebuild says it again, and --strict makes it fail for CI
    code, _, err2 = _build(capsys, gazetteer, seeds, out, "--strict")
    assert code == 1 and err2 == err


def test_mentions_are_found_by_offset_or_by_unique_words(capsys, gazetteer, seeds, tmp_path):
    start = A_TEXT.index("Quetta")
    (seeds / "corrections.yaml").write_text(
        f"- {{doc: a, mention: Quetta, at: {start}, role: mention}}\n"
        "- {doc: a, mention: Nangarhar, drop: yes}\n"           # once in the document: no sentence needed
        "- {doc: b, mention: Quetta, sentence: ' blast  in   Quetta ', role: mention}\n", "utf-8")  # spaces loosely
    out = tmp_path / "maps"
    code, stdout, err = _build(capsys, gazetteer, seeds, out)
    assert (code, err) == (0, "")
    mentions = _props(out, "mentions")
    assert _one(mentions, doc="a", text="Quetta")["role"] == "mention"
    assert _one(mentions, doc="b", text="Quetta")["correction"] == "Analyst correction: role set to mention instead of incident"
    assert not [m for m in mentions if m["text"] == "Nangarhar"]
    assert [p["place_name"] for p in _props(out, "incidents")] == ["Mastung", "Peshawar"]


def test_words_the_recogniser_missed_can_be_pinned(capsys, gazetteer, tmp_path):
    seeds = make_seeds(tmp_path / "seeds", a="Militants attacked a checkpoint in Zarghunkhel on 3 May 2019, killing 4 soldiers.\n")
    (seeds / "corrections.yaml").write_text(
        "- {doc: a, mention: Zarghunkhel, sentence: attacked a checkpoint, place: geonames:1138958}\n", "utf-8")
    out = tmp_path / "maps"
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert (code, err) == (0, "")
    m = _one(_props(out, "mentions"), text="Zarghunkhel")
    assert m["place_id"] == "geonames:1138958" and m["role"] == "incident"
    assert m["correction"] == "Analyst correction: added at Kabul (town, AF) (not found by the recogniser)"
    (inc,) = _props(out, "incidents")
    assert (inc["place_name"], inc["fatalities"], inc["correction"]) == ("Kabul", 4, m["correction"])


def test_corrections_are_reapplied_on_every_rebuild(capsys, gazetteer, seeds, tmp_path):
    (seeds / "corrections.yaml").write_text(PIN_DROP_ROLE_TOLL, "utf-8")
    out = tmp_path / "maps"
    assert _build(capsys, gazetteer, seeds, out)[0] == 0
    before = snapshot(out)
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert "(0 analysed, 2 from cache)" in stdout and snapshot(out) == before
    (seeds / "corrections.yaml").unlink()  # removing the file undoes them, and the build says what moved
    code, stdout, _ = _build(capsys, gazetteer, seeds, out)
    assert "(0 analysed, 2 from cache)" in stdout
    assert [x for x in lines(stdout) if x.startswith(("incident", "region"))] == [
        f"incident moved: bombing at Mastung on 2018-07-13 [a] (was at Mastung, {_mastung_town(gazetteer).id})",
        "incident changed: suicide bombing at Quetta on 2018-07-25 [a, b]: fatalities 33 -> 31",
        "region removed: hub: Balochistan [a]"]


def test_correction_text_reaches_the_maps_only_escaped(capsys, gazetteer, seeds, tmp_path, render_payloads):
    script, img = render_payloads["script"], render_payloads["img"]
    (seeds / "corrections.yaml").write_text(
        f"- {{doc: a, mention: Mastung, sentence: A bomb exploded, place: Quetta, level: town, why: '{script}'}}\n"
        f"- {{doc: b, mention: Quetta, sentence: A blast, fatalities: 30, why: '{img}'}}\n", "utf-8")
    out = tmp_path / "maps"
    code, _, err = _build(capsys, gazetteer, seeds, out)
    assert (code, err) == (0, "")
    corrections = [m["correction"] for m in _props(out, "mentions") + _props(out, "incidents") if m["correction"]]
    assert any(c.endswith(script) for c in corrections) and any(c.endswith(img) for c in corrections)
    for page in out.rglob("*.html"):
        html = page.read_text("utf-8")
        assert script not in html and img not in html, page


def test_review_lists_every_mention_with_candidates_and_corrections(capsys, gazetteer, seeds, tmp_path):
    (seeds / "a.txt").write_text(A_TEXT + "Its leader, Asad Laghmani aka Qais, fled.\n", "utf-8")
    (seeds / "corrections.yaml").write_text(PIN_DROP_ROLE_TOLL, "utf-8")
    target = tmp_path / "review.csv"
    code, stdout, err = run(capsys, gazetteer, "review", str(seeds), "--output", str(target))
    assert code == 0 and lines(err) == [f"8 mentions -> {target}"]
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert [(r["doc"], r["text"], r["mapped"]) for r in rows] == [
        ("a", "Balochistan", "yes"), ("a", "Quetta", "yes"), ("a", "Nangarhar", "yes"), ("a", "Kabul", "dropped"),
        ("a", "Mastung", "yes"), ("a", "Qais", "no"), ("b", "Quetta", "yes"), ("b", "Peshawar", "yes")]
    by_text = {(r["doc"], r["text"]): r for r in rows}
    kabul = by_text[("a", "Kabul")]
    assert kabul["correction"] == "Analyst correction: dropped" and kabul["place_id"] == "geonames:1138958"
    mastung = by_text[("a", "Mastung")]
    assert mastung["rule"] == "analyst correction" and mastung["correction"].startswith("Analyst correction: pinned to")
    assert mastung["sentence"] == "A bomb exploded in Mastung on July 13, 2018, killing 128 people."
    quetta = by_text[("b", "Quetta")]
    assert int(quetta["candidate_count"]) >= 2 and quetta["candidate_1"].startswith("geonames:1167528 Quetta (town, ")
    assert " score " in quetta["candidate_1"]
    assert float(quetta["margin"]) > 0
    qais = by_text[("a", "Qais")]
    assert qais["place_id"] == "" and qais["rule"].startswith("not placed")
    # to standard output without --output
    code, stdout, _ = run(capsys, gazetteer, "review", str(seeds))
    assert code == 0 and stdout == target.read_text("utf-8")


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    import time

    from geo_khorasan.corrections import load

    text, prev = "- &a [x, x, x, x, x, x, x, x, x, x]\n", "a"
    for i in range(1, 12):  # 10**12 strings if expanded
        text += f"- &b{i} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
        prev = f"b{i}"
    text += f"- merge: [*{prev}, *{prev}]\n"
    path = tmp_path / "corrections.yaml"
    path.write_text(text, "utf-8")
    started = time.monotonic()
    entries, errors = load(path)
    assert time.monotonic() - started < 5
    assert entries == [] and len(errors) == 13
    assert errors[-1] == f"{path}: line 13: merge item 1 must be a mapping with doc:, mention: and sentence: (or at:); " \
                         f"not applied"
