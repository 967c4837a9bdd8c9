"""Knowledge base: data validation, normalisation, entities, per-investment facts, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge.answering import Answerer
from knowledge.entities import extract
from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.text import clean, fold
from tests.judge import passes
from tests.paths import ROOT, TEST_DATA

DATA = ROOT / "knowledge" / "data"


# -- data ---------------------------------------------------------------------------------------
def test_every_content_slide_is_cited_by_some_entry(kb: KnowledgeBase) -> None:
    cited = {dia for entry in kb.entries for dia in entry.sources}
    content = {s.dia for s in kb.slides.values() if s.content}
    assert len(content) >= 50
    assert sorted(content - cited) == []


def test_every_entry_renders_without_entities(kb: KnowledgeBase, answerer: Answerer) -> None:
    for entry in kb.entries:
        text = answerer.renderer.render_entry(entry)
        assert text.strip(), entry.id
        assert "{{" not in text and "{%" not in text, entry.id


def test_invalid_field_error_names_file_entry_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "data"
    shutil.copytree(DATA, broken)
    text = (broken / "entries.yaml").read_text(encoding="utf-8")
    (broken / "entries.yaml").write_text(
        text.replace("sources: [16, 18, 51, 54, 55, 59, 64, 67]", "sources: [kuusitoista]", 1),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(broken)
    message = str(info.value)
    assert "entries.yaml" in message and "nimeaminen" in message and "sources" in message


def test_citing_a_missing_slide_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "data"
    shutil.copytree(DATA, broken)
    path = broken / "entries.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("sources: [17]", "sources: [99]", 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match=r"lyhyt_kuvaus.*99"):
        load_knowledge(broken)


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "data"
    shutil.copytree(DATA, broken)
    (broken / "counties.yaml").write_text("- {name: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"counties\.yaml"):
        load_knowledge(broken)


# -- normalisation ------------------------------------------------------------------------------
def test_fold_unifies_dashes_case_and_compass_prefixes() -> None:
    assert fold("Etelä Savon  HVA – RRP") == "etelä-savon hva - rrp"
    assert fold("Sujuvat palvelut —valmennus") == "sujuvat palvelut -valmennus"


def test_clean_removes_control_and_zero_width_characters() -> None:
    assert clean("nimi\x00\x07 i2\u200b\ufeff") == "nimi i2"


# -- entities -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Miten nimeän I3-mallin?", ["P4I3"]),
        ("inv. 2", ["P4I2"]),
        ("investointi 1:ssä", ["P4I1"]),
        ("P4 I2 ja I4", ["P4I2", "P4I4"]),
        ("p4i2", ["P4I2"]),
        ("(RRP, P4,I2)", ["P4I2"]),
        ("pilari 3", ["P3"]),
        ("IPS-malli", ["P3"]),
        ("työkykyohjelman malli", ["P3"]),
        ("hyte-toimintamalli", ["P4I2"]),
        ("Sujuvat palvelut -valmennus", ["P4I1"]),
        ("investoinnit 1, 3 ja 4", ["P4I1", "P4I3", "P4I4"]),
        ("pilari 4", ["P4I1", "P4I2", "P4I3", "P4I4"]),
        ("(RRP, P4, I11)", ["P4I1"]),
        ("toisen investoinnin malli", ["P4I2"]),
        ("investment 4", ["P4I4"]),
        ("ilman investointia", []),
    ],
)
def test_investments_are_recognised_in_the_ways_people_write_them(
    kb: KnowledgeBase, text: str, codes: list[str]
) -> None:
    assert extract(kb, text).investments == codes


@pytest.mark.parametrize(
    ("text", "county", "area"),
    [
        ("Pirkanmaan malli", "Pirkanmaan hyvinvointialue", "Sisä-Suomi"),
        ("Pirha", "Pirkanmaan hyvinvointialue", "Sisä-Suomi"),
        ("Siun sote", "Pohjois-Karjalan hyvinvointialue", "Itä-Suomi"),
        ("Etelä Savon HVA", "Etelä-Savon hyvinvointialue", "Itä-Suomi"),
        ("Etelä-Pohjanmaalla", "Etelä-Pohjanmaan hyvinvointialue", "Sisä-Suomi"),
        ("Pohjanmaalla", "Pohjanmaan hyvinvointialue", "Länsi-Suomi"),
        ("Varhan kehittäjät", "Varsinais-Suomen hyvinvointialue", "Länsi-Suomi"),
        ("Vantaa-Keravan", "Vantaan ja Keravan hyvinvointialue", "Etelä-Suomi"),
        ("Kainuussa", "Kainuun hyvinvointialue", "Pohjois-Suomi"),
    ],
)
def test_counties_map_to_their_collaboration_area(
    kb: KnowledgeBase, text: str, county: str, area: str
) -> None:
    found = extract(kb, text)
    assert found.county is not None and found.county.name == county
    assert found.area == area


def test_region_named_directly(kb: KnowledgeBase) -> None:
    assert extract(kb, "Itä-Suomen kehittämispäällikkö").area == "Itä-Suomi"
    assert extract(kb, "itä suomessa").area == "Itä-Suomi"


# -- facts per investment -----------------------------------------------------------------------
TAGS = {
    "P3": "(RRP, P3)",
    "P4I1": "(RRP, P4, I1)",
    "P4I2": "(RRP, P4, I2)",
    "P4I3": "(RRP, P4, I3)",
    "P4I4": "(RRP, P4, I4)",
}
SPOKEN = {"P3": "pilari 3", "P4I1": "investointi 1", "P4I2": "I2", "P4I3": "inv. 3", "P4I4": "P4 I4"}
TOPICS = {
    "P3": "Työkyky",
    "P4I1": "Prosessien kehittäminen",
    "P4I2": "Hyvinvoinnin ja terveyden edistäminen",
    "P4I3": "Vaikuttavuus",
    "P4I4": "Digitaaliset palvelut",
}
DEADLINES = {
    "P3": "31.12.2024",
    "P4I1": "31.12.2025",
    "P4I2": "31.12.2024",
    "P4I3": "31.12.2025",
    "P4I4": "31.12.2025",
}


@pytest.mark.parametrize("code", list(TAGS))
def test_naming_answer_gives_only_that_investments_tag(answerer: Answerer, code: str) -> None:
    result = answerer.answer(f"Miten nimeän {SPOKEN[code]} toimintamallin?")
    assert result.confident and result.topic == "nimeaminen"
    assert TAGS[code] in result.answer
    assert [tag for other, tag in TAGS.items() if other != code and tag in result.answer] == []


@pytest.mark.parametrize("code", list(TOPICS))
def test_topic_answer_names_the_investment_topic_only(answerer: Answerer, code: str) -> None:
    result = answerer.answer(f"Mitkä aihealueet valitaan {SPOKEN[code]}?")
    assert result.topic == "aihealueet" and TOPICS[code] in result.answer
    assert [t for other, t in TOPICS.items() if other != code and t in result.answer] == []


@pytest.mark.parametrize("code", list(DEADLINES))
def test_deadline_answer_per_investment(answerer: Answerer, code: str) -> None:
    result = answerer.answer(f"Mikä on {SPOKEN[code]} määräaika?")
    assert result.topic == "aikataulu" and DEADLINES[code] in result.answer
    other = "31.12.2025" if DEADLINES[code] == "31.12.2024" else "31.12.2024"
    assert other not in result.answer


def test_several_investments_are_all_marked_in_the_name(answerer: Answerer) -> None:
    assert (
        "(RRP, P4, I1, I4)"
        in answerer.answer("Miten nimetään malli, jota kehitetään I1:ssä ja I4:ssä?").answer
    )


def test_valmennus_naming_follows_the_detailed_slide_and_mentions_the_variant(answerer: Answerer) -> None:
    text = answerer.answer("Sujuvat palvelut -valmennuksen prosessin nimeäminen").answer
    assert "Sujuvat palvelut –valmennus, (RRP, P4, I1)" in text
    assert "(RRP, inv.1)" in text  # the summary slide's variant is mentioned, not followed


def test_hyte_national_entity_and_its_contact(answerer: Answerer) -> None:
    text = answerer.answer("Mihin kokonaisuuteen hyte-malli liitetään?").answer
    assert "Hyvinvoinnin ja terveyden edistämisen palvelukonsepti (RRP)" in text and "Reetta Nick" in text


def test_west_finland_manager_is_not_invented(answerer: Answerer, kb: KnowledgeBase) -> None:
    answer = answerer.answer("Kuka on Länsi-Suomen kehittämispäällikkö?")
    text = answer.answer
    # the guide's list has the region with its name left blank: that is the guide's answer, said so
    assert "jätetty tyhjäksi" in text and kb.contacts.support_email in text and answer.confident
    assert not any(r.manager and r.manager in text for r in kb.contacts.regions)


def test_county_mapping_is_said_to_be_an_assumption(answerer: Answerer) -> None:
    text = answerer.answer("Kuka on Pirkanmaan kehittämispäällikkö?").answer
    assert "Unto Raunio" in text and "oletan" in text


def test_answers_end_with_their_source(answerer: Answerer) -> None:
    result = answerer.answer("Kuinka pitkä lyhyt kuvaus saa olla?")
    assert result.sources[0].dia == 17 and result.sources[0].title == "Toimintamallin lyhyt kuvaus"
    assert "Lähde: ohje, dia 17" in result.answer.splitlines()[-1]


# -- declining ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "Mikä on lempivärisi?",
        "Miten vaihdan Slack-salasanani?",
        "Kela-korvaus lääkkeistä",
        "qwxz vbnm",
        "Millainen sää on huomenna?",
    ],
)
def test_out_of_scope_is_declined_with_suggestions_and_support(answerer: Answerer, question: str) -> None:
    result = answerer.answer(question)
    assert result.confident is False and result.topic is None
    assert 1 <= len(result.suggestions) <= 3
    assert "toimitus@innokyla.fi" in result.answer


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \t ",
        "x" * 100_000,
        "😀🙈🚀",
        "\x00\x01\x02\x1b[31m",
        "<!channel> <!everyone> <@U123>",
        "nimi " * 20_000,
        "𝕿𝖔𝖎𝖒𝖎𝖓𝖙𝖆𝖒𝖆𝖑𝖑𝖎",
    ],
)
def test_bad_input_gets_a_clear_answer_and_is_never_echoed(answerer: Answerer, question: str) -> None:
    result = answerer.answer(question)
    assert result.answer.strip()
    assert (
        "<!channel>" not in result.answer and "<@U123>" not in result.answer and "\x1b" not in result.answer
    )
    if len(question) > 1000:
        assert question[:200] not in result.answer


def test_facts_the_guide_does_not_give_are_declined_with_the_support_address(answerer: Answerer) -> None:
    for question in (
        "Unohdin Innokylän salasanan",
        "Paljonko RRP-rahoitusta alueemme sai?",
        "Miten haen ESR-rahoitusta?",
    ):
        result = answerer.answer(question)
        assert result.confident is False, question
        assert "toimitus@innokyla.fi" in result.answer


def test_in_scope_questions_sharing_words_with_declined_topics_are_answered(answerer: Answerer) -> None:
    assert "250" in answerer.answer("Paljonko merkkejä lyhyt kuvaus saa olla?").answer
    assert answerer.answer("Miten asukkaat kutsutaan mukaan kehittämiseen?").topic == "kehittajajoukko"


def test_question_with_markup_is_still_understood(answerer: Answerer) -> None:
    result = answerer.answer("<@U0BOT> <!here> Miten nimeän I3-mallin?")
    assert result.confident and "(RRP, P4, I3)" in result.answer and "<!here>" not in result.answer


# -- the project's own question set ---------------------------------------------------------------
def _judge(case: dict, reply: dict) -> bool:
    return passes(case, reply["answer"], bool(reply["confident"]))


@pytest.mark.parametrize("name", ["questions.jsonl", "questions_holdout.jsonl"])
def test_project_question_sets_meet_the_floor(answerer: Answerer, name: str) -> None:
    path = TEST_DATA / name
    if not path.exists():
        pytest.skip(f"{name} is not in this checkout")
    floor = json.loads((TEST_DATA / "floors.json").read_text())["project_questions"]
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    failed = [c["id"] for c in cases if not _judge(c, answerer.answer(c["q"]).as_json())]
    assert 1 - len(failed) / len(cases) >= floor, failed


def test_two_counties_get_both_managers(answerer: Answerer) -> None:
    answer = answerer.answer(
        "Teemme mallia Eksoten ja Pirkanmaan kanssa, keitä ovat alueiden kehittämispäälliköt?"
    )
    assert answer.confident and "Hanna Hukari" in answer.answer and "Unto Raunio" in answer.answer
    assert "Etelä-Karjala" in answer.answer and "Pirkanmaa" in answer.answer
    west = answerer.answer("Pirkanmaan ja Satakunnan kehittämispäälliköt?")
    assert "Unto Raunio" in west.answer and "jätetty tyhjäksi" in west.answer and west.confident
