"""What an analyst sees when reading new articles: short texts written for these tests (not taken
from any article), each checking one form of date, toll, claim or trap as the map would show it."""
from __future__ import annotations

from pathlib import Path

import pytest

from geo_khorasan.assemble import incidents as assemble_incidents
from geo_khorasan.assemble import regions as assemble_regions
from geo_khorasan.corpus import read_document
from geo_khorasan.pipeline import analyse
from geo_khorasan.reading.datelines import document_date
from geo_khorasan.reading.dates import parse_date
from geo_khorasan.recognise import Recogniser
from geo_khorasan.resolve import Resolver


@pytest.fixture(scope="module")
def read(gazetteer, tmp_path_factory):
    """Read one invented article: its classified mentions, incidents and regions."""
    folder = tmp_path_factory.mktemp("articles")
    rec, res = Recogniser(gazetteer), Resolver(gazetteer)
    count = iter(range(10**6))

    def _read(text: str, name: str | None = None):
        path = folder / f"{name or 'doc%d' % next(count)}.txt"
        path.write_text(text, encoding="utf-8")
        doc = read_document(Path(path))
        mentions = analyse(doc, rec, res)
        return doc, mentions, assemble_incidents(mentions, gazetteer), assemble_regions(mentions, gazetteer)

    return _read


def _mapped(mentions) -> dict[str, str]:
    return {cm.resolution.mention.text: cm.resolution.place.name for cm in mentions}


def _roles(mentions) -> dict[str, str]:
    return {cm.resolution.mention.text: cm.classification.role for cm in mentions}


# --- dates against the article's own date ---------------------------------------------------------

@pytest.mark.parametrize("text, doc_date, want", [
    ("Gunmen attacked a checkpoint Saturday", "2021-05-04", "2021-05-01"),  # bare weekday: latest on or before
    ("Gunmen attacked a checkpoint on Tuesday", "2021-05-04", "2021-05-04"),  # the article's own weekday
    ("A bomb went off yesterday", "2021-05-04", "2021-05-03"),
    ("A bomb went off last night", "2021-05-04", "2021-05-03"),
    ("A bomb went off last week", "2021-05-04", "2021-04"),  # never more precise than the text
    ("A bomb went off last month", "2021-05-04", "2021-04"),
    ("A bomb went off earlier this month", "2021-05-04", "2021-05"),
    ("A bomb went off in March", "2021-05-04", "2021-03"),
    ("A bomb went off on November 3", "2021-05-04", "2020-11-03"),  # month-day after the article: a year earlier
    ("A bomb went off in 2019", "2021-05-04", "2019"),
    ("A bomb went off on Sunday, Aug. 2, 2020", "2021-05-04", "2020-08-02"),  # the explicit date wins
])
def test_dates_resolve_against_the_article_date(text, doc_date, want):
    assert parse_date(text, doc_date) == want


def test_the_day_a_statement_was_made_is_not_the_day_of_the_attack():
    assert parse_date("Police said on July 31 that the attack had been planned for weeks", "2023-08-02") is None


def test_the_article_date_comes_from_the_dateline_then_the_address(read):
    doc, *_ = read("HERAT, Mar 9, 2022 (AFP) - A blast hit a market in Herat.\n")
    assert document_date(doc) == ("2022-03-09", False)


def test_an_incident_takes_the_day_the_lead_gives_and_the_toll_a_later_sentence_gives(read):
    _doc, _m, incs, _r = read(
        "Blast kills eleven\n"
        "KANDAHAR, Afghanistan (AP) - A bomber struck a crowd outside a bank Monday in southern Afghanistan.\n"
        "The attack in Kandahar city targeted soldiers queuing for their pay.\n"
        "The blast killed at least 11 people and wounded 20, officials said.\n", "n_story_2019_06_05")
    kandahar = [i for i in incs if i.place.name.startswith("Kandah")]
    assert kandahar, [(i.place.name, i.date) for i in incs]
    assert any(i.fatalities == 11 for i in kandahar)


# --- datelines --------------------------------------------------------------------------------------

def test_a_dateline_in_capitals_is_a_dateline_mention_never_an_incident_site(read):
    _doc, mentions, incs, _r = read("PESHAWAR: Gunmen shot dead two policemen in Mardan on Friday.\n")
    assert _roles(mentions).get("PESHAWAR") == "dateline"
    assert _mapped(mentions)["PESHAWAR"] == "Peshawar"
    assert {i.place.name for i in incs} == {"Mardan"}


# --- incidents --------------------------------------------------------------------------------------

def test_two_places_of_one_raid_are_two_incidents(read):
    _doc, _m, incs, _r = read("In May, police raids targeting militants in Quetta and Peshawar left four dead.\n")
    assert {i.place.name for i in incs} >= {"Quetta", "Peshawar"}


def test_a_denial_of_involvement_still_reports_the_attack(read):
    _doc, mentions, incs, _r = read("The Taliban denied involvement in a suicide bombing in Kunduz on 3 May 2021 "
                                    "that killed seven people.\n")
    assert [(i.date, i.fatalities) for i in incs if i.place.name == "Kunduz"] == [("2021-05-03", 7)]


def test_rocket_fire_is_an_incident(read):
    _doc, _m, incs, _r = read("On 2 June 2022 militants fired six rockets at a base in Termez.\n")
    assert [i.type for i in incs] == ["rocket attack"]


def test_a_country_named_as_an_adjective_is_no_incident_site(read):
    _doc, mentions, _i, _r = read("On 4 June 2022 US forces raided a compound in Kunar.\n")
    assert _roles(mentions)["US"] == "mention"
    assert _roles(mentions)["Kunar"] == "incident"


# --- area claims ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, place", [
    ("The Islamic State's main concentration is in the south of Nangarhar province.", "Nangarhar"),
    ("ISKP fighters have been concentrated in the hills of Kunar.", "Kunar"),
    ("Achin district has been heavily fought over by the Taliban and ISKP.", "Achin"),
    ("IS-K set up a training camp in Nuristan.", "Nuristan"),
])
def test_claims_in_the_language_analysts_use_shade_the_area(read, sentence, place):
    _doc, _m, _i, regions = read(sentence + "\n")
    assert any(place.lower()[:3] in r.place.name.lower() for r in regions), [r.place.name for r in regions]


def test_a_former_stronghold_is_a_past_claim(read):
    _doc, mentions, _i, regions = read("Kunar, once an ISKP stronghold, was cleared in 2020.\n")
    (kunar,) = [r for r in regions if r.place.name == "Kunar"]
    assert all(c.past for c in kunar.claims)


def test_a_current_stronghold_is_not_a_past_claim(read):
    _doc, mentions, _i, regions = read("Nangarhar remains the main ISKP stronghold.\n")
    (region,) = [r for r in regions if r.place.name == "Nangarhar"]
    assert not any(c.past for c in region.claims)


def test_a_denied_presence_is_no_claim(read):
    _doc, _m, _i, regions = read("The governor denied any ISKP presence in Badghis.\n")
    assert not regions


# --- things that are not places here --------------------------------------------------------------

@pytest.mark.parametrize("text, not_a_place", [
    ("The Kabul Times reported that ISKP fighters moved into Kunar.\n", "Kabul"),
    ("A branch of New Kabul Bank in Kandahar was bombed on 3 May 2021.\n", "Kabul"),
    ("Washington said ISKP had bases in Kunar.\n", "Washington"),
    ("The sanctions imposed by Washington hit Kabul hard.\n", "Washington"),
    ("The United Nations Assistance Mission in Afghanistan condemned the attack in Kabul.\n", "Afghanistan"),
    ("Recruits of al Qaeda in Iraq later joined ISKP in Kunar.\n", "Iraq"),
    ("Fighters of the Islamic State's Khorasan Province attacked Jalalabad on 3 May 2021.\n", "Khorasan Province"),
])
def test_names_that_only_contain_place_words_are_not_mapped(read, text, not_a_place):
    _doc, mentions, _i, _r = read(text)
    assert not any(not_a_place in cm.resolution.mention.text for cm in mentions), _mapped(mentions)


def test_abbreviations_and_spelling_variants_are_mapped(read):
    _doc, mentions, _i, _r = read("U.S. officials said ISKP remains strong in Nangrahar and Sistan Baluchistan.\n")
    mapped = _mapped(mentions)
    assert mapped["U.S."] == "United States"
    assert mapped["Nangrahar"] == "Nangarhar"
    assert mapped["Sistan Baluchistan"] == "Sistan and Baluchestan"


def test_an_officials_title_after_a_place_leaves_the_place(read):
    _doc, mentions, _i, _r = read("Sukkur SSP Ahmed Khan said the bomber was alone.\n")
    assert _mapped(mentions)["Sukkur"] == "Sukkur"


# --- the right namesake -----------------------------------------------------------------------------

def test_a_world_capital_keeps_its_name_in_an_article_about_the_theatre(read):
    _doc, mentions, _i, _r = read("Officials in Iran and Afghanistan compared the Kerman attack with one in Baghdad.\n")
    assert next(cm for cm in mentions if cm.resolution.mention.text == "Baghdad").resolution.place.country == "IQ"


def test_the_places_listed_with_a_namesake_choose_it(read):
    _doc, mentions, _i, _r = read("Militants were seen in Badakhshan. Police raided homes in Saravan, Khash and "
                                  "Iranshahr in Iran on 2 May 2023.\n")
    assert next(cm for cm in mentions if cm.resolution.mention.text == "Khash").resolution.place.country == "IR"


# --- hostile text: read in pieces, so it finishes (its timing is in benchmarks/articles.py) ----------

def test_a_sentence_of_thousands_of_words_is_read_in_bounded_pieces(read):
    words = "gunmen attacked a checkpoint in Quetta and killed five soldiers on Monday".split()
    text = " ".join(words[i % len(words)] for i in range(3000)) + ".\n"
    doc, mentions, _i, _r = read(text)
    assert max(e - s for s, e in doc.sentences) <= 3000
    assert {cm.resolution.place.name for cm in mentions} == {"Quetta"}


def test_a_thousand_capitalised_words_in_a_row_and_deep_brackets_finish(read):
    _doc, mentions, _i, _r = read("Intro.\n" + " ".join(["Kabul", "Alpha", "Bravo"] * 400) + ".\n"
                                  + "A bomb in Kabul " + "(" * 2000 + "Quetta" + ")" * 2000 + " killed 5.\n")
    assert "Kabul" in _mapped(mentions)


def test_the_toll_from_a_blast_names_its_place_and_the_day_the_toll_rose_is_not_its_date():
    from geo_khorasan.reading.roles import classify

    s = "The death toll from the Herat mosque blast rose to 41 on Sunday, officials said."
    i = s.index("Herat")
    c = classify(s, i, i + 5, doc_date="2023-06-04")
    assert (c.role, c.fatalities, c.date) == ("incident", 41, None)


# --- reading across words and sentences ----------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("The group on Saturday claimed a bombing a day earlier in Kunar", "2021-05-07"),  # counted back from the day named
    ("Officials said the attack happened the previous day", "2021-05-07"),  # no day named: from the article's date
    ("A bomb went off two days earlier", "2021-05-06"),
])
def test_a_day_counted_back_from_the_date_just_named(text, want):
    assert parse_date(text, "2021-05-08") == want


def test_a_building_named_before_the_place_leaves_the_place_the_site(read):
    _doc, mentions, incs, _r = read("On 3 May 2021 a suicide bomber struck worshippers in the Grand Saqi Mosque, "
                                    "Khanabad, killing nine.\n")
    assert _roles(mentions)["Khanabad"] == "incident"
    assert [(i.place.name, i.fatalities) for i in incs] == [("Khanabad", 9)]


def test_a_country_after_a_direction_word_is_the_incident_site(read):
    _doc, mentions, incs, _r = read("IS claimed an attack that killed four hikers in southern Tajikistan in July 2018.\n")
    assert _roles(mentions)["Tajikistan"] == "incident"
    assert [(i.date, i.fatalities) for i in incs] == [("2018-07", 4)]


@pytest.mark.parametrize("sentence, toll", [
    ("On 2 May 2021 gunmen killed a police constable and two labourers in Mardan.", 3),
    ("On 2 May 2021 gunmen killed three foreign tourists and three Afghans in Mardan.", 6),
    ("On 2 May 2021 gunmen killed five policemen, two soldiers and a civilian in Mardan.", 8),
])
def test_the_groups_of_one_toll_add_up(read, sentence, toll):
    _doc, _m, incs, _r = read(sentence + "\n")
    assert [i.fatalities for i in incs] == [toll]


def test_they_in_the_next_sentence_is_the_group_whose_presence_is_claimed(read):
    _doc, _m, _i, regions = read("In 2015 dozens of TTP fighters crossed the border from Orakzai.\n"
                                 "They lingered in Kot and Rodat districts of Nangarhar province.\n")
    assert {r.place.name for r in regions} >= {"Kot", "Rodat"}
    _doc, _m, _i, regions = read("In 2015 dozens of refugees crossed the border from Orakzai.\n"
                                 "They lingered in Kot and Rodat districts of Nangarhar province.\n")
    assert not regions  # no armed group before "They": no claim


def test_an_earlier_attack_told_in_an_aside_is_its_own_incident(read):
    _doc, _m, incs, _r = read("It was the deadliest attack in the province in years since the siege — when "
                              "gunmen stormed a school in Peshawar in 2014, killing 150 people — officials said.\n")
    assert [(i.place.name, i.date, i.fatalities) for i in incs] == [("Peshawar", "2014", 150)]


def test_a_name_the_gazetteer_lacks_before_locality_falls_back_to_its_container(read):
    _doc, mentions, incs, _r = read("On 16 July 2022 militants killed two policemen at a check post in the "
                                    "Zarghun Nadi locality of Bara in Khyber District.\n")
    assert "Zarghun Nadi" in _mapped(mentions)
    assert [(i.place.name, i.fatalities) for i in incs] == [("Khyber", 2)]


@pytest.mark.parametrize("text, places", [
    # where an armed group goes, it is present: the movement is the claim
    ("Leaders of ISKP have relocated to Kunar and Nuristan provinces.", {"Kunar", "Nuristan"}),
    # "their" stands for the group of the sentence before
    ("IS-K fighters were pushed out of many districts in 2019.\nThey kept their main stronghold in Kunar.", {"Kunar"}),
    # the place whose subject witnessed a pattern of attacks
    ("It is known that Kurram district has recently witnessed a spate of attacks by ISKP militants.", {"Kurram"}),
    ("US aircraft struck an ISKP tunnel complex in Nangarhar province.", {"Nangarhar"}),
])
def test_movement_possessives_and_patterns_read_as_claims(read, text, places):
    _doc, _m, _i, regions = read(text + "\n")
    assert {r.place.name for r in regions} >= places, [(r.place.name, r.status) for r in regions]


def test_an_ordinary_move_is_still_no_claim(read):
    _doc, mentions, _i, regions = read("The engineer relocated to Kunar in 2019 for work.\n")
    assert _roles(mentions)["Kunar"] == "mention" and not regions


def test_a_date_right_before_the_event_noun_is_the_events_even_after_claimed():
    assert parse_date("IS claimed responsibility for a January 13, 2016 attack on a consulate", "2016-02-01") == "2016-01-13"


def test_a_statements_today_is_the_weekday_it_names():
    assert parse_date("“Today Friday, a fighter of the State attacked a mosque,” the group said", "2022-03-05") == "2022-03-04"


def test_the_victims_names_and_a_joint_count_of_dead_and_hurt(read):
    _doc, _m, incs, _r = read("On 19 August 2022 two policemen, Havaldar Amir Khan and Sepoy Gul Zaman, were killed "
                              "in an explosion in Bajaur District.\n"
                              "Officials said more than 100 people were killed and injured in a blast in Kohat on 2 May 2021.\n")
    assert sorted((i.place.name, i.fatalities) for i in incs) == [("Bajaur", 2), ("Kohat", None)]


def test_a_country_named_as_an_adjective_leaves_the_event_to_the_place_it_happened(read):
    _doc, mentions, incs, _r = read("The commander was killed in a US strike in Baghdad in early 2020.\n")
    assert _roles(mentions) == {"US": "mention", "Baghdad": "incident"}
    assert [(i.place.name, i.date) for i in incs] == [("Baghdad", "2020")]


def test_an_undated_event_in_a_reports_lead_takes_the_reports_month_and_a_recent_one_its_year(read):
    _doc, _m, incs, _r = read(
        "Taliban raid militant hideout\n"
        "KABUL, Oct 24, 2022 (AFP) - Officials in the capital spoke of a long night.\n"
        "At least six militants were killed during a Taliban operation on a hideout in Jalalabad.\n"
        "Officials gave no further details.\nThe city has seen many such raids.\nNothing else was said.\n"
        "The same group carried out the recent bombing at a mosque in Mazar-i-Sharif.\n"
        "It also bombed a mosque in Kunduz.\n")
    assert {i.place.name: i.date for i in incs} == {"Jalālābād": "2022-10", "Mazār-e Sharīf": "2022"}


def test_one_name_is_one_place_in_an_article_when_the_text_says_which(read):
    _doc, mentions, _i, _r = read("Gunmen attacked tourists in Bamyan city on 17 May 2024.\n"
                                  "Bamyan has long been calm, residents said.\n")
    places = {(cm.resolution.mention.text, cm.resolution.place.level) for cm in mentions}
    assert places == {("Bamyan city", "town"), ("Bamyan", "town")}


def test_the_cities_of_a_list_are_towns(read):
    _doc, mentions, _i, _r = read("The bomber passed through the cities of Khash and Zahedan in Iran.\n")
    assert {cm.resolution.mention.text: cm.resolution.place.level for cm in mentions}["Khash"] == "town"


def test_a_lead_that_names_no_place_but_its_dateline_places_the_event_there(read):
    _doc, mentions, incs, _r = read("Bomb kills five\n"
                                    "KABUL, Afghanistan (AP) — A bomb exploded near a mosque on 2 May 2023, killing "
                                    "five worshippers.\n")
    assert _roles(mentions)["KABUL"] == "incident"
    assert [(i.place.name, i.date, i.fatalities) for i in incs] == [("Kabul", "2023-05-02", 5)]


def test_a_dateline_is_no_site_when_the_story_names_one(read):
    _doc, mentions, incs, _r = read("Fighters surrender\n"
                                    "MAZAR-I-SHARIF, Afghanistan — Two hundred fighters surrendered on 1 August 2018 "
                                    "after a two-day battle.\n"
                                    "The battle in Darzab district killed 40 of them.\n")
    assert _roles(mentions)["MAZAR-I-SHARIF"] == "dateline"
    assert {i.place.name for i in incs} == {"Darzab"}


def test_an_army_campaign_dated_to_a_year_is_an_operation_at_each_place(read):
    _doc, _m, incs, _r = read("During the army campaigns in Orakzai and Kurram in 2014, many fighters crossed the border.\n")
    assert sorted((i.place.name, i.type, i.date) for i in incs) == [
        ("Kurram", "security operation", "2014"), ("Orakzai", "security operation", "2014")]


def test_a_hard_wrapped_text_reads_its_names_and_sentences_across_line_breaks(read):
    lines = ["Analysts say the group is growing in the north of the country and that its local",
             "commanders have recruited widely among former Taliban fighters in recent",
             "months. The provincial governor claimed militants killed six aid workers on 8 February 2017 in Qush",
             "Tepah District. Officials said two more workers are held in a prison run by the group",
             "in the same district, according to local sources who asked not to be named here.",
             "The report comes a month after elders said the militants burnt homes in Darzab",
             "District and forced dozens of families to leave their villages in the area in",
             "December 2016, a claim that could not be verified by reporters on the ground."]
    _doc, mentions, incs, _r = read("\n".join(lines) + "\n")
    assert "Qush Tepah District" in _mapped(mentions)  # one name across the line break
    assert {(i.place.name, i.date, i.fatalities) for i in incs} >= {("Qush Tepa", "2017-02-08", 6)}
    assert "Darzab" in {i.place.name for i in incs}


def test_a_text_written_a_paragraph_per_line_keeps_its_lines():
    from geo_khorasan.corpus import unwrap_lines

    text = "Bomb kills five in Quetta\nA bomb killed five people in Quetta on Friday, police said.\n"
    assert unwrap_lines(text) == text


@pytest.mark.parametrize("text, site, reference", [
    ("Gunmen attacked a prison in the city of Jalalabad, east of Kabul, on 2 August 2020.", "Jalalabad", "Kabul"),
    ("On 6 November 2019 attackers struck a border post in Khatlon, 60 kilometres south of Dushanbe.",
     "Khatlon", "Dushanbe"),
])
def test_a_reference_point_is_no_site(read, text, site, reference):
    _doc, mentions, _i, _r = read(text + "\n")
    assert (_roles(mentions)[site], _roles(mentions)[reference]) == ("incident", "mention")


def test_pak_is_pakistan_and_says_whose(read):
    _doc, mentions, incs, _r = read("60 killed in terror attack on Pak police academy in Quetta on 24 October 2016\n")
    assert _mapped(mentions)["Pak"] == "Pakistan" and _roles(mentions)["Pak"] == "mention"
    assert [i.place.name for i in incs] == ["Quetta"]


@pytest.mark.parametrize("text, fatalities, rng, attackers", [
    ("Between 10 and 15 people were killed in the blast.", 10, (10, 15), None),  # the low end, the range kept
    ("The bombing killed 20-25 people.", 20, (20, 25), None),
    ("Five soldiers and three attackers were killed.", 5, None, 3),  # the attackers counted apart
    ("The attack killed 12 people, including the three attackers.", 12, None, 3),  # ... or among them
    ("The toll rose from five to eight.", 8, None, None),  # a toll that rose is no range
    ("Dozens were killed.", None, None, None),
])
def test_tolls_keep_their_range_and_the_attackers_apart(text, fatalities, rng, attackers):
    from geo_khorasan.reading.casualties import read_casualties

    c = read_casualties(text)
    assert (c.fatalities, c.fatalities_range, c.attackers_killed) == (fatalities, rng, attackers)


def test_the_range_and_the_attackers_reach_the_exported_incident(read):
    from geo_khorasan.export import incident_features

    _doc, _m, incs, _r = read("On 3 May 2023 gunmen stormed a hotel in Kabul; between 10 and 15 guests and two "
                              "attackers were killed.\n")
    props = incident_features(incs)["features"][0]["properties"]
    assert (props["fatalities"], props["fatalities_range"], props["attackers_killed"]) == (10, "10-15", 2)


def test_a_claim_of_responsibility_in_the_next_sentence_names_the_actor(read):
    _doc, _m, incs, _r = read("A suicide bomber struck a Shia mosque in Kunduz on 8 October 2021, killing 46 people.\n"
                              "Islamic State claimed responsibility for the attack.\n")
    assert [(i.place.name, i.actor) for i in incs] == [("Kunduz", "Islamic State")]
