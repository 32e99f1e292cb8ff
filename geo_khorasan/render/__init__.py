"""Rendering: GeoJSON layers and documents in, offline HTML maps and source pages out.

Knows nothing about how places were found; see :func:`map.render_map` and
:func:`pages.render_source_page` for the input contract. The names below are imported
when first used, so that a build with nothing to draw never loads folium.
"""
import importlib

_WHERE = {
    "AssetsNotFound": "assets",
    "find_libraries": "assets",
    "map_html": "map",
    "render_map": "map",
    "documents_page_html": "pages",
    "redirect_page_html": "pages",
    "render_redirect_page": "pages",
    "render_documents_page": "pages",
    "render_source_page": "pages",
    "source_page_html": "pages",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"geo_khorasan.render.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'geo_khorasan.render' has no attribute {name!r}")
