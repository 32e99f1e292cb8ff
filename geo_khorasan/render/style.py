"""The map's one palette: a fixed colour per incident type and per region status.

Every map uses these colours whatever types it happens to show, so a suicide
bombing is the same red on every page. The README's palette table is
:func:`palette_markdown` (a test keeps the two equal). Colour is never the only
carrier of meaning: popups, the table, the legend and each marker's accessible
name say the type and status in words.
"""
from __future__ import annotations

from collections import OrderedDict

#: Incident type -> marker fill, in legend order (types come from data/cues.yaml).
INCIDENT_COLORS = OrderedDict(
    (
        ("suicide bombing", "#b2182b"),
        ("bombing", "#f46d43"),
        ("armed attack", "#762a83"),
        ("attack", "#c2a5cf"),
        ("targeted killing", "#e7298a"),
        ("kidnapping", "#1b7837"),
        ("airstrike", "#2166ac"),
        ("drone strike", "#67a9cf"),
        ("rocket attack", "#a6761d"),
        ("security operation", "#01665e"),
        ("arrest", "#8c510a"),
        ("unspecified", "#969696"),
    )
)
#: Any incident type not in the table above.
OTHER_INCIDENT_COLOR = "#525252"

#: Region status -> fill colour, strongest claim first (also the legend order).
STATUS_COLORS = OrderedDict(
    (
        ("headquarters", "#67000d"),
        ("stronghold", "#b71c1c"),
        ("controlled", "#e53935"),
        ("safe haven", "#ef6c00"),
        ("training", "#8d6e63"),
        ("hub", "#6a1b9a"),
        ("contested", "#f9a825"),
        ("presence", "#607d8b"),
    )
)
#: Any status not in the table above.
UNKNOWN_STATUS_COLOR = "#9e9e9e"

#: Basemap towns: small white dots with a grey ring, unlike any incident marker.
TOWN_STYLE = {"radius": 2.5, "color": "#555555", "weight": 1.2, "fillColor": "#ffffff", "fillOpacity": 1}
#: Approximately located incidents: hollow, dashed outline in the type's colour.
APPROXIMATE_STYLE = {"weight": 2, "dashArray": "4 3", "fillOpacity": 0.12}
#: Exactly located incidents: filled, thin dark outline.
EXACT_STYLE = {"weight": 1, "color": "#222222", "fillOpacity": 0.8}


def incident_color(kind: str | None) -> str:
    return INCIDENT_COLORS.get(kind or "unspecified", OTHER_INCIDENT_COLOR)


def status_color(status: str | None) -> str:
    return STATUS_COLORS.get(status or "", UNKNOWN_STATUS_COLOR)


def palette_markdown() -> str:
    """The palette as the README shows it: one Markdown table."""
    lines = ["| Layer | Value | Colour | Drawn as |", "|---|---|---|---|"]
    for kind, color in INCIDENT_COLORS.items():
        lines.append(f"| incident | {kind} | `{color}` | circle (filled: exact place; hollow, dashed: approximate) |")
    lines.append(f"| incident | any other type | `{OTHER_INCIDENT_COLOR}` | circle |")
    for status, color in STATUS_COLORS.items():
        lines.append(f"| IS-K area | {status} | `{color}` | shaded area (more opaque: more claims) |")
    lines.append(f"| IS-K area | any other status | `{UNKNOWN_STATUS_COLOR}` | shaded area |")
    lines.append(f"| basemap | town | `{TOWN_STYLE['fillColor']}` ring `{TOWN_STYLE['color']}` | small dot with its name |")
    return "\n".join(lines) + "\n"
