"""The closed sets of words the stages share: levels, precisions, roles, statuses, the theatre."""
from __future__ import annotations

#: Administrative/geographic levels, smallest first.
LEVELS = ("neighbourhood", "village", "town", "district", "province", "region", "country")
#: Size order of levels, for "X lies within Y" to make sense.
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

#: Precision codes written to the exports (UCDP-style, 1 = exact place, 6 = country).
PRECISION_WORDS = {
    1: "exact place",
    2: "near a named place",
    3: "district-level",
    4: "province-level",
    5: "vague region",
    6: "country-level",
}
#: The precision a place of each level gives an incident located there.
LEVEL_PRECISION = {"neighbourhood": 1, "village": 1, "town": 1, "district": 3, "province": 4, "region": 5, "country": 6}

#: What a sentence says happened at a place.
ROLES = ("incident", "contested", "mention", "dateline")

#: When several statuses are claimed for one area, the strongest is shown.
STATUS_ORDER = ["controlled", "stronghold", "headquarters", "hub", "safe haven", "training", "contested", "presence"]
#: Statuses that make an area a region on the map (a presence is the weakest and is drawn faintest).
REGION_STATUSES = frozenset(STATUS_ORDER)

#: Countries the articles are about.
THEATRE = frozenset({"PK", "AF", "IR"})

#: The characters beyond ASCII that a case-blind pattern matches with an ASCII letter (the test
#: suite derives them from ``re`` itself): in a text without them, a case-blind match of an ASCII
#: word is found by looking for the word in the text's lower-case form (a shortcut for speed).
ASCII_FOLDING = frozenset({"\u0130", "\u0131", "\u017f", "\u212a"})  # İ ı ſ K (Kelvin)


def lower_for_search(text: str) -> str | None:
    """``text`` in lower case for looking up ASCII words, or None when it holds a folding character."""
    return None if any(c in text for c in ASCII_FOLDING) else text.lower()
