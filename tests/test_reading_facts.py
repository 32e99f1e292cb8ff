"""Tests for geo_khorasan.reading: the cue file, dates, casualties, citations, document dates.

Sentences are paraphrased from typical IS-K reporting or invented in the same news style; the
functions must handle the phenomena in general, not these sentences.
"""
from __future__ import annotations

import pytest

from geo_khorasan import knowledge, paths
from geo_khorasan.reading import cues as cl
from geo_khorasan.reading.casualties import parse_casualties
from geo_khorasan.reading.citations import find_citation
from geo_khorasan.reading.datelines import infer_document_date
from geo_khorasan.reading.dates import parse_date

# ---------------------------------------------------------------------------------------------
# cue file
# ---------------------------------------------------------------------------------------------


def test_cues_file_sits_in_the_data_folder_and_loads_once():
    assert knowledge.data_path("cues.yaml") == paths.DATA_DIR / "cues.yaml"
    assert knowledge.data_path("cues.yaml").is_file()
    raw = cl.load_cues()
    for key in ("incident_types", "status_cues", "origin_cues", "comparison_cues", "months", "number_words"):
        assert key in raw
    assert list(raw["incident_types"])[0] == "suicide bombing"
    assert set(raw["status_cues"]) == {
        "controlled", "contested", "stronghold", "hub", "headquarters", "safe haven", "training", "presence"}
    assert cl._cues() is cl._cues()


def test_every_incident_type_in_the_api_has_cues():
    raw = cl.load_cues()
    assert set(raw["incident_types"]) == {
        "suicide bombing", "bombing", "airstrike", "drone strike", "security operation", "targeted killing",
        "kidnapping", "armed attack", "rocket attack", "arrest", "attack"}


# ---------------------------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, doc_date, expected",
    [
        ("a suicide bombing at a rally on July 13 that killed 131 people", "2018", "2018-07-13"),
        ("a suicide bombing at a rally on July 13 that killed 131 people", "2018-09-02", "2018-07-13"),
        # a bare date after the article's date belongs to the previous year
        ("on July 13 a bomb exploded", "2018-06-01", "2017-07-13"),
        ("On December 28, an apparent suicide attack was carried out", "2018-01-15", "2017-12-28"),
        ("a deadly sectarian attack on December 17 last year in Balochistan", "2018", "2017-12-17"),
        ("a deadly sectarian attack on December 17 last year in Balochistan", "2018-01", "2017-12-17"),
        ("on 5 October last year", "2018", "2017-10-05"),
        ("In early January, at least seven foreign fighters were killed", "2018", "2018-01"),
        ("late December 2019", None, "2019-12"),
        ("In one major attack in May 2015, an IS-K cell killed 43 people", None, "2015-05"),
        ("A security operation in June 2017 revealed hideouts", None, "2017-06"),
        ("He was killed on February 26, 2023, in the Khairkhana area", None, "2023-02-26"),
        ("He was killed on February 26 2023 in the Khairkhana area", None, "2023-02-26"),
        ("Hafiz Saeed Khan was killed by a US drone attack in Afghanistan in 2016", None, "2016"),
        ("In October last year, ISK-P militants also targeted a mosque", "2018", "2017-10"),
        ("In September 2022, a prominent Salafist cleric was kidnapped", "2024", "2022-09"),
        ("In Sept. 2019 the group regrouped", None, "2019-09"),
        ("hit a military convoy (Nation, Aug 13)", "2018", "2018-08-13"),
        ("ISK-P came into existence in early 2015", None, "2015"),
        ("the Taliban ruled Afghanistan (1996-2001)", None, "1996"),
        ("by mid-2017 the cell was dismantled", None, "2017"),
        ("at the end of May 2019 militants attacked", None, "2019-05"),
        ("The News, March 18. 2017", None, "2017-03-18"),
        ("published 17 December 2017", None, "2017-12-17"),
        ("2023-07-30: a blast in Bajaur", None, "2023-07-30"),
        ("In July, ISK-P's image was boosted", "2018-01", "2017-07"),
        ("In May, militants stormed a jail", "2019-08", "2019-05"),
        ("last July the group attacked", "2019-09", "2019-07"),
        ("last July the group attacked", "2019-03", "2018-07"),
        # relative dates need a precise enough document date
        ("a blast on Friday killed 12 people", "2024-03-24", "2024-03-22"),
        ("a blast on Friday killed 12 people", "2024-03", "2024-03"),
        ("militants attacked a checkpoint yesterday", "2024-03-24", "2024-03-23"),
        ("the terror attack in Moscow's concert hall last week", "2024-03-29", "2024-03"),
        ("the group struck last month", "2024-01-10", "2023-12"),
        ("two years ago the group attacked Kabul airport", "2023", "2021"),
        ("The attack took place last year", "2018-05", "2017"),
        # no date, or nothing to anchor it to
        ("a suicide bombing at a rally on July 13", None, None),
        ("Pakistan may explore the possibility of cooperation", "2020", None),
        ("killed 15 people, including eight soldiers", "2018", None),
        ("over 2,000 people were displaced", None, None),
        ("in the 1990s the clergy campaigned", None, None),
    ],
)
def test_parse_date(text, doc_date, expected):
    assert parse_date(text, doc_date) == expected


def test_parse_date_returns_the_first_date_in_the_text():
    text = "In May 2017, security forces arrested three students (Express Tribune, May 22, 2017)."
    assert parse_date(text, None) == "2017-05"


def test_parse_date_rejects_impossible_days():
    assert parse_date("on February 30, 2021", None) == "2021-02"  # keeps what can be trusted
    assert parse_date("on February 30", "2021") is None


# ---------------------------------------------------------------------------------------------
# parse_casualties
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("leaving at least nine Christian worshipers dead and more than 50 people seriously wounded", (9, 50)),
        ("an ISK-P suicide bomber targeted a shrine and killed nearly 20 worshippers", (20, None)),
        ("over 100 people lost their lives and hundreds more suffered grievous injuries", (100, None)),
        ("a suicide bombing at a rally that killed 131 people", (131, None)),
        ("the fatalities from a suicide bombing at an election rally in Bajaur district rose to 54 when a bomber "
         "detonated himself", (54, None)),
        ("the death toll climbed to 1,203 on Sunday", (1203, None)),
        ("killing 15 people, including eight soldiers", (15, None)),
        # the attackers apart (read_casualties keeps them: see below)
        ("A total of 12 IS-K militants and two suicide bombers were killed by security forces", (12, None)),
        ("at least seven foreign fighters—three French and four Uzbek militants— were killed in an airstrike", (7, None)),
        ("more than 70 people, mostly Christian women and children, were killed", (70, None)),
        ("leaving over 40 people dead and many more injured", (40, None)),
        ("The suicide attack killed nearly 30 people", (30, None)),
        ("18 of his party workers have been killed in Bajaur in recent years", (18, None)),
        ("The blast killed twenty-five people and wounded a dozen others", (25, 12)),
        ("Five policemen were killed and 12 others injured", (5, 12)),
        ("The attack left 7 dead and 20 wounded", (7, 20)),
        ("killing some 60 worshippers and injuring over 120", (60, 120)),
        ("a gunman killed one policeman and injured three", (1, 3)),
        ("killed a hundred and twenty people", (120, None)),
        ("In 2017, 5 people were killed", (5, None)),
        ("He was killed on February 26, 2023, in the Khairkhana area of Kabul city", (1, None)),
        ("Hafiz Saeed Khan was killed by a US drone attack", (1, None)),
        # vague amounts are not numbers
        ("The ISIS led suicide attack in Iran in January 2024 killed hundreds of people", (None, None)),
        ("Hundreds of suspected ISIS foot soldiers have been killed in military operations", (None, None)),
        ("dozens were wounded", (None, None)),
        # numbers that count something else
        ("around 300 young people, most of them under 20, have reportedly been recruited", (None, None)),
        ("IS-K has been responsible for over 100 attacks against civilians", (None, None)),
        ("managed to recruit more than 130 people for IS", (None, None)),
        ("a wave of at least 60 targeted killings", (None, None)),
        ("IS-K was responsible for over 100 attacks in which 500 people were killed", (500, None)),
        ("no casualties were reported", (None, None)),
    ],
)
def test_parse_casualties(text, expected):
    assert parse_casualties(text) == expected


# ---------------------------------------------------------------------------------------------
# find_citation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("A total of 12 militants were killed during the operation (Dawn, June 8, 2017).", "Dawn, June 8, 2017"),
        ("The attack was attributed to ISK-P (The Nation, December 17, 2017).", "The Nation, December 17, 2017"),
        ("killing 15 people, including eight soldiers (Nation, Aug 13).", "Nation, Aug 13"),
        ("that killed 31 people (Dunya News, July 15; Dawn, July 25).", "Dunya News, July 15; Dawn, July 25"),
        ("killed in an airstrike in Darzab (MENAFN – Afghanistan Times, January 2).",
         "MENAFN – Afghanistan Times, January 2"),
        ("recruited fighters in Jowzjan (Pajhwok, December 7, 2017; Pajhwok, December 7, 2017).",
         "Pajhwok, December 7, 2017; Pajhwok, December 7, 2017"),
        ("murdered them in cold-blood (\nDawn, May 13, 2015).", "Dawn, May 13, 2015"),
        ("destroyed the headquarters (\nNews International June 8, 2017).", "News International June 8, 2017"),
        ("camping near the village (DID Press Agency [Afghanistan], December 10, 2017).",
         "DID Press Agency [Afghanistan], December 10, 2017"),
        ("missing students (Express Tribune, September 14, 2017; The News, March 18. 2017).",
         "Express Tribune, September 14, 2017; The News, March 18. 2017"),
        ("a commander, Nabeel Ahmed (a.k.a. Abu Abdullah) (The News, March 3, 2017).", "The News, March 3, 2017"),
        ("He was killed in July 2017 (Daily Times, 16 July 2017).", "Daily Times, 16 July 2017"),
        ("The group was banned (Reuters, 2019).", "Reuters, 2019"),
        # not citations
        ("It also has ties to Lashkar-e Islam (LeI), led by Mangal Bagh Afridi.", None),
        ("They trained at camps in Taliban-ruled Afghanistan (1996-2001).", None),
        ("the Islamic State Khorasan Province (ISKP) uses propaganda.", None),
        ("to join the so-called caliphate. [1]", None),
        ("Khorasan flag hanging in Islamabad, Pakistan (Source: Express Tribune)", None),
        ("an IS flag bearing the message “The khilafat (caliphate) is coming” was seen", None),
        ("the Jamiat Ulema-i-Islam-Fazl (JUI-F) rally", None),
        ("He was killed (June 8, 2017).", None),
    ],
)
def test_find_citation_inside_the_sentence(sentence, expected):
    assert find_citation(sentence, 0, len(sentence)) == expected


def test_find_citation_uses_document_offsets():
    first = "IS-K claimed the attack in Quetta (Dawn, July 25). "
    second = "The group is active in Kunar (The News, May 2, 2019). "
    text = "Intro sentence here. " + first + second
    s1 = text.index(first)
    s2 = text.index(second)
    assert find_citation(text, s1, s1 + len(first)) == "Dawn, July 25"
    assert find_citation(text, s2, s2 + len(second)) == "The News, May 2, 2019"
    assert find_citation(text, 0, s1) is None


def test_find_citation_right_after_the_sentence_or_on_the_next_line():
    text = "An IS-K cell killed 43 Ismaili-Shias in cold-blood\n(Dawn, May 13, 2015). The cell was dismantled."
    assert find_citation(text, 0, text.index("\n")) == "Dawn, May 13, 2015"
    text = "An IS-K cell killed 43 Ismaili-Shias in cold-blood (\nDawn, May 13, 2015). The cell was dismantled."
    end_of_line = text.index("(") + 1
    assert find_citation(text, 0, end_of_line) == "Dawn, May 13, 2015"
    # the next sentence does not inherit it
    nxt = text.index("The cell")
    assert find_citation(text, nxt, len(text)) is None


def test_find_citation_ignores_parentheses_far_after_the_sentence():
    text = "IS-K attacked a school. Later that year the army moved in (Dawn, May 1, 2016)."
    assert find_citation(text, 0, text.index(" Later")) is None


# ---------------------------------------------------------------------------------------------
# infer_document_date
# ---------------------------------------------------------------------------------------------


def test_infer_document_date_latest_explicit_date():
    text = ("In May 2015 an IS-K cell killed 43 people (Dawn, May 13, 2015). A security operation in June 2017 "
            "destroyed hideouts (Dawn, June 8, 2017). Attacks continued during the 2018 general elections.")
    assert infer_document_date(text) == "2018"


def test_infer_document_date_month_precision_when_the_latest_names_its_month():
    text = "The group expanded in 2016. He was killed on March 21, 2023. The attack in Iran in January 2024 shocked many."
    assert infer_document_date(text) == "2024-01"


def test_infer_document_date_last_year_next_to_a_dated_citation_means_the_following_year():
    text = ("In September last year, an IS flag was seen in Islamabad (Express Tribune, September 24, 2017). "
            "In March 2017, leaflets were distributed in Logar (Pajhwok, March 12, 2017).")
    assert infer_document_date(text) == "2018"


def test_infer_document_date_ranges_count_and_future_years_do_not():
    assert infer_document_date("The Taliban ruled Afghanistan (1996-2001).") == "2001"
    text = "Elections are scheduled for 2029. In March 2023 IS-K attacked a rally."
    assert infer_document_date(text) == "2023-03"
    assert infer_document_date("Under Vision 2035 the province will grow. The 2021 attack killed 10.") == "2021"


def test_infer_document_date_ignores_urls_and_may_find_nothing():
    assert infer_document_date("See https://example.org/2031/05/report.html for more.") is None
    assert infer_document_date("Pakistan may explore cooperation with the Afghan Taliban.") is None


# ---------------------------------------------------------------------------------------------
# classify: incidents
