"""Tests for geo_khorasan.reading.roles: the role of a place, with the incident facts or region status.

Sentences are paraphrased from typical IS-K reporting or invented in the same news style; the
functions must handle the phenomena in general, not these sentences.
"""
from __future__ import annotations

from geo_khorasan.reading.roles import classify
from geo_khorasan.records import Classification

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _span(sentence: str, words: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = sentence.index(words, start + 1)
    return start, start + len(words)


def role_of(sentence: str, place: str, others: tuple[str, ...] = (), doc_date: str | None = None,
            occurrence: int = 0) -> Classification:
    """Classify ``place`` in ``sentence``; ``others`` are the other place names (first occurrences,
    or "Name#n" for the n-th occurrence)."""
    start, end = _span(sentence, place, occurrence)
    spans = []
    for o in others:
        name, _, n = o.partition("#")
        spans.append(_span(sentence, name, int(n or 0)))
    return classify(sentence, start, end, doc_date=doc_date, other_places=spans)


def all_roles(sentence: str, places: list[str], doc_date: str | None = None) -> dict[str, Classification]:
    spans = {p: _span(sentence, p) for p in places}
    return {
        p: classify(sentence, *sp, doc_date=doc_date, other_places=[s for q, s in spans.items() if q != p])
        for p, sp in spans.items()
    }


# ---------------------------------------------------------------------------------------------
# cue file
# ---------------------------------------------------------------------------------------------




def test_airstrike_in_a_village_and_its_district():
    s = ("In early January, at least seven foreign fighters—three French and four Uzbek militants—were killed in an "
         "airstrike in Alkhani village, in Darzab (MENAFN – Afghanistan Times, January 2).")
    r = all_roles(s, ["Alkhani village", "Darzab", "Afghanistan"], doc_date="2018")
    for place in ("Alkhani village", "Darzab"):
        c = r[place]
        assert c.role == "incident"
        assert c.type == "airstrike"
        assert c.cue == "airstrike"
        assert c.date == "2018-01"
        assert c.fatalities == 7
        assert c.injured is None
    assert "location chain" in r["Darzab"].rule
    assert r["Afghanistan"].role == "mention"
    assert "citation" in r["Afghanistan"].rule


def test_two_bombings_in_one_sentence_keep_their_own_facts():
    s = ("IS-K claimed responsibility for a suicide bombing at a Baluchistan Awami Party rally in Mastung District on "
         "July 13 that killed 131 people and another at a polling station in Quetta on July 25—election day—that "
         "killed 31 people (Dunya News, July 15; Dawn, July 25).")
    r = all_roles(s, ["Mastung District", "Quetta"], doc_date="2018")
    m, q = r["Mastung District"], r["Quetta"]
    assert (m.role, m.type, m.date, m.fatalities, m.actor) == ("incident", "suicide bombing", "2018-07-13", 131, "IS-K")
    assert (q.role, q.type, q.date, q.fatalities, q.actor) == ("incident", "suicide bombing", "2018-07-25", 31, "IS-K")
    assert q.cue == "and another"


def test_place_glued_to_a_party_name_does_not_steal_the_event():
    s = ("IS-K claimed responsibility for a suicide bombing at a Baluchistan Awami Party rally in Mastung District on "
         "July 13 that killed 131 people.")
    r = all_roles(s, ["Baluchistan", "Mastung District"], doc_date="2018")
    assert r["Mastung District"].role == "incident"
    assert r["Baluchistan"].role == "mention"


def test_suicide_bomber_near_a_district_with_casualties_and_breakdown():
    s = ("In August 2017, an IS suicide bomber hit a military convoy passing near Pishin District, killing 15 people, "
         "including eight soldiers (Nation, Aug 13).")
    c = role_of(s, "Pishin District", doc_date="2018")
    assert c.role == "incident"
    assert c.type == "suicide bombing"
    assert c.cue == "suicide bomber"
    assert c.date == "2017-08"  # the sentence's own date wins over the citation's
    assert c.fatalities == 15
    assert c.actor == "IS"


def test_church_attack_date_falls_back_to_the_citation():
    s = ("Two armed militants with suicide vests and assault rifles stormed the Bethel Memorial Methodist Church in "
         "Quetta, leaving at least nine Christian worshipers dead and more than 50 people seriously wounded "
         "(The Nation, December 17, 2017).")
    c = role_of(s, "Quetta", doc_date="2018")
    assert c.role == "incident"
    assert c.type == "suicide bombing"
    assert (c.fatalities, c.injured) == (9, 50)
    assert c.date == "2017-12-17"
    assert "citation" in c.rule


def test_framing_country_is_a_mention_when_the_event_has_its_own_place():
    s = "In Pakistan, a deadly sectarian attack on December 17 last year in Balochistan was attributed to ISK-P."
    r = all_roles(s, ["Pakistan", "Balochistan"], doc_date="2018-01")
    b = r["Balochistan"]
    assert (b.role, b.type, b.date, b.actor) == ("incident", "attack", "2017-12-17", "ISK-P")
    assert r["Pakistan"].role == "mention"
    assert "framing" in r["Pakistan"].rule


def test_framing_place_is_the_location_when_nothing_else_is():
    s = "In Jalalabad, a suicide bomber killed 12 mourners at a funeral on Sunday."
    c = role_of(s, "Jalalabad", doc_date="2019-03-05")
    assert c.role == "incident"
    assert c.type == "suicide bombing"
    assert c.date == "2019-03-03"
    assert c.fatalities == 12


def test_chain_with_possessive_and_late_date():
    s = ("On July 31, 2023, the fatalities from a suicide bombing at a Jamiat Ulema-i-Islam-Fazl (JUI-F) election "
         "rally in Khyber Pakhtunkhwa’s Bajaur district rose to 54 when a bomber sent by IS-K detonated himself in "
         "the midst of the crowd.")
    r = all_roles(s, ["Khyber Pakhtunkhwa", "Bajaur district"])
    for c in r.values():
        assert (c.role, c.type, c.date, c.fatalities, c.actor) == (
            "incident", "suicide bombing", "2023-07-31", 54, "IS-K")


def test_overnight_operation_after_the_place_sets_the_type():
    s = "He was killed on February 26, 2023, in the Khairkhana area of Kabul city in an overnight operation."
    r = all_roles(s, ["Khairkhana", "Kabul city"])
    for c in r.values():
        assert c.role == "incident"
        assert c.type == "security operation"
        assert c.cue == "overnight operation"
        assert c.date == "2023-02-26"
        assert c.fatalities == 1


def test_operation_actor_from_by_phrase():
    s = ("He was killed on February 13, 2023, in the Kart-e-Naw area of Police District Kabul City, in an overnight "
         "operation conducted by the Taliban intelligence.")
    c = role_of(s, "Kabul City", others=("Kart-e-Naw",))
    assert (c.role, c.type, c.actor, c.date) == ("incident", "security operation", "Taliban intelligence", "2023-02-13")


def test_origin_places_are_mentions_even_in_a_killing_sentence():
    s = ("Qari Zahid, originally from the Achin district of Nangarhar province, was killed in a drone strike in Kunar "
         "on May 3, 2019.")
    r = all_roles(s, ["Achin district", "Nangarhar province", "Kunar"])
    assert r["Achin district"].role == "mention"
    assert r["Achin district"].cue == "originally from"
    assert r["Nangarhar province"].role == "mention"
    assert "origin" in r["Nangarhar province"].rule
    k = r["Kunar"]
    assert (k.role, k.type, k.date, k.fatalities) == ("incident", "drone strike", "2019-05-03", 1)


def test_origin_then_event_elsewhere_in_the_same_city():
    s = ("Doctor Hussain, originally from Herat province, was killed on April 5, 2023, in the Mashwanian area of "
         "Herat City.")
    assert role_of(s, "Herat province", others=("Mashwanian", "Herat City")).role == "mention"
    c = role_of(s, "Herat City", others=("Herat province", "Mashwanian"))
    assert (c.role, c.date) == ("incident", "2023-04-05")


def test_native_of_and_operates_in():
    s = "The LeJA is led by Yousaf Mansour Khurasani, a native of Punjab province that now operates in Baluchistan."
    r = all_roles(s, ["Punjab province", "Baluchistan"])
    assert (r["Punjab province"].role, r["Punjab province"].cue) == ("mention", "native of")
    assert (r["Baluchistan"].role, r["Baluchistan"].status, r["Baluchistan"].cue) == (
        "contested", "presence", "operates in")


def test_arrest_located_before_the_verb_and_origin_with_from():
    s = ("In May 2017, security forces in Karachi arrested three students from Lahore’s University of Engineering "
         "and Technology, along with their teacher.")
    r = all_roles(s, ["Karachi", "Lahore"])
    k = r["Karachi"]
    assert (k.role, k.type, k.date, k.actor) == ("incident", "arrest", "2017-05", "security forces")
    assert r["Lahore"].role == "mention"
    assert r["Lahore"].cue == "from"


def test_arrest_actor_and_weekday_date():
    s = "Security forces in Peshawar arrested five suspected IS-K militants on Tuesday."
    c = role_of(s, "Peshawar", doc_date="2020-01-10")
    assert (c.role, c.type, c.actor, c.date) == ("incident", "arrest", "Security forces", "2020-01-07")
    assert c.fatalities is None


def test_drone_attack_with_country_and_province_chain():
    s = "Hafiz Saeed Khan was killed by a US drone attack in Afghanistan’s Nangarhar province in July 2016."
    r = all_roles(s, ["Afghanistan", "Nangarhar province"])
    for c in r.values():
        assert (c.role, c.type, c.actor, c.date, c.fatalities) == ("incident", "drone strike", "US", "2016-07", 1)


def test_place_as_modifier_of_the_event_noun():
    s = ("The attack was reminiscent of ISK-P’s March 2016 Lahore park bombing, in which more than 70 people, mostly "
         "Christian women and children, were killed.")
    c = role_of(s, "Lahore")
    assert (c.role, c.type, c.date, c.fatalities, c.actor) == ("incident", "bombing", "2016-03", 70, "ISK-P")


def test_kidnapping():
    s = ("In September 2022, Afghanistan’s most prominent Salafist cleric, Abu Obaidullah Mutawakil, was kidnapped in "
         "Kabul by unknown assailants.")
    r = all_roles(s, ["Afghanistan", "Kabul"])
    assert (r["Kabul"].role, r["Kabul"].type, r["Kabul"].date) == ("incident", "kidnapping", "2022-09")
    assert r["Afghanistan"].role == "mention"


def test_targeted_killing_and_armed_attack_types():
    s = "Gunmen shot dead a JUI-F leader in Khar, Bajaur, on March 3, 2021."
    c = role_of(s, "Khar", others=("Bajaur",))
    assert (c.role, c.type, c.cue, c.fatalities) == ("incident", "targeted killing", "shot dead", 1)  # "a leader": one
    s = "Militants stormed a checkpoint near Mamund on 4 June 2020, killing two policemen."
    c = role_of(s, "Mamund")
    assert (c.role, c.type, c.cue, c.date, c.fatalities) == ("incident", "armed attack", "stormed", "2020-06-04", 2)


def test_weak_cue_needs_a_date_or_a_casualty_figure():
    s = ("In October last year, ISK-P militants also targeted the Imam Zaman Mosque, a Shia place of worship located "
         "in the western Dasht-e-Barchi neighborhood of Kabul.")
    c = role_of(s, "Kabul", others=("Dasht-e-Barchi",), doc_date="2018")
    assert (c.role, c.type, c.cue, c.date, c.actor) == ("incident", "attack", "targeted", "2017-10", "ISK-P")
    s = "It was not the first time that IS-K was targeting the JUI-F leadership in Bajaur district."
    c = role_of(s, "Bajaur district")
    assert c.role == "mention"


def test_event_verb_about_another_place():
    s = ("The cleric told a press briefing in Peshawar that 18 of his party workers had been killed in Bajaur on "
         "May 5, 2021.")
    r = all_roles(s, ["Peshawar", "Bajaur"])
    assert r["Peshawar"].role == "mention"
    assert "another place" in r["Peshawar"].rule
    assert (r["Bajaur"].role, r["Bajaur"].fatalities, r["Bajaur"].date) == ("incident", 18, "2021-05-05")


def test_movement_and_from_places_are_mentions():
    s = ("Abu Hamza Khurasani was killed in Balochistan on 2 March 2024 after he returned to Qila Saifullah from "
         "Zabul.")
    r = all_roles(s, ["Balochistan", "Qila Saifullah", "Zabul"])
    assert r["Balochistan"].role == "incident"
    assert (r["Qila Saifullah"].role, r["Qila Saifullah"].cue) == ("mention", "returned to")
    assert (r["Zabul"].role, r["Zabul"].cue) == ("mention", "from")


def test_hypothetical_and_negated_events_are_not_incidents():
    s = "Pakistan should launch targeted operations against ISKP hideouts in Khyber."
    assert role_of(s, "Khyber", others=("Pakistan",)).role == "mention"
    s = "No attack was reported in Jalalabad during the holiday."
    assert role_of(s, "Jalalabad").role == "mention"
    s = "The sharing of information is essential to eliminate IS-K in Afghanistan."
    assert role_of(s, "Afghanistan").type is None


def test_comparison_is_a_mention():
    s = "Baluchistan makes up 43 percent of Pakistan and is almost the size of Germany."
    r = all_roles(s, ["Baluchistan", "Pakistan", "Germany"])
    assert (r["Germany"].role, r["Germany"].cue) == ("mention", "size of")
    assert r["Baluchistan"].role == "mention"
    assert r["Pakistan"].role == "mention"


def test_title_is_a_mention():
    s = ("According to a spokesman for the governor of Jowzjan, there are more than 40 foreign fighters who have "
         "begun to recruit locals.")
    c = role_of(s, "Jowzjan")
    assert (c.role, c.cue) == ("mention", "governor of")


def test_plain_mention():
    c = role_of("Pakistan is particularly attractive to IS due to the number of terrorist groups.", "Pakistan")
    assert c == Classification("mention", None, rule=c.rule)
    assert c.rule.startswith("mention:")


# ---------------------------------------------------------------------------------------------
# classify: patterns of events
# ---------------------------------------------------------------------------------------------


def test_repeated_attacks_by_the_group_show_presence_not_an_incident():
    s = "IS-K has carried out scores of attacks in Kunar province over the years."
    c = role_of(s, "Kunar province")
    assert c.role == "contested"
    assert c.status == "presence"
    assert c.type is None
    assert "pattern" in c.rule


def test_attacks_in_a_range_of_cities():
    s = ("The group, which is mostly comprised of fighters who defected from the TTP, has perpetrated "
         "indiscriminate mass-fatality attacks in cities from Jalalabad and Kabul in Afghanistan, to Quetta and Lahore "
         "in Pakistan.")
    r = all_roles(s, ["Jalalabad", "Kabul", "Afghanistan", "Quetta", "Lahore", "Pakistan"])
    for place, c in r.items():
        assert (c.role, c.status) == ("contested", "presence"), place


def test_killings_without_militants_are_only_mentions():
    s = "There have been hundreds of killings of Salafists in Afghanistan since the Taliban took over Kabul."
    r = all_roles(s, ["Afghanistan", "Kabul"])
    assert r["Afghanistan"].role == "mention"
    assert "pattern" in r["Afghanistan"].rule
    assert r["Kabul"].role == "mention"


def test_generic_campaign_without_date_is_not_an_incident():
    s = "The Taliban’s crackdown against the Salafist community in Afghanistan coincided with the campaign."
    assert role_of(s, "Afghanistan").role == "mention"


def test_the_plural_with_a_definite_article_is_one_incident():
    s = "The very recent suicide bombings in the city of Kerman in Iran have proved the group is not finished."
    r = all_roles(s, ["Kerman", "Iran"])
    for c in r.values():
        assert (c.role, c.type) == ("incident", "suicide bombing")


# ---------------------------------------------------------------------------------------------
# classify: region claims
# ---------------------------------------------------------------------------------------------


def test_hub_before_the_cue():
    s = "Baluchistan’s Mastung District remains the hub of IS-K activities."
    r = all_roles(s, ["Baluchistan", "Mastung District"])
    for c in r.values():
        assert (c.role, c.status, c.cue, c.actor) == ("contested", "hub", "hub", "IS-K")


def test_headquarters_and_a_neighbour_in_a_relative_clause():
    s = ("ISK-P has since expanded its influence beyond its operational headquarters in Afghanistan’s Nangarhar "
         "province, which borders Pakistan’s tribal regions.")
    r = all_roles(s, ["Afghanistan", "Nangarhar province", "Pakistan"])
    assert (r["Nangarhar province"].role, r["Nangarhar province"].status) == ("contested", "headquarters")
    assert r["Pakistan"].role == "mention"


def test_controlled_districts_with_actor():
    s = ("These war returnees are establishing new bases in the ISK-P-controlled districts of Darzab and Qosh Tepa in "
         "northern Jowzjan province.")
    r = all_roles(s, ["Darzab", "Qosh Tepa", "Jowzjan province"])
    for c in r.values():
        assert (c.role, c.status, c.cue, c.actor) == ("contested", "controlled", "-controlled", "ISK-P")


def test_safe_haven_from_ungoverned_territories():
    s = ("The presence of ungoverned territories in Baluchistan makes the province particularly conducive to IS-K’s "
         "growth.")
    c = role_of(s, "Baluchistan")
    assert (c.role, c.status, c.cue) == ("contested", "safe haven", "ungoverned territories")


def test_safe_haven_in_tribal_lands():
    s = "A safe haven for ISK-P militants has developed in the tribal lands of Kurram and Orakzai."
    r = all_roles(s, ["Kurram", "Orakzai"])
    for c in r.values():
        assert (c.role, c.status) == ("contested", "safe haven")


def test_training_centres_in_villages():
    s = "The group has established training centers in the villages of Moghul and Sar Dara."
    r = all_roles(s, ["Moghul", "Sar Dara"])
    for c in r.values():
        assert (c.role, c.status, c.cue) == ("contested", "training", "training centers")


def test_framing_place_of_a_region_claim():
    s = ("In the Darzab district of northwestern Jowzjan province, around 300 young people, most of them under 20, "
         "have reportedly been recruited into ISK-P and received training.")
    r = all_roles(s, ["Darzab district", "Jowzjan province"])
    for c in r.values():
        assert (c.role, c.status, c.actor) == ("contested", "training", "ISK-P")
        assert c.fatalities is None


def test_group_in_place_reads_as_presence():
    s = "IS-K in Sindh province has proven to be more resilient and effective in launching terrorist strikes."
    c = role_of(s, "Sindh province")
    assert (c.role, c.status, c.cue) == ("contested", "presence", "IS-K in")


def test_presence_needs_an_armed_group_in_the_sentence():
    s = "The author is a distinguished strategic affairs specialist based in Islamabad."
    assert role_of(s, "Islamabad").role == "mention"
    s = "Nearly 200 foreign fighters are camping near Bibi Mariam village in Darzab, according to local reports."
    r = all_roles(s, ["Bibi Mariam village", "Darzab"])
    for c in r.values():
        assert (c.role, c.status, c.cue) == ("contested", "presence", "camping")


def test_attached_based_and_ruled():
    s = "He was in contact with a Syria-based IS commander and an Afghanistan-based commander."
    r = all_roles(s, ["Syria", "Afghanistan"])
    for c in r.values():
        assert (c.role, c.status, c.cue) == ("contested", "presence", "-based")
    s = "Many of its commanders had received training at al-Qaeda-run camps in Taliban-ruled Afghanistan (1996-2001)."
    c = role_of(s, "Afghanistan")
    assert (c.role, c.status, c.actor, c.date) == ("contested", "controlled", "Taliban", "1996")


def test_contested_and_stronghold_statuses():
    s = "Achin district remains contested between the Taliban and IS-K fighters."
    c = role_of(s, "Achin district")
    assert (c.role, c.status) == ("contested", "contested")
    s = "Kunar has become an IS-K stronghold since the group lost ground in Nangarhar."
    c = role_of(s, "Kunar", others=("Nangarhar",))
    assert (c.role, c.status, c.cue) == ("contested", "stronghold", "stronghold")


def test_incident_beats_region_claim_for_the_same_place():
    s = "An airstrike on an IS-K stronghold in Kunar on March 2, 2019 killed 11 militants."
    c = role_of(s, "Kunar")
    assert (c.role, c.type, c.fatalities, c.date) == ("incident", "airstrike", 11, "2019-03-02")
    assert "precedence" in c.rule


def test_modal_region_claims_are_not_claims():
    s = "IS-K could find safe havens in Kunar if the Taliban withdraw."
    assert role_of(s, "Kunar").role == "mention"


# ---------------------------------------------------------------------------------------------
# classify: robustness
# ---------------------------------------------------------------------------------------------


def test_target_may_appear_in_other_places_and_overlapping_spans_are_ignored():
    s = "A bomb blast in Kabul city on May 1, 2020 killed 4 people."
    start, end = _span(s, "Kabul city")
    c = classify(s, start, end, other_places=[(start, end), (start, start + 5)])
    assert (c.role, c.type, c.fatalities) == ("incident", "bombing", 4)


def test_every_classification_explains_itself():
    sentences = [
        ("IS-K expanded into the Khorasan Region in 2015.", "Khorasan Region"),
        ("Pakistan is attractive to IS.", "Pakistan"),
        ("A blast in Quetta on July 1, 2019 killed 3.", "Quetta"),
    ]
    for s, p in sentences:
        c = role_of(s, p)
        assert c.rule
        assert c.role in ("incident", "contested", "mention")


def test_region_claim_does_not_jump_into_the_next_clause():
    s = ("IS-K expanded into the Khorasan Region in 2015 and this region encompasses parts of Iran, Central Asia, "
         "Afghanistan and Pakistan.")
    r = all_roles(s, ["Khorasan Region", "Iran", "Afghanistan", "Pakistan"])
    assert (r["Khorasan Region"].role, r["Khorasan Region"].status, r["Khorasan Region"].date) == (
        "contested", "presence", "2015")
    for place in ("Iran", "Afghanistan", "Pakistan"):
        assert r[place].role == "mention", place


def test_infinitives_are_hypothetical_but_not_every_to():
    s = "The crackdown led to attacks in Quetta on 3 May 2019 that killed 4 people."
    c = role_of(s, "Quetta")
    assert (c.role, c.date, c.fatalities) == ("incident", "2019-05-03", 4)
    s = "The Taliban claims to have killed 12 IS-K commanders in Kunar on June 1, 2020."
    c = role_of(s, "Kunar")
    assert (c.role, c.fatalities, c.actor) == ("incident", 12, "Taliban")
    s = "The militants planned to attack a shrine in Sehwan on the anniversary."
    assert role_of(s, "Sehwan").role == "mention"


def test_leftover_citation_from_the_previous_sentence_is_not_this_sentences_date():
    s = "Dawn, May 13, 2015). The IS-K cell in Karachi has also targeted social workers during 2014."
    c = role_of(s, "Karachi")
    assert c.date != "2015-05-13"
    assert c.role == "contested"  # "cell in Karachi"; "targeted" without a month or casualties is no incident
    assert (c.status, c.date) == ("presence", "2014")


def test_the_month_may_is_not_the_modal_may():
    s = "On May 5, 2019 a bomb exploded in a market in Kabul, killing 3 people."
    c = role_of(s, "Kabul")
    assert (c.role, c.type, c.date, c.fatalities) == ("incident", "bombing", "2019-05-05", 3)
    s = "Militants may attack polling stations in Kabul."
    assert role_of(s, "Kabul").role == "mention"
