"""A malformed data/cues.yaml is reported with its file and line."""
from __future__ import annotations

import pytest

from geo_khorasan import knowledge
from geo_khorasan.reading.cues import CuesError, load_cues


def _broken(tmp_path, old: str, new: str):
    text = knowledge.read_text("cues.yaml")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "cues.yaml"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1 + new[: len(new) - len(new.lstrip("\n"))].count("\n")
    return path, line


def test_the_shipped_cues_load():
    assert "incident_types" in load_cues()


@pytest.mark.parametrize("old, new, problem", [
    ("    - suicide bomb*\n", "    - [suicide, bomb]\n", "incident_types: suicide bombing: entry 1 is a list, not a phrase"),
    ("    - suicide bomb*\n", "    - \"re:suicide (bomb\"\n", "is not a valid regular expression"),
    ("    - suicide bomb*\n", "    -\n", "incident_types: suicide bombing: entry 1 is empty"),
    ("  january: 1\n", "  january: first\n", "months: january must be a whole number"),
])
def test_a_malformed_entry_names_the_file_and_its_line(tmp_path, old, new, problem):
    path, line = _broken(tmp_path, old, new)
    with pytest.raises(CuesError) as err:
        load_cues(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert problem in str(err.value)


def test_a_yaml_syntax_error_names_the_file_and_its_line(tmp_path):
    path, line = _broken(tmp_path, "    - suicide bomb*\n", "    - suicide bomb*\n   bad: [indent\n")
    with pytest.raises(CuesError, match=rf"^{path}:\d+: "):
        load_cues(path)


def test_a_missing_section_is_named(tmp_path):
    path, _ = _broken(tmp_path, "weekdays: [", "weekday_names: [")
    with pytest.raises(CuesError, match=r"cues\.yaml:\d+: section 'weekdays' is missing"):
        load_cues(path)
