"""The source page of one document: its text, each sentence an anchor, each
resolved place mention a link back to that place on the map."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from geo_khorasan.atomic import write_text
from geo_khorasan.render import assets

_PAGE = jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(
    assets.template_text("source.html")
)


def render_source_page(path, **options) -> None:
    """Write a document as a static, script-free page; ``options`` are those of :func:`source_page_html`."""
    write_text(path, source_page_html(**options))


def source_page_html(
    *, document: dict, mentions: list[dict], map_href: str, attribution: str, documents_href: str | None = None
) -> str:
    """The page for a file in ``maps/sources/``; ``map_href`` and ``documents_href`` (the
    table of documents, optional) are relative to ``maps/``. ``map_href`` may carry a
    fragment (``index.html#doc=<id>``, the map filtered to this document); the mention links
    add ``m=<mention id>`` to it.

    ``mentions`` are mention features or their properties; those of other
    documents or with offsets that do not fit the text are left out.
    """
    doc_id = str(document.get("id", ""))
    text = document.get("text") if isinstance(document.get("text"), str) else ""
    map_link = _map_link(map_href)
    links = _mention_links(text, doc_id, mentions or [], map_link)
    date = document.get("date")
    if date and document.get("date_inferred"):
        date = f"{date} or later (inferred)"
    url = document.get("url")
    return _PAGE.render(
        csp=assets.content_security_policy(scripts=[], tiles=False),
        title=document.get("title") or doc_id,
        outlet=document.get("outlet"),
        date=date,
        author=document.get("author"),
        link=assets.http_url(url),
        url=url,
        doc_id=doc_id,
        map_href=map_link,
        documents_href="../" + quote(str(documents_href), safe="/") if documents_href else None,
        mention_count=len(links),
        article=Markup(_article_html(text, _sentences(text, document.get("sentences")), links)),
        attribution=attribution,
    )


def _map_link(map_href) -> str:
    """``../`` + the map's address from ``maps/sources/``, its fragment's values kept quoted."""
    path, _, fragment = str(map_href).partition("#")
    link = "../" + quote(path, safe="/")
    if fragment:
        link += "#" + "&".join(_fragment_part(part) for part in fragment.split("&"))
    return link


def _fragment_part(part: str) -> str:
    key, _, value = part.partition("=")
    return f"{quote(key, safe='')}={quote(value, safe=':')}"


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sentences(text: str, spans) -> list[tuple[int, int]]:
    """Valid, sorted, non-overlapping sentence spans."""
    valid = []
    for span in spans or []:
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            continue
        start, end = _int(span[0]), _int(span[1])
        if start is not None and end is not None and 0 <= start < end <= len(text):
            valid.append((start, end))
    kept: list[tuple[int, int]] = []
    for start, end in sorted(valid):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _mention_links(text: str, doc_id: str, mentions: list[dict], map_link: str) -> list[tuple[int, int, str]]:
    """(start, end, opening <a> tag) for each mention, the first of overlapping ones kept."""
    found = []
    for item in mentions:
        if not isinstance(item, dict):
            continue
        props = item.get("properties") if isinstance(item.get("properties"), dict) else item
        start, end = _int(props.get("start")), _int(props.get("end"))
        mention_id = props.get("id")
        if props.get("doc") not in (None, doc_id) or mention_id is None:
            continue
        if start is None or end is None or not 0 <= start < end <= len(text):
            continue
        role = re.sub(r"[^a-z-]", "", str(props.get("role") or "mention").lower())
        name, words = props.get("place_name"), props.get("precision_words")
        if name and words and str(name) in str(words):
            name = None  # "exact place: Khuiratta" names it already
        described = " \u2014 ".join(str(v) for v in (name, words, props.get("role")) if v)
        href = f"{map_link}{'&' if '#' in map_link else '#'}m={quote(str(mention_id), safe=':')}"
        tag = f'<a class="place role-{role}" href="{assets.escape(href)}" title="{assets.escape(described)}">'
        found.append((start, -end, str(mention_id), tag))
    links: list[tuple[int, int, str]] = []
    for start, neg_end, _, tag in sorted(found):
        if not links or start >= links[-1][1]:
            links.append((start, -neg_end, tag))
    return links


def _article_html(text: str, sentences: list[tuple[int, int]], links: list[tuple[int, int, str]]) -> str:
    # Cover the whole text: sentences, and the gaps between them unwrapped.
    segments: list[tuple[int, int, bool]] = []
    pos = 0
    for start, end in sentences:
        if start > pos:
            segments.append((pos, start, False))
        segments.append((start, end, True))
        pos = end
    if pos < len(text):
        segments.append((pos, len(text), False))

    out: list[str] = []
    following = 0  # index of the first link not yet written
    for seg_start, seg_end, is_sentence in segments:
        if is_sentence:
            out.append(f'<span id="s{seg_start}" class="sentence">')
        pos = seg_start
        while following < len(links) and links[following][0] < seg_end:
            start, end, tag = links[following]
            following += 1
            end = min(end, seg_end)  # a mention never straddles two sentence anchors
            out.append(assets.escape(text[pos:start]))
            out.append(tag + assets.escape(text[start:end]) + "</a>")
            pos = end
        out.append(assets.escape(text[pos:seg_end]))
        if is_sentence:
            out.append("</span>")
    return "".join(out)


_DOCUMENTS = jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(
    assets.template_text("documents.html")
)


def render_documents_page(path, **options) -> None:
    """Write the table of documents; ``options`` are those of :func:`documents_page_html`."""
    write_text(path, documents_page_html(**options))


def documents_page_html(*, title: str, documents: list[dict], map_href: str, attribution: str,
                        sources_dir: str = "sources") -> str:
    """A static, script-free table of ``documents`` (title, outlet, date, counts) linking to
    each document's view (``map_href#doc=<doc-id>``: the one map filtered to it), its source
    page and its article; the page sits beside the map, and ``map_href`` is that map."""
    prefix = quote(str(sources_dir or "").rstrip("/"), safe="/")
    prefix = prefix + "/" if prefix else ""
    rows = []
    for doc in documents or []:
        doc_id = str(doc.get("id", ""))
        counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
        date = doc.get("date")
        if date and doc.get("date_inferred"):
            date = f"{date} or later (inferred)"
        url = doc.get("url")
        rows.append({
            "id": doc_id,
            "title": doc.get("title") or doc_id,
            "outlet": doc.get("outlet"),
            "date": date,
            "incidents": _int(counts.get("incidents")),
            "regions": _int(counts.get("regions")),
            "mentions": _int(counts.get("mentions")),
            "map_href": quote(str(map_href), safe="/") + "#doc=" + quote(doc_id, safe=":"),
            "source_href": prefix + quote(doc_id, safe="") + ".html",
            "link": assets.http_url(url),
            "url": url if isinstance(url, str) else None,
        })
    return _DOCUMENTS.render(
        csp=assets.content_security_policy(scripts=[], tiles=False),
        title=title or "Documents",
        documents=rows,
        map_href=quote(str(map_href), safe="/"),
        attribution=attribution,
    )


_REDIRECT = jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(
    assets.template_text("redirect.html")
)


def render_redirect_page(path, **options) -> None:
    """Write ``<doc-id>.html``; ``options`` are those of :func:`redirect_page_html`."""
    write_text(path, redirect_page_html(**options))


def redirect_page_html(*, doc_id: str, title: str, map_href: str = "index.html") -> str:
    """A small page standing for a document's old map: it sends the reader to the one map
    filtered to the document (``map_href#doc=<doc-id>``), keeping any fragment it was opened
    with (``<doc-id>.html#m=<mention>`` opens that mention), and links there without script."""
    target = quote(str(map_href), safe="/") + "#doc=" + quote(str(doc_id), safe=":")
    script = assets.safe_script_text(
        "(function () {\n"
        "  var extra = window.location.hash.replace(/^#/, \"\");\n"
        f"  window.location.replace({json.dumps(target)} + (extra ? \"&\" + extra : \"\"));\n"
        "})();\n"
    )
    return _REDIRECT.render(
        csp=assets.content_security_policy(scripts=[script], tiles=False),
        title=title or str(doc_id),
        target=target,
        script=Markup(script),
    )
