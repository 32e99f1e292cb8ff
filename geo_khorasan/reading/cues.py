"""Compiled ``data/cues.yaml``: every cue word the reading uses, as regular expressions.

A malformed entry (an entry that is not a word or phrase, a "re:" that does not compile, a
number that is not one, a missing section) raises ``CuesError`` naming the file and line:
``.../cues.yaml:123: status_cues: hub: entry 4 is a list, not a phrase``.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from ..knowledge import FAST_YAML_LOADER, data_path
from .text import _WORDCH, _alt, _cs_alt, _phrase_re

CUES_NAME = "cues.yaml"

#: What each section holds: phrases (the file's phrase syntax), words (plain, as written),
#: regex (case-sensitive regular expressions), numbers (word -> number), actors, or a mapping
#: of labels to phrase lists.
_SECTIONS = {
    "incident_types": "labelled", "status_cues": "labelled",
    "isk_names": "regex", "actors": "actors", "number_words": "numbers", "months": "numbers",
    "anaphoric_cues": "words", "locative_blockers": "words", "event_nouns": "words", "plural_event_nouns": "words",
    "count_auxiliaries": "words", "count_stops": "words", "not_year_units": "words", "weekdays": "words",
    "citation_name_words": "words", "weak_status": "words", "clause_words": "words", "anaphoric_subjects": "words",
    "victim_nouns": "words", "landmark_nouns": "words", "site_subject_verbs": "words",
    "recent_markers": "words", "attacker_nouns": "words", "actor_target_words": "words",
    "actor_target_determiners": "words", "actor_attribution_words": "words", "claim_of_responsibility": "words",
    "actor_event_nouns": "words",
}
_PHRASES = (
    "weak_incident_cues", "specific_plural_determiners", "campaign_cues", "aggregate_quantifiers",
    "aggregate_time_markers", "hypothetical_markers", "negation_markers", "locative_prepositions",
    "status_prepositions", "chain_words", "origin_cues", "movement_cues", "title_cues", "comparison_cues",
    "militant_terms", "actor_nouns", "number_qualifiers", "non_person_units", "non_count_before", "killed_words",
    "killing_verbs", "toll_words", "toll_verbs", "injured_words", "injuring_verbs", "date_prefixes", "month_context",
    "future_markers", "reference_cues",
)


class CuesError(ValueError):
    """cues.yaml cannot be read: the message names the file, the line and the problem."""


def _words_alt(words) -> str:
    """Whole words as written (case as the caller compiles it), in a non-capturing group."""
    return "(?:" + "|".join(re.escape(str(w)) for w in words) + ")"


class _Cues:
    """Compiled view of cues.yaml."""

    def __init__(self, raw: dict):
        self.raw = raw
        I = re.IGNORECASE
        # incident cues: (type, regex), most specific first
        self.incident_types: list[str] = list(raw["incident_types"])
        self.incident_res = [(t, re.compile(_alt(raw["incident_types"][t]), I)) for t in self.incident_types]
        self.weak_re = re.compile(_alt(raw["weak_incident_cues"]), I)
        # every incident pattern, the weak cues last: scanned together (prefilter.finditer_each)
        self.incident_scan = tuple(rx for _, rx in self.incident_res) + (self.weak_re,)
        self.anaphoric_re = re.compile(
            "|".join(
                (r"(?<![\w])" if p[0].isalnum() else "") + r"\s+".join(map(re.escape, p.split())) + r"(?![\w])"
                for p in sorted(raw["anaphoric_cues"], key=len, reverse=True)
            ),
            I,
        )
        self.specific_plural_re = re.compile(_alt(raw["specific_plural_determiners"]), I)
        self.campaign_re = re.compile(_alt(raw["campaign_cues"]), I)
        self.aggregate_q_re = re.compile(_alt(raw["aggregate_quantifiers"]), I)
        self.aggregate_t_re = re.compile(_alt(raw["aggregate_time_markers"]), I)
        self.hypothetical_re = re.compile(_alt(raw["hypothetical_markers"]), I)
        self.negation_re = re.compile(_alt(raw["negation_markers"]), I)
        self.denied_role_re = re.compile(_alt(raw["denied_roles"]), I)
        preps = _alt(raw["locative_prepositions"])
        blockers = "|".join(map(re.escape, raw["locative_blockers"]))
        self.loc_intro_re = re.compile(
            rf"(?:^|[^\w’'\-])(?P<prep>{preps})\s+(?:(?!(?:{blockers})\b){_WORDCH}+\s+){{0,4}}$", I
        )
        sp = _alt(list(raw["locative_prepositions"]) + list(raw["status_prepositions"]))
        self.status_intro_re = re.compile(
            rf"(?:^|[^\w’'\-])(?P<prep>{sp})\s+(?:(?!(?:{blockers})\b){_WORDCH}+\s+){{0,4}}$", I
        )
        cw = _alt(raw["chain_words"])
        self.chain_gap_re = re.compile(
            rf"^(?:\s|,|[’']s\b|[’']|{cw}|\b[A-Z]{{1,4}}-?\d{{1,3}}\b)*$", I
        )
        self.coord_gap_re = re.compile(
            rf"^\s*,?\s*(?:and|or|as well as|plus)\s+(?:(?:in|at|near|across|throughout)\s+)?"
            rf"(?:(?!(?:{blockers})\b)[a-z][\w’'\-]*\s+){{0,5}}$",
            I,
        )
        self.origin_re = re.compile(_alt(raw["origin_cues"]), I)
        self.movement_re = re.compile(_alt(raw["movement_cues"]), I)
        self.title_re = re.compile(_alt(raw["title_cues"]), I)
        self.comparison_re = re.compile(_alt(raw["comparison_cues"]), I)
        self.reference_re = re.compile(_alt(raw["reference_cues"]), I)
        self.status_order: list[str] = list(raw["status_cues"])
        self.status_res = [(s, re.compile(_alt(raw["status_cues"][s]), I)) for s in self.status_order]
        self.status_scan = tuple(rx for _, rx in self.status_res)  # scanned together (prefilter.finditer_each)
        self.weak_status = set(raw.get("weak_status", []))
        self.past_claim_re = re.compile(_alt(raw["past_claim_markers"]), I)
        self.isk_re = re.compile(_cs_alt(raw["isk_names"]))
        self.militant_re = re.compile(_alt(raw["militant_terms"]), I)
        self.actors = [
            (re.compile(_cs_alt([a["pattern"]])), a.get("name") or "") for a in raw["actors"]
        ]
        self.actor_nouns_re = re.compile(_alt(raw["actor_nouns"]), I)
        spaced = lambda words: "(?:" + "|".join(r"\s+".join(map(re.escape, str(w).split())) for w in  # noqa: E731
                                             sorted(words, key=len, reverse=True)) + ")"
        self.actor_target_re = re.compile(
            rf"\b{spaced(raw['actor_target_words'])}\s+(?:{spaced(raw['actor_target_determiners'])}\s+)*$", I)
        self.actor_attribution_re = re.compile(rf"\b{spaced(raw['actor_attribution_words'])}\s+(?:the\s+)?$", I)
        self.claim_re = re.compile(rf"\b{spaced(raw['claim_of_responsibility'])}\b", I)
        self.actor_event_after_re = re.compile(
            rf"^[’']s\s+(?:[\w\-]+\s+){{0,4}}?{spaced(raw['actor_event_nouns'])}", I)
        # numbers
        nw = {str(k).lower(): int(v) for k, v in raw["number_words"].items()}
        self.number_words = nw
        units = [w for w, v in nw.items() if 1 <= v <= 9 and " " not in w]
        teens = [w for w, v in nw.items() if 10 <= v <= 19 and " " not in w and w != "dozen"]
        tens = [w for w, v in nw.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)]
        U, T, X = "|".join(units), "|".join(teens), "|".join(tens)
        below100 = rf"(?:(?:{X})(?:[\-\s](?:{U}))?|{T}|{U})"
        multi = "|".join(sorted((w for w in nw if " " in w), key=len, reverse=True))
        numword = (
            rf"(?:(?:a|one|{U})\s+hundred(?:\s+(?:and\s+)?{below100})?"
            rf"|(?:{U})\s+dozen|{multi}|dozen|{below100}|zero)"
        )
        quals = _alt(raw["number_qualifiers"])
        self.num_re = re.compile(
            rf"(?<![\w\-,.$])(?P<q>{quals}\s+)?(?P<n>\d{{1,3}}(?:,\d{{3}})+(?![\d])|\d+(?![\d,.]\d)|{numword}(?![\w]))",
            I,
        )
        self.toll_re = re.compile(
            _alt(raw["toll_words"]) + r"(?:[^.;]{0,160}?)\b" + _alt(raw["toll_verbs"]) + r"\s+" + self.num_re.pattern, I
        )
        self.non_person_after_re = re.compile(r"^\s*(?:" + _alt(raw["non_person_units"]) + ")", I)
        self.non_count_before_re = re.compile(_alt(raw["non_count_before"]) + r"\s*$", I)
        self.killed_kw_re = re.compile(_alt(raw["killed_words"]), I)
        self.killing_verb_re = re.compile(_alt(raw["killing_verbs"]), I)
        self.injured_kw_re = re.compile(_alt(raw["injured_words"]), I)
        self.injuring_verb_re = re.compile(_alt(raw["injuring_verbs"]), I)
        # dates
        self.months = {str(k).lower(): int(v) for k, v in raw["months"].items()}
        self.date_prefix_alt = _alt(raw["date_prefixes"])
        self.month_context_re = re.compile(r"(?:^|\W)" + _alt(raw["month_context"]) + r"\s+$", I)
        self.weekdays = [str(w).lower() for w in raw["weekdays"]]
        month_names = "(?:" + "|".join(k.capitalize() for k in self.months) + ")"
        self.month_before_re = re.compile(month_names + r"\.?\s*$")  # "July 16": the day, not a count
        self.month_after_re = re.compile(r"(?:st|nd|rd|th)?\s+(?:of\s+)?" + month_names + r"\b")  # "16 July"
        self.reported_re = re.compile(_words_alt(raw["reporting_verbs"]) + r"(?:\s+[\w’'\-]+){0,4}\s*$", I)
        # "the ministry on Thursday said": the date just before the reporting verb is the statement's
        self.reported_after_re = re.compile(r"\s*,?\s*(?:(?:also|again|publicly|officially)\s+)?"
                                            + _words_alt(raw["reporting_verbs"]) + r"\b", I)
        self.future_re = re.compile(_alt(raw["future_markers"]) + r"(?:\s+[\w’'\-]+){0,2}\s*(?:in\s+|of\s+|by\s+)?$", I)
        self.cite_words = [str(w) for w in raw["citation_name_words"]]
        self.not_year_after_re = re.compile(r"^\s*" + _words_alt(raw["not_year_units"]) + r"\b", I)
        # event nouns, casualty counts
        self.noun_event_re = re.compile(_words_alt(raw["event_nouns"]) + "$", I)
        # "the Peshawar mosque blast": a place modifying an event noun a word or two after it
        self.place_event_re = re.compile(r"(?:['’]s)?(?:\s+[a-z][\w’'\-]*){0,2}\s+" + _words_alt(raw["event_nouns"])
                                         + r"\b", I)
        # "a January 13, 2016 attack": the date right before an event noun is that event's
        self.event_noun_after_re = re.compile(
            r"\s+(?:(?!(?:that|the|an?|which|when|after|before|as|and|or)\s)[a-z][\w’'\-]*\s+)?"
            + _words_alt(raw["event_nouns"]) + r"s?\b", I)
        self.plural_event_re = re.compile(_words_alt(raw["plural_event_nouns"]) + "$", I)
        self.count_aux = _words_alt(raw["count_auxiliaries"])
        self.count_stop = _words_alt(raw["count_stops"])
        # "a policeman", "a senior police officer": one person counted in a toll
        self.one_victim_re = re.compile(r"(?:an?|one)\s+(?:[\w’'\-]+\s+){0,2}?"
                                        + _words_alt(sorted(raw["victim_nouns"], key=len, reverse=True)) + r"\b", I)
        n = rf"(?:\d+|{numword})"
        # "10 to 15 people", "between 10 and 15 people", "20-25 killed" (not "from five to eight": a toll that rose)
        self.range_re = re.compile(
            rf"(?<!from\s)(?:(?<=between\s)|(?<![\w-]))(?P<a>{n})\s*(?:-|–|to|and)\s*(?P<b>{n})"
            rf"(?=\s+(?:[\w’'\-]+\s+){{0,2}}?(?:people|persons|civilians|soldiers|killed|dead|others|\w+s\b))", I)
        attackers = _words_alt(sorted(raw["attacker_nouns"], key=len, reverse=True))
        self.attacker_after_re = re.compile(r"\s+(?:[\w’'\-]+\s+){0,2}?" + attackers + r"\b", I)
        self.attackers_included_re = re.compile(
            r"\bincluding\s+(?:the\s+|all\s+)?(?P<n>\d+|" + "|".join(w for w, v in nw.items() if 1 <= v <= 19 and " " not in w)
            + r")\s+(?:[\w’'\-]+\s+)?" + attackers + r"\b", I)
        # reading across words and sentences
        self.clause_word_re = re.compile(r"\s+" + _words_alt(raw["clause_words"]) + r"\b", I)
        self.anaphoric_subject_re = re.compile(
            r"^\W*" + _words_alt(sorted(raw["anaphoric_subjects"], key=len, reverse=True)) + r"\b", I)
        self.recent_re = re.compile(r"\b" + _words_alt(raw["recent_markers"]) + r"\b", I)
        self.site_subject_re = re.compile(_words_alt(raw["site_subject_verbs"]) + r"\b", I)
        landmarks = _words_alt(sorted(raw["landmark_nouns"], key=len, reverse=True))
        # "in Sayyidabad Shia Mosque, Khanabad": the place after a named building is where it stands
        self.landmark_intro_re = re.compile(
            rf"(?:^|[^\w’'\-])(?P<prep>{preps})\s+(?:(?:the|a|an)\s+)?(?-i:[A-Z][\w’'\-]*\s+){{1,5}}{landmarks}"
            r"\s*,\s*$", I)


def _check(root: yaml.Node, where: str) -> None:
    """Raise CuesError at the first malformed entry, with its line."""

    def fail(node: yaml.Node, problem: str):
        raise CuesError(f"{where}:{node.start_mark.line + 1}: {problem}")

    def kind_of(node: yaml.Node) -> str:
        return {yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}.get(type(node), "a value")

    def entry(node: yaml.Node, what: str, kind: str) -> None:
        if not isinstance(node, yaml.ScalarNode):
            fail(node, f"{what} is {kind_of(node)}, not a {'pattern' if kind == 'regex' else 'phrase'}")
        if node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            fail(node, f"{what} is empty")
        if kind != "regex" and not node.value.startswith("re:"):
            return  # a plain phrase is escaped word by word (``_phrase_re``): it always compiles
        try:
            re.compile(node.value if kind == "regex" else _phrase_re(node.value))
        except re.error as exc:
            fail(node, f"{what} {node.value!r} is not a valid regular expression ({exc})")

    def entries(node: yaml.Node, what: str, kind: str) -> None:
        if not isinstance(node, yaml.SequenceNode):
            fail(node, f"{what} must be a list, not {kind_of(node)}")
        for i, item in enumerate(node.value, 1):
            entry(item, f"{what}: entry {i}", kind)

    if not isinstance(root, yaml.MappingNode):
        fail(root, "the file must map section names to cue lists")
    sections = {k.value: v for k, v in root.value}
    for name in list(_SECTIONS) + list(_PHRASES):
        if name not in sections:
            fail(root, f"section {name!r} is missing")
    for name, node in sections.items():
        kind = _SECTIONS.get(name, "phrases" if name in _PHRASES else None)
        if kind in ("phrases", "words", "regex"):
            entries(node, name, kind)
        elif kind in ("labelled", "numbers"):
            if not isinstance(node, yaml.MappingNode):
                fail(node, f"{name} must be a mapping, not {kind_of(node)}")
            for key, value in node.value:
                if kind == "labelled":
                    entries(value, f"{name}: {key.value}", "phrases")
                elif not (isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:int"):
                    fail(value, f"{name}: {key.value} must be a whole number")
        elif kind == "actors":
            if not isinstance(node, yaml.SequenceNode):
                fail(node, f"actors must be a list, not {kind_of(node)}")
            for i, item in enumerate(node.value, 1):
                fields = {k.value: v for k, v in item.value} if isinstance(item, yaml.MappingNode) else {}
                if "pattern" not in fields:
                    fail(item, f"actors: entry {i} needs a pattern:")
                entry(fields["pattern"], f"actors: entry {i}: pattern", "regex")


def load_cues(path: str | Path | None = None) -> dict:
    """The raw cue lists (a dict), from ``data/cues.yaml`` unless ``path`` is given."""
    path = Path(path) if path else data_path(CUES_NAME)
    text = path.read_text(encoding="utf-8")
    try:
        return _load_cues(path, text, FAST_YAML_LOADER)
    except yaml.MarkedYAMLError:
        pass  # not YAML: read again by PyYAML's own parser, whose messages say more than libyaml's
    return _load_cues(path, text, yaml.SafeLoader)


def _load_cues(path: Path, text: str, loader_class) -> dict:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise CuesError(f"{path}:1: the file is empty")
        _check(root, str(path))
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        if loader_class is not yaml.SafeLoader:
            raise
        mark = exc.problem_mark or exc.context_mark
        raise CuesError(f"{path}:{mark.line + 1 if mark else 1}: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()


@functools.cache
def _cues() -> _Cues:
    return _Cues(load_cues())
