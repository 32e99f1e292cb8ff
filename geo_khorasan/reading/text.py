"""Text machinery shared by the reading modules: cue phrases as regular expressions, clause
boundaries, and the records of a place group or a cue found in a sentence."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable


_WORDCH = r"[\w’'\-]"


def _phrase_re(phrase: str) -> str:
    """A cues.yaml phrase as a regular expression (see the file's header for the syntax)."""
    phrase = str(phrase)
    if phrase.startswith("re:"):
        return f"(?:{phrase[3:]})"
    words = phrase.split()
    parts = []
    for w in words:
        star = w.endswith("*") and len(w) > 1
        if star:
            w = w[:-1]
        e = re.escape(w)
        if star:
            e += r"[\w’'\-]*"
        parts.append(e)
    body = r"\s+".join(parts)
    pre = r"(?<![\w\-])" if words[0][0].isalnum() else ""
    post = "" if phrase.endswith("*") or not phrase[-1].isalnum() else r"(?![\w])"
    return pre + body + post


_WORD_START = r"(?<![\w\-])"


def _alt(phrases: Iterable[str]) -> str:
    items = sorted((str(p) for p in phrases), key=lambda p: -len(p))
    # neighbours that start at a word's start share one look-behind: "(?<!x)(?:a|b)" matches what
    # "(?<!x)a|(?<!x)b" matches, in the same order, and is tested once per position, not once per phrase
    out: list[str] = []
    run: list[str] = []
    for part in (_phrase_re(p) for p in items):
        if part.startswith(_WORD_START):
            run.append(part[len(_WORD_START):])
            continue
        if run:
            out.append(_WORD_START + "(?:" + "|".join(run) + ")")
            run = []
        out.append(part)
    if run:
        out.append(_WORD_START + "(?:" + "|".join(run) + ")")
    return "(?:" + "|".join(out) + ")"


def _cs_alt(patterns: Iterable[str]) -> str:
    """Case-sensitive names: longest first, bounded so that 'IS' is not the start of 'IS-K'."""
    items = sorted((str(p) for p in patterns), key=lambda p: -len(p))
    return r"(?<![\w\-])(?:" + "|".join(items) + r")(?![\w]|-[A-Z0-9])"


@dataclass
class _Group:
    spans: list[tuple[int, int]]

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass
class _Cue:
    start: int
    end: int
    text: str
    label: str  # incident type or status
    weak: bool = False
    anaphoric: bool = False
    noun: bool = False
    plural: bool = False


_HARD_AFTER = re.compile(
    r";|\s(?:while|whereas|but)\s|,\s*(?:which|who|where|whereas|while|but|although|though)\b|\.\s|—|\s–\s|\s-\s"
    r"|,\s+(?:having|being|according)\b|\b(?:which|who|whom|whose)\b",
    re.IGNORECASE,
)
_HARD_BEFORE = re.compile(
    r"[;:,()\[\]—–]|\s-\s|\b(?:that|which|who|whom|when|where|while|whereas|but|because|after|before|since|until|"
    r"as|if|than|so)\b",
    re.IGNORECASE,
)
_SCOPE_END = re.compile(
    r",\s*(?:who|which|was|is|were|had|has|and|but|he|she|they|it|where|when)\b"
    r"|\s(?:who|which|that|was|is|were|had|has|when|where|while)\b|[;:!?]|\.\s|\.$|—|\s–\s|\(",
    re.IGNORECASE,
)


def _words(s: str) -> int:
    return len(re.findall(r"[\w’'\-]+", s))


def _clause_before(text: str, pos: int, max_words: int = 6) -> str:
    """Up to ``max_words`` words before ``pos`` within the same clause."""
    seg = text[max(0, pos - 80) : pos]
    cut = max(seg.rfind(ch) for ch in ",;:.()—–")
    if cut >= 0:
        seg = seg[cut + 1 :]
    words = re.findall(r"\S+", seg)
    return " ".join(words[-max_words:])


def _group_text(sentence: str, g: _Group) -> str:
    return re.sub(r"\s+", " ", sentence[g.start : g.end])


def _distance(g: _Group, c: _Cue) -> int:
    if c.end <= g.start:
        return g.start - c.end
    if g.end <= c.start:
        return c.start - g.end
    return 0
