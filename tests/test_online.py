"""Opt-in online fallbacks, against stub Nominatim and GeoNames services on 127.0.0.1."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from geo_khorasan.geocoder import LocalGeocoder
from geo_khorasan.online import GeoNamesGazetteer, NominatimGazetteer, OnlineError, online_gazetteer

SECRET = "s3cret-user"

# What the services answer for a Waziristan village the public data lacks.
NOMINATIM_DABORI = [{"osm_type": "node", "osm_id": 4242, "lat": "33.6400", "lon": "70.9800", "name": "Dabori",
                     "display_name": "Dabori, Orakzai, Khyber Pakhtunkhwa, Pakistan", "addresstype": "village",
                     "address": {"village": "Dabori", "county": "Orakzai", "state": "Khyber Pakhtunkhwa",
                                 "country_code": "pk"}},
                    # a namesake far from the district the text names
                    {"osm_type": "node", "osm_id": 4343, "lat": "27.0000", "lon": "68.0000", "name": "Dabori",
                     "display_name": "Dabori, Sindh, Pakistan", "addresstype": "hamlet",
                     "address": {"hamlet": "Dabori", "state": "Sindh", "country_code": "pk"}}]
GEONAMES_MIR_ALI = {"totalResultsCount": 1, "geonames": [
    {"geonameId": 1170395, "name": "Mir Ali", "toponymName": "Mīr ‘Ali", "lat": "32.9950", "lng": "70.2700",
     "countryCode": "PK", "fcode": "PPL", "population": 12000, "adminName1": "Khyber Pakhtunkhwa"}]}


class _Stub(BaseHTTPRequestHandler):
    log: list = []

    def do_GET(self):  # noqa: N802
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.log.append({"path": url.path, "query": query, "time": time.monotonic(),
                         "agent": self.headers.get("User-Agent")})
        if url.path == "/search":
            body = NOMINATIM_DABORI if query.get("q") == ["Dabori"] else []
        elif url.path == "/searchJSON":
            if query.get("username") != [SECRET]:
                self.send_response(401)
                self.end_headers()
                return
            body = GEONAMES_MIR_ALI if query.get("q") == ["Mir Ali"] else {"totalResultsCount": 0, "geonames": []}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def stub():
    _Stub.log = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}", _Stub.log
    server.shutdown()
    server.server_close()


def _nominatim(stub, tmp_path, delay=0.0):
    host, _ = stub
    return NominatimGazetteer(user_agent="geo_khorasan tests (test@example.org)", domain=host, scheme="http",
                              cache_path=tmp_path / "nominatim-cache.sqlite", min_delay_seconds=delay)


def test_a_name_the_index_lacks_is_found_online_within_the_district_the_text_names(gazetteer, stub, tmp_path):
    coder = LocalGeocoder(gazetteer=gazetteer, country="PK", online=_nominatim(stub, tmp_path))
    local_only = LocalGeocoder(gazetteer=gazetteer, country="PK").candidates("Dabori, Orakzai district")
    assert local_only[0].place.name == "Orakzai" and local_only[0].precision == 3  # the fallback without help
    best, *rest = coder.candidates("Dabori, Orakzai district")
    assert best.place.id == "nominatim:node/4242" and best.precision == 1
    assert best.rule.startswith("online: nominatim") and "not in the local gazetteer" in best.note
    assert all(r.place.id != "nominatim:node/4343" for r in rest)  # the Sindh namesake is outside Orakzai
    # only the place name and the country were sent, never the rest of the text
    (req,) = stub[1]
    assert req["query"]["q"] == ["Dabori"] and req["query"]["countrycodes"] == ["pk"]
    assert req["agent"].startswith("geo_khorasan tests")


def test_answers_are_cached_on_disk_and_reused_by_a_new_process(gazetteer, stub, tmp_path):
    first = _nominatim(stub, tmp_path)
    assert [p.name for p in first.lookup("Dabori", "PK")] == ["Dabori", "Dabori"]
    second = _nominatim(stub, tmp_path)  # as a later run would open it
    assert [p.id for p in second.lookup("Dabori", "PK")] == ["nominatim:node/4242", "nominatim:node/4343"]
    assert len(stub[1]) == 1 and first.requests_sent == 1 and second.requests_sent == 0


def test_requests_are_spaced_by_the_rate_limiter(stub, tmp_path):
    online = _nominatim(stub, tmp_path, delay=0.4)
    for name in ("Dabori", "Spalga", "Datta Khel"):
        online.lookup(name, "PK")
    times = [r["time"] for r in stub[1]]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.35
    # cached answers do not wait
    t0 = time.monotonic()
    online.lookup("Dabori", "PK")
    assert time.monotonic() - t0 < 0.3 and len(stub[1]) == 3


def test_geonames_username_never_reaches_the_cache_or_the_messages(stub, tmp_path):
    host, log = stub
    online = GeoNamesGazetteer(username=SECRET, domain=host, scheme="http", cache_path=tmp_path / "gn.sqlite",
                               min_delay_seconds=0)
    (mir_ali,) = online.lookup("Mir Ali", "PK")
    assert (mir_ali.id, mir_ali.level, mir_ali.country) == ("geonames:1170395", "town", "PK")
    assert log[0]["query"]["username"] == [SECRET]
    assert SECRET.encode() not in (tmp_path / "gn.sqlite").read_bytes()
    wrong = GeoNamesGazetteer(username="not-" + SECRET, domain=host, scheme="http",
                              cache_path=tmp_path / "gn2.sqlite", min_delay_seconds=0)
    with pytest.raises(OnlineError) as err:
        wrong.lookup("Mir Ali", "PK")
    assert SECRET not in str(err.value) and str(err.value).startswith("geonames:")


def test_usage_policies_are_enforced_before_any_request(stub):
    with pytest.raises(OnlineError, match="User-Agent"):
        online_gazetteer("nominatim")
    with pytest.raises(OnlineError, match="username"):
        online_gazetteer("geonames")
    assert stub[1] == []


def test_online_lookup_from_the_command_line(gazetteer, stub, tmp_path, capsys, monkeypatch):
    from geo_khorasan.cli import main

    monkeypatch.setenv("GEO_KHORASAN_CACHE", str(tmp_path))
    code = main(["--index", str(gazetteer.path), "-q", "geocode", "Dabori", "--country", "PK", "--json",
                 "--online", "nominatim", "--user-agent", "geo_khorasan tests", "--online-url", f"http://{stub[0]}"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["place_id"] == "nominatim:node/4242" and out[0]["rule"].startswith("online: nominatim")
    # without --online nothing is asked
    assert main(["--index", str(gazetteer.path), "-q", "geocode", "Dabori", "--country", "PK"]) == 1
    assert len(stub[1]) == 1
