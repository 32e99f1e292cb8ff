"""A document's resolved place mentions, read: each classified within its sentence, with the
source its sentence cites."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Sequence

from ..records import Classification, ClassifiedMention, Document, Mention, Resolution
from ..vocabulary import LEVEL_RANK
from .citations import find_citation
from .actors import _has_militant
from .cues import _cues
from .roles import classify
from .story import LEAD_SENTENCES, STORY_WINDOW, fill_from_story


#: "US forces", "U.S.-led", "Afghan troops": the name modifies the noun after it.
_ATTRIBUTIVE_AFTER = re.compile(r"(?:\s+[a-z]|-[a-z])")
#: "in Tajikistan", "in southern Tajikistan": the place itself.
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|inside|across|into|over)\s+(?:the\s+)?(?:[a-z]+ern\s+)?$", re.I)


def _attributive(text: str, m: Mention) -> bool:
    return (bool(_ATTRIBUTIVE_AFTER.match(text, m.end)) and not _cues().clause_word_re.match(text, m.end)
            and not _LOCATIVE_BEFORE.search(text[max(0, m.start - 24):m.start]))


def _undated_event(cm: ClassifiedMention) -> ClassifiedMention:
    """An event in a province, region or country that neither its sentence nor its story dates or
    counts is told in passing ("IS attacks in Afghanistan"): a mention, not an incident to map."""
    c = cm.classification
    if (c.role != "incident" or c.date or c.fatalities is not None or c.injured is not None
            or LEVEL_RANK[cm.resolution.place.level] < LEVEL_RANK["province"]):
        return cm  # a town or district keeps an undated incident: the place itself is the news
    return replace(cm, classification=Classification(
        "mention", c.cue, rule=f"mention: an event told with no date or toll ({c.rule})"))


#: "This followed a defeat in their major stronghold": whose, said by the sentence before.
_GROUP_POSSESSIVE = re.compile(r"\b(?:its|their)\b", re.I)


#: Where the article was filed: a mention, never an incident site on its own.
_DATELINE = Classification("dateline", None, rule="dateline: the place the article was filed from")
_DATELINE_END = re.compile(r"[—–:]|\s-\s")


def _dateline_end(text: str, m: Mention) -> int:
    """Where the dateline ends ("KABUL, Afghanistan (AP) —"): the places before are part of it."""
    d = _DATELINE_END.search(text, m.end, min(len(text), m.end + 60))
    return d.end() if d else m.end


class Reader:
    """Classifies the resolved mentions of one document.

    ``doc_date`` anchors the relative dates of the text (see ``datelines.anchor_date``).
    """

    def __init__(self, doc: Document, doc_date: str | None):
        self.doc = doc
        self.doc_date = doc_date
        self._citations: dict[int, str | None] = {}
        self._group_before: dict[int, bool] = {}
        self._sentence_index: dict[int, int] | None = None

    def __call__(self, resolutions: Sequence[Resolution], context: Iterable[Mention] = ()) -> list[ClassifiedMention]:
        """``resolutions`` classified, in order; the other place mentions of a sentence (those of
        ``resolutions`` and of ``context``, mentions of the document already read) are the
        sentence's other places."""
        by_sentence: dict[int, list[tuple[int, int]]] = {}
        # "killed in a US strike in Baghdad": a country named as an adjective is no other place
        # of its sentence, so the event is located at the place it modifies
        adjectives = {id(r.mention) for r in resolutions
                      if r.place.level == "country" and _attributive(self.doc.text, r.mention)}
        for m in [r.mention for r in resolutions] + list(context):
            if id(m) not in adjectives:
                by_sentence.setdefault(m.sentence_start, []).append((m.start - m.sentence_start, m.end - m.sentence_start))
        read = self._dateline_sites([self._read(r, by_sentence.get(r.mention.sentence_start, [])) for r in resolutions])
        return [_undated_event(cm) for cm in fill_from_story(self.doc, read, self.doc_date)]

    def _read(self, r: Resolution, spans: list[tuple[int, int]]) -> ClassifiedMention:
        m = r.mention
        s, e = m.start - m.sentence_start, m.end - m.sentence_start
        others = [span for span in spans if span != (s, e)]
        c = None
        if m.dateline and not [span for span in others if span[0] >= _dateline_end(self.doc.text, m) - m.sentence_start]:
            # "ISLAMABAD (AP) — A suicide bomber struck a police station": the lead names no other place
            c = classify(self.doc.text[m.sentence_start : m.sentence_end], s, e, doc_date=self.doc_date,
                         default_site=True)
            c = c if c.role == "incident" else None
        if m.dateline and c is None:
            c = _DATELINE
        elif c is None:
            c = classify(self.doc.text[m.sentence_start : m.sentence_end], s, e, doc_date=self.doc_date,
                         other_places=others, group_before=self.group_before(m.sentence_start))
        if c.role == "incident" and r.place.level == "country" and _attributive(self.doc.text, m):
            c = Classification("mention", None, rule="mention: a country's name used as an adjective "
                               "('US forces', 'a Pakistani airstrike') says whose, not where")
        return ClassifiedMention(doc=self.doc, resolution=r, classification=c, citation=self.citation(m))

    def _dateline_sites(self, read: list[ClassifiedMention]) -> list[ClassifiedMention]:
        """A dateline is the site of its lead's event only when the headline and the story that
        follows name no site of their own ("MAZAR-I-SHARIF — fighters surrendered after a battle",
        the battle placed in Darzab two sentences on)."""
        lead = {s for s, _e in self.doc.sentences[:LEAD_SENTENCES + STORY_WINDOW]}
        if not any(cm.classification.role == "incident" and not cm.resolution.mention.dateline
                   and cm.resolution.mention.sentence_start in lead for cm in read):
            return read
        return [replace(cm, classification=_DATELINE) if cm.resolution.mention.dateline else cm for cm in read]

    def group_before(self, sentence_start: int) -> bool:
        """Whether the sentence opens with a subject ("They", "The group"), or says "its"/"their",
        standing for an armed group named in the sentence before it."""
        if sentence_start not in self._group_before:
            spans = self.doc.sentences
            if self._sentence_index is None:
                self._sentence_index = {s: i for i, (s, _e) in enumerate(spans)}
            k = self._sentence_index.get(sentence_start, 0)
            text = self.doc.text
            sentence = text[sentence_start:spans[k][1]]
            self._group_before[sentence_start] = bool(
                k > 0 and (_cues().anaphoric_subject_re.match(sentence) or _GROUP_POSSESSIVE.search(sentence))
                and _has_militant(text[spans[k - 1][0]:spans[k - 1][1]]))
        return self._group_before[sentence_start]

    def citation(self, m: Mention) -> str | None:
        """The source the mention's sentence cites."""
        if m.sentence_start not in self._citations:
            self._citations[m.sentence_start] = find_citation(self.doc.text, m.sentence_start, m.sentence_end)
        return self._citations[m.sentence_start]
