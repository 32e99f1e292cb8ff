"""What every page is built from: the inlined JavaScript libraries, our own
templates, the Content-Security-Policy, and the two safe ways to put untrusted
text into a page (JSON in a data block, escaped HTML).

The libraries come from the XStatic packages on PyPI (Python dependencies of this
package); they are read at render time and inlined, so the written maps work with no network.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

#: The JavaScript libraries inlined into every map, each shipped as an XStatic package on PyPI:
#: (Python module, distribution to install, display name, licence).
LIBRARIES = (
    ("xstatic.pkg.leaflet", "XStatic-Leaflet", "leaflet", "BSD-2-Clause"),
    ("xstatic.pkg.leaflet_markercluster", "XStatic-Leaflet-MarkerCluster", "leaflet.markercluster", "MIT"),
)
_NEEDED = {"leaflet": ("leaflet.js", "leaflet.css"),
           "leaflet.markercluster": ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")}

#: The only tile host the optional online layer may load images from.
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ORIGIN = "https://tile.openstreetmap.org"


class AssetsNotFound(RuntimeError):
    """An XStatic package holding Leaflet or its plugin is not installed, or lacks a file."""


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    licence: str
    folder: Path


@dataclass(frozen=True)
class Libraries:
    css: str
    js: str


def find_libraries() -> tuple[Library, ...]:
    """Leaflet and leaflet.markercluster as installed from PyPI; :class:`AssetsNotFound`
    (one line naming the package to install) when either is missing or incomplete."""
    found = []
    for module, distribution, name, licence in LIBRARIES:
        try:
            pkg = importlib.import_module(module)
        except ImportError:
            raise AssetsNotFound(f"{distribution}: not installed (it holds {name}, inlined into every map); "
                                 f"pip install {distribution}") from None
        folder = Path(pkg.BASE_DIR)
        missing = [f for f in _NEEDED[name] if not (folder / f).is_file()]
        if missing:
            raise AssetsNotFound(f"{folder / missing[0]}: missing from {distribution}; "
                                 f"pip install --force-reinstall {distribution}")
        found.append(Library(name, pkg.VERSION, licence, folder))
    return tuple(found)


def libraries() -> Libraries:
    return _libraries(find_libraries())


@functools.lru_cache(maxsize=4)
def _libraries(found: tuple[Library, ...]) -> Libraries:
    leaflet, cluster = found
    leaflet_css = _inline_css_images(_read(leaflet.folder / "leaflet.css"), leaflet.folder)
    css = "\n".join(
        (
            _banner(leaflet),
            leaflet_css,
            _banner(cluster),
            _read(cluster.folder / "MarkerCluster.css"),
            _read(cluster.folder / "MarkerCluster.Default.css"),
        )
    )
    js = "\n".join(
        (
            _banner(leaflet),
            _read(leaflet.folder / "leaflet.js"),
            _banner(cluster),
            _read(cluster.folder / "leaflet.markercluster.js"),
        )
    )
    return Libraries(css=safe_style_text(css), js=safe_script_text(js))


def _banner(library: Library) -> str:
    return f"/* {library.name} {library.version} ({library.licence}) */"


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
