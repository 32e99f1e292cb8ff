"""Opt-in online fallbacks for names the local gazetteer lacks: Nominatim and GeoNames via geopy.

Only a place name and a country code ever leave the machine, never article text. Every
answer is cached on disk (requests-cache, keyed without credentials) so that a rebuild asks
nothing twice, and requests that do go out are spaced by geopy's ``RateLimiter`` to respect
each service's usage policy (Nominatim: at most one request per second, an identifying
User-Agent; GeoNames: a registered username, free accounts limited per hour).
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import requests_cache
from geopy.adapters import RequestsAdapter
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import GeoNames, Nominatim

from . import __version__
from .paths import cache_dir
from .records import Place

log = logging.getLogger(__name__)

#: Query parameters that carry credentials: never part of a cache key, never stored, never logged.
SECRET_PARAMETERS = ("username", "key", "api_key", "apikey", "email", "token")
CACHE_DAYS = 90


class OnlineError(RuntimeError):
    """An online service failed; the message names the service and never a credential."""


class _CachedRateLimitedAdapter(RequestsAdapter):
    """geopy's requests adapter over a requests-cache session; only uncached requests wait
    for the rate limiter."""

    def __init__(self, *, proxies, ssl_context, cache_path: Path, min_delay_seconds: float):
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        mounts = dict(self.session.adapters)
        self.session = requests_cache.CachedSession(
            str(cache_path), backend="sqlite", expire_after=timedelta(days=CACHE_DAYS), allowable_codes=(200,),
            ignored_parameters=SECRET_PARAMETERS, match_headers=False, stale_if_error=True)
        self.session.trust_env = False
        for prefix, adapter in mounts.items():
            self.session.mount(prefix, adapter)
        self._limited = RateLimiter(super()._request, min_delay_seconds=min_delay_seconds, max_retries=0,
                                    swallow_exceptions=False)
        self.requests_sent = 0

    def _request(self, url, *, timeout, headers):
        if self.session.cache.contains(url=url):
            return super()._request(url, timeout=timeout, headers=headers)
        self.requests_sent += 1
        return self._limited(url, timeout=timeout, headers=headers)


class OnlineGazetteer:
    """Shared base: one geopy geocoder, cached and rate-limited, answering with :class:`Place`."""

    service = ""
    licence = ""
    default_delay = 1.0

    def __init__(self, geocoder_cls, *, cache_path: Path | None = None, min_delay_seconds: float | None = None,
                 **geocoder_kwargs):
        cache_path = Path(cache_path) if cache_path else cache_dir() / f"online-{self.service}.sqlite"
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        delay = self.default_delay if min_delay_seconds is None else min_delay_seconds

        def adapter_factory(proxies, ssl_context):
            return _CachedRateLimitedAdapter(proxies=proxies, ssl_context=ssl_context, cache_path=cache_path,
                                             min_delay_seconds=delay)

        self.geocoder = geocoder_cls(adapter_factory=adapter_factory, **geocoder_kwargs)

    @property
    def requests_sent(self) -> int:
        return self.geocoder.adapter.requests_sent

    def lookup(self, name: str, country: str | None = None, limit: int = 3) -> list[Place]:
        """Places the service knows by ``name`` (a place name only), best first."""
        name = " ".join(name.split())
        if not name:
            return []
        try:
            found = self._query(name, country.upper() if country else None, limit)
        except GeopyError as exc:
            raise OnlineError(f"{self.service}: {_redact(str(exc))}") from None
        return [p for p in (self._place(loc.raw) for loc in found or []) if p is not None]

    def _query(self, name, country, limit):
        raise NotImplementedError

    def _place(self, raw: dict) -> Place | None:
        raise NotImplementedError


class NominatimGazetteer(OnlineGazetteer):
    """OpenStreetMap's Nominatim (https://operations.osmfoundation.org/policies/nominatim/)."""

    service = "nominatim"
    licence = "ODbL, © OpenStreetMap contributors"

    _LEVELS = {"country": "country", "state": "province", "province": "province", "region": "province",
               "state_district": "district", "county": "district", "district": "district", "city": "town",
               "town": "town", "municipality": "town", "village": "village", "hamlet": "village",
               "isolated_dwelling": "village", "suburb": "neighbourhood", "neighbourhood": "neighbourhood",
               "quarter": "neighbourhood", "city_district": "neighbourhood"}

    def __init__(self, *, user_agent: str | None = None, domain: str = "nominatim.openstreetmap.org",
                 scheme: str = "https", **kw):
        if not user_agent or user_agent.startswith("geopy"):
            raise OnlineError("nominatim: its usage policy asks for a User-Agent that identifies you (--user-agent)")
        super().__init__(Nominatim, user_agent=user_agent, domain=domain, scheme=scheme, **kw)

    def _query(self, name, country, limit):
        return self.geocoder.geocode(name, exactly_one=False, limit=limit, addressdetails=True,
                                     country_codes=country.lower() if country else None, language="en")

    def _place(self, raw):
        kind = raw.get("addresstype") or raw.get("type") or ""
        address = raw.get("address") or {}
        return Place(
            id=f"nominatim:{raw.get('osm_type', 'node')}/{raw.get('osm_id')}",
            name=raw.get("name") or raw.get("display_name", "").split(",")[0],
            level=self._LEVELS.get(kind, "village"),
            country=(address.get("country_code") or "").upper() or None,
            lat=float(raw["lat"]), lon=float(raw["lon"]),
            admin1=address.get("state") or address.get("province"),
            admin2=address.get("county") or address.get("state_district") or address.get("district"),
            source=f"{self.service} ({self.licence})")


class GeoNamesGazetteer(OnlineGazetteer):
    """GeoNames web services (https://www.geonames.org/export/web-services.html)."""

    service = "geonames"
    licence = "CC BY 4.0"
    default_delay = 1.0

    def __init__(self, *, username: str | None = None, domain: str = "api.geonames.org", scheme: str = "http", **kw):
        if not username:
            raise OnlineError("geonames: the web services need a registered GeoNames username (--username)")
        kw.setdefault("user_agent", f"geo_khorasan/{__version__}")
        super().__init__(GeoNames, username=username, domain=domain, scheme=scheme, **kw)

    def _query(self, name, country, limit):
        return self.geocoder.geocode(name, exactly_one=False, country=country, country_bias=country)

    def _place(self, raw):
        code = raw.get("fcode") or ""
        if code.startswith("PCL"):
            level = "country"
        elif code == "ADM1":
            level = "province"
        elif code in ("ADM2", "ADM3"):
            level = "district"
        elif code == "PPLX":
            level = "neighbourhood"
        elif code.startswith("PPL"):
            level = "town" if code in ("PPLC", "PPLA", "PPLA2") or (raw.get("population") or 0) >= 5000 else "village"
        else:
            level = "village"  # a valley, pass or mountain: a point, placed as precisely as a village
        return Place(id=f"geonames:{raw.get('geonameId')}", name=raw.get("name") or raw.get("toponymName"),
                     level=level, country=raw.get("countryCode") or None, lat=float(raw["lat"]),
                     lon=float(raw["lng"]), admin1=raw.get("adminName1") or None,
                     population=raw.get("population") or None, source=f"{self.service} ({self.licence})")


SERVICES = {"nominatim": NominatimGazetteer, "geonames": GeoNamesGazetteer}


def online_gazetteer(service: str, **options) -> OnlineGazetteer:
    try:
        cls = SERVICES[service]
    except KeyError:
        raise OnlineError(f"unknown online service {service!r} (choose from {', '.join(SERVICES)})") from None
    unused = {"nominatim": ("username",), "geonames": ()}[service]
    return cls(**{k: v for k, v in options.items() if v is not None and k not in unused})


def _redact(message: str) -> str:
    pattern = "|".join(SECRET_PARAMETERS)
    return re.sub(rf"\b({pattern})=[^&\s'\"]*", r"\1=***", message)
