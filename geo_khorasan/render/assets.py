"""What every page is built from: the inlined JavaScript libraries, our own
templates, the Content-Security-Policy, and the two safe ways to put untrusted
text into a page (JSON in a data block, escaped HTML).

The libraries come from the npm dependencies pinned in package-lock.json; they
are read at render time and inlined, so the written maps work with no network.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

NODE_MODULES_ENV = "GEO_KHORASAN_NODE_MODULES"
_MARKER_FILE = Path("leaflet", "dist", "leaflet.js")

#: The only tile host the optional online layer may load images from.
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ORIGIN = "https://tile.openstreetmap.org"


class AssetsNotFound(RuntimeError):
    """The npm dependencies (Leaflet and its plugin) are not installed."""


@dataclass(frozen=True)
class Libraries:
    css: str
    js: str


def find_node_modules() -> Path:
    """The ``node_modules`` folder holding Leaflet.

    ``$GEO_KHORASAN_NODE_MODULES`` wins when set; otherwise the first
    ``node_modules/leaflet/dist/leaflet.js`` found walking up from this package,
    then from the current directory.
    """
    configured = os.environ.get(NODE_MODULES_ENV)
    if configured:
        folder = Path(configured).expanduser().resolve()
        if (folder / _MARKER_FILE).is_file():
            return folder
        raise AssetsNotFound(
            f"{NODE_MODULES_ENV}={configured} has no {_MARKER_FILE.as_posix()}: "
            "run `npm ci` in the geo_khorasan repository or fix the variable"
        )
    starts = (Path(__file__).resolve().parent, Path.cwd().resolve())
    for start in starts:
        for folder in (start, *start.parents):
            if (folder / "node_modules" / _MARKER_FILE).is_file():
                return folder / "node_modules"
    raise AssetsNotFound(
        "Leaflet not found in any node_modules above the package or the current "
        "directory: run `npm ci` in the geo_khorasan repository "
        f"(or set {NODE_MODULES_ENV} to a node_modules folder)"
    )


def libraries() -> Libraries:
    return _libraries(find_node_modules())


@functools.lru_cache(maxsize=4)
def _libraries(node_modules: Path) -> Libraries:
    leaflet = node_modules / "leaflet"
    cluster = node_modules / "leaflet.markercluster"
    if not (cluster / "dist" / "leaflet.markercluster.js").is_file():
        raise AssetsNotFound(
            f"leaflet.markercluster missing from {node_modules}: run `npm ci` "
            "in the geo_khorasan repository"
        )
    leaflet_css = _inline_css_images(_read(leaflet / "dist" / "leaflet.css"), leaflet / "dist")
    css = "\n".join(
        (
            _banner(leaflet),
            leaflet_css,
            _banner(cluster),
            _read(cluster / "dist" / "MarkerCluster.css"),
            _read(cluster / "dist" / "MarkerCluster.Default.css"),
        )
    )
    js = "\n".join(
        (
            _banner(leaflet),
            _read(leaflet / "dist" / "leaflet.js"),
            _banner(cluster),
            _read(cluster / "dist" / "leaflet.markercluster.js"),
        )
    )
    return Libraries(css=safe_style_text(css), js=safe_script_text(js))


def _banner(package: Path) -> str:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    return f"/* {meta['name']} {meta['version']} ({meta.get('license', '')}) */"


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # The HTML parser turns CRLF into LF, and the CSP hashes must match what it sees.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Developer tools would otherwise try to load the .map file.
    return re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE).rstrip() + "\n"


def _inline_css_images(css: str, base: Path) -> str:
    def data_uri(match: re.Match) -> str:
        image = base / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


def template_text(name: str) -> str:
    """One of our own files under ``geo_khorasan/render/templates``."""
    text = resources.files("geo_khorasan.render").joinpath("templates", name).read_text("utf-8")
    return text.replace("\r\n", "\n")


def safe_script_text(js: str) -> str:
    """JavaScript that cannot end its own ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def safe_style_text(css: str) -> str:
    if re.search(r"</style", css, flags=re.IGNORECASE):
        raise ValueError("stylesheet contains </style")
    return css


def script_json(value) -> str:
    """JSON for a ``<script type="application/json">`` block.

    Sorted keys for byte-identical output; ``<``, ``>`` and ``&`` escaped so
    article text like ``</script>`` cannot leave the block.
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def escape(text) -> str:
    """HTML-escape any value for element content or a quoted attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def http_url(url) -> str | None:
    """``url`` if it is an absolute http(s) URL that may become a link, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if any(ord(ch) < 0x20 or ch in " \x7f\"'<>`\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def finite_number(value) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def script_hash(js: str) -> str:
    digest = hashlib.sha256(js.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*, scripts: list[str], tiles: bool) -> str:
    """A policy allowing exactly the given inline scripts, inline styles and
    data: images (plus the tile host when the page has the optional tile layer)."""
    script_src = " ".join(script_hash(s) for s in scripts) if scripts else "'none'"
    img_src = "data:" + (f" {TILE_ORIGIN}" if tiles else "")
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {script_src}",
            "style-src 'unsafe-inline'",
            f"img-src {img_src}",
            "connect-src 'none'",
            "font-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
