"""Rendering: GeoJSON layers and documents in, offline HTML maps and source pages out.

Knows nothing about how places were found; see :func:`map.render_map` and
:func:`pages.render_source_page` for the input contract.
"""
from geo_khorasan.render.assets import AssetsNotFound, find_libraries
from geo_khorasan.render.map import map_html, render_map
from geo_khorasan.render.pages import (
    documents_page_html,
    redirect_page_html,
    render_redirect_page,
    render_documents_page,
    render_source_page,
    source_page_html,
)

__all__ = [
    "AssetsNotFound",
    "documents_page_html",
    "find_libraries",
    "map_html",
    "render_map",
    "render_documents_page",
    "redirect_page_html",
    "render_redirect_page",
    "render_source_page",
    "source_page_html",
]
