"""Every perustiedot rule with passing and failing cases, checked through the validator."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from dialogs.validator import Perustiedot, Report, parse_tag, report_text, resolve_investment, validate
from knowledge.loader import KnowledgeBase
from knowledge.rules import combined_tag, default_rules

VALID_I4: dict[str, Any] = {
    "nimi": "Chat-neuvonta, Pohjois-Savon hyvinvointialue (RRP, P4, I4)",
    "investoinnit": ["P4I4"],
    "valmennus": False,
    "hyvinvointialue": "Pohjois-Savon hyvinvointialue",
    "kokonaisuudet": ["Pohjois-Savon hyvinvointialueen RRP-kokonaisuus"],
    "rahoittajat": ["Muu EU-rahoitus", "Sosiaali- ja terveysministeriö (STM)"],
    "aihealueet": ["RRP", "Digitaaliset palvelut"],
    "ilmiot": ["Kestävä kasvu", "Osallisuus"],
    "lyhyt_kuvaus": "Sote-ammattilainen neuvoo asiakasta chatissa ja ohjaa tarvittaessa oikeaan palveluun.",
    "toteutuspaikka": "Kuopio",
    "kohderyhma": "Aikuiset asiakkaat",
    "yllapitajat": ["maija.meikalainen@example.fi", "matti.virtanen@example.fi"],
}


def check(kb: KnowledgeBase, **changes: Any) -> Report:
    data = copy.deepcopy(VALID_I4)
    data.update(changes)
    return validate(data, kb)


def errors(report: Report) -> list[str]:
    return sorted({f.field for f in report.errors})


def messages(report: Report, field: str, severity: str) -> list[str]:
    return [f.message for f in report.findings if f.field == field and f.severity == severity]


def test_valid_example_has_no_errors_or_warnings(kb: KnowledgeBase) -> None:
    report = check(kb)
    assert report.valid and report.publishable
    assert report.errors == [] and report.warnings == []
    assert {f.field for f in report.findings if f.severity == "ok"} >= {"nimi", "rahoittajat", "aihealueet"}
    assert report.suggested_name == "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)"


def test_every_finding_cites_existing_slides(kb: KnowledgeBase) -> None:
    report = check(
        kb, nimi="x", rahoittajat=[], aihealueet=["A", "B", "C", "D"], ilmiot=[], yllapitajat=["a"]
    )
    assert report.findings
    for finding in report.findings:
        assert finding.sources, finding
        assert all(dia in kb.slides for dia in finding.sources), finding


# -- nimi ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nimi",
    [
        "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)",
        "Chat-neuvonta, Pohjois-Savon HVA, (RRP, P4, I4)",
        "Chat-neuvonta, Pohjois-Savo (RRP, P4, I4)",
        "Chat-neuvonta, Pohjois-Savon HV-alue (RRP, P4, I4)",
    ],
)
def test_name_forms_the_guide_accepts(kb: KnowledgeBase, nimi: str) -> None:
    report = check(kb, nimi=nimi)
    assert errors(report) == [] and messages(report, "nimi", "warning") == []


def test_wrong_tag_is_an_error_with_the_right_tag(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I3)")
    assert errors(report) == ["nimi"] and report.publishable
    assert "(RRP, P4, I4)" in messages(report, "nimi", "error")[0]


def test_missing_tag_is_an_error(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Chat-neuvonta, Pohjois-Savon HVA")
    assert errors(report) == ["nimi"]
    assert "(RRP, P4, I4)" in messages(report, "nimi", "error")[0]


def test_spacing_and_case_variants_of_the_tag_are_warnings(kb: KnowledgeBase) -> None:
    for nimi in (
        "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4,I4)",
        "Chat-neuvonta, Pohjois-Savon HVA (RRP,P4 I4)",
    ):
        report = check(kb, nimi=nimi)
        assert errors(report) == [], nimi
        assert any("(RRP, P4, I4)" in m for m in messages(report, "nimi", "warning")), nimi


def test_several_investments_must_all_be_in_the_tag(kb: KnowledgeBase) -> None:
    both = ["P4I2", "P4I4"]
    base = {
        "investoinnit": both,
        "kokonaisuudet": VALID_I4["kokonaisuudet"]
        + ["Hyvinvoinnin ja terveyden edistämisen palvelukonsepti (RRP)"],
        "aihealueet": ["RRP", "Digitaaliset palvelut", "Hyvinvoinnin ja terveyden edistäminen"],
    }
    for nimi in ("Chat, Pohjois-Savon HVA (RRP, P4, I2, I4)", "Chat, Pohjois-Savon HVA (RRP, P4, I2 ja I4)"):
        report = check(kb, nimi=nimi, **base)
        assert errors(report) == [] and messages(report, "nimi", "warning") == [], nimi
    report = check(kb, nimi="Chat, Pohjois-Savon HVA (RRP, P4, I4)", **base)
    assert errors(report) == ["nimi"]
    assert "I2" in messages(report, "nimi", "error")[0]
    assert report.suggested_name == "Chat, Pohjois-Savon HVA (RRP, P4, I2, I4)"


def test_tag_naming_an_unknown_investment_is_an_error(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I11)", investoinnit=["P4I1"])
    assert "nimi" in errors(report)


def test_name_needs_a_county_matching_the_field(kb: KnowledgeBase) -> None:
    assert errors(check(kb, nimi="Chat-neuvonta (RRP, P4, I4)")) == ["nimi"]
    mismatch = check(kb, nimi="Chat-neuvonta, Pirha (RRP, P4, I4)")
    assert errors(mismatch) == ["nimi"]
    assert "Pohjois-Savon HVA" in messages(mismatch, "nimi", "error")[0]


@pytest.mark.parametrize(
    ("nimi", "county"),
    [
        ("Chat-neuvonta, Siun sote (RRP, P4, I4)", "Pohjois-Karjalan hyvinvointialue"),
        ("Chat-neuvonta, Pirha (RRP, P4, I4)", "Pirkanmaa"),
        ("Chat-neuvonta, Eksote (RRP, P4, I4)", "Etelä-Karjala"),
        ("Chat-neuvonta, Varsinais-Suomen HVA (RRP, P4, I4)", "Varha"),
        (
            "Chat-neuvonta, Vantaan ja Keravan hyvinvointialue (RRP, P4, I4)",
            "Vantaan ja Keravan hyvinvointialue",
        ),
    ],
)
def test_county_written_in_any_common_form(kb: KnowledgeBase, nimi: str, county: str) -> None:
    report = check(kb, nimi=nimi, hyvinvointialue=county, kokonaisuudet=[f"{county} RRP-kokonaisuus"])
    assert errors(report) == [] and messages(report, "nimi", "warning") == []
    assert report.suggested_name and report.suggested_name.startswith("Chat-neuvonta, ")
    assert "," not in report.suggested_name.removeprefix("Chat-neuvonta, ").split("(")[0]


def test_county_inside_the_process_name_is_not_the_county_part(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Pohjois-Savon kotihoidon chat (RRP, P4, I4)")
    assert errors(report) == ["nimi"] and "hyvinvointialue" in report.errors[0].message
    assert report.suggested_name == "Pohjois-Savon kotihoidon chat, Pohjois-Savon HVA (RRP, P4, I4)"
    brand = check(
        kb,
        nimi="Chat, Pohjois-Karjalan hyvinvointialue Siun sote (RRP, P4, I4)",
        hyvinvointialue="Pohjois-Karjalan hyvinvointialue",
        kokonaisuudet=["Siun soten RRP-kokonaisuus"],
    )
    assert errors(brand) == [] and messages(brand, "nimi", "warning") == []


def test_name_needs_a_process_name(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Pohjois-Savon HVA (RRP, P4, I4)")
    assert errors(report) == ["nimi"] and report.suggested_name is None


def test_comma_between_process_and_county_is_a_warning(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Chat-neuvonta Pohjois-Savon HVA (RRP, P4, I4)")
    assert errors(report) == [] and messages(report, "nimi", "warning")


VALMENNUS: dict[str, Any] = {
    "investoinnit": ["P4I1"],
    "valmennus": True,
    "kokonaisuudet": [
        "Pohjois-Savon hyvinvointialueen RRP-kokonaisuus",
        "Sujuvat palvelut –valmennus (RRP, P4, I1)",
    ],
    "aihealueet": ["RRP", "Prosessien kehittäminen"],
}


def test_valmennus_name_and_kokonaisuus(kb: KnowledgeBase) -> None:
    good = check(
        kb, nimi="Kotiutuminen, Pohjois-Savon HVA, Sujuvat palvelut –valmennus, (RRP, P4, I1)", **VALMENNUS
    )
    assert errors(good) == [] and good.warnings == []
    assert (
        good.suggested_name == "Kotiutuminen, Pohjois-Savon HVA, Sujuvat palvelut –valmennus, (RRP, P4, I1)"
    )
    dash = check(
        kb, nimi="Kotiutuminen, Pohjois-Savon HVA, Sujuvat palvelut -valmennus (RRP, P4, I1)", **VALMENNUS
    )
    assert errors(dash) == [] and messages(dash, "nimi", "warning")
    plain = check(kb, nimi="Kotiutuminen, Pohjois-Savon HVA (RRP, P4, I1)", **VALMENNUS)
    assert errors(plain) == ["nimi"]
    no_national = dict(VALMENNUS, kokonaisuudet=VALMENNUS["kokonaisuudet"][:1])
    report = check(
        kb, nimi="Kotiutuminen, Pohjois-Savon HVA, Sujuvat palvelut –valmennus (RRP, P4, I1)", **no_national
    )
    assert errors(report) == ["kokonaisuudet"]


# -- investoinnit --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "codes"),
    [("P4I2", ["P4I2"]), ("I2", ["P4I2"]), ("P4 I2", ["P4I2"]), ("inv. 2", ["P4I2"]), ("pilari 3", ["P3"])],
)
def test_investment_forms_people_type(typed: str, codes: list[str]) -> None:
    assert resolve_investment(typed) == (codes, None)


def test_unknown_or_ambiguous_investment_is_an_error(kb: KnowledgeBase) -> None:
    assert errors(check(kb, investoinnit=["I7"])) == ["investoinnit"]
    assert errors(check(kb, investoinnit=["pilari 4"])) == ["investoinnit"]


def test_typed_investment_form_is_accepted_with_a_warning(kb: KnowledgeBase) -> None:
    report = check(kb, investoinnit=["I4"])
    assert errors(report) == [] and messages(report, "investoinnit", "warning")


def test_empty_investments_are_inferred_from_the_tag(kb: KnowledgeBase) -> None:
    report = check(kb, investoinnit=[])
    assert errors(report) == [] and messages(report, "investoinnit", "warning")
    untagged = check(kb, investoinnit=[], nimi="Chat-neuvonta, Pohjois-Savon HVA")
    assert "investoinnit" in errors(untagged)


# -- kokonaisuudet ------------------------------------------------------------------------------------


def test_own_rrp_kokonaisuus_is_required(kb: KnowledgeBase) -> None:
    assert errors(check(kb, kokonaisuudet=[])) == ["kokonaisuudet"]
    other = check(kb, kokonaisuudet=["Etelä-Savon hyvinvointialueen RRP-kokonaisuus"])
    assert errors(other) == ["kokonaisuudet"]
    assert "Pohjois-Savon hyvinvointialueen RRP-kokonaisuus" in messages(other, "kokonaisuudet", "error")[0]
    for name in (
        "pohjois-savon hyvinvointialueen rrp kokonaisuus",
        "Pohjois-Savo: Suomen kestävän kasvun ohjelma",
    ):
        assert errors(check(kb, kokonaisuudet=[name])) == [], name


def test_hyte_national_kokonaisuus_for_i2(kb: KnowledgeBase) -> None:
    i2 = {
        "nimi": "Liikuntaneuvonta, Pohjois-Savon HVA (RRP, P4, I2)",
        "investoinnit": ["P4I2"],
        "aihealueet": ["RRP", "Hyvinvoinnin ja terveyden edistäminen"],
    }
    missing = check(kb, **i2)
    assert errors(missing) == ["kokonaisuudet"]
    assert "Reetta Nick" in messages(missing, "kokonaisuudet", "error")[0]
    tolerant = [
        "Pohjois-Savon hyvinvointialueen RRP-kokonaisuus",
        "hyvinvoinnin ja terveyden edistämisen palvelukonsepti",
    ]
    assert errors(check(kb, kokonaisuudet=tolerant, **i2)) == []
    alias = ["Pohjois-Savon hyvinvointialueen RRP-kokonaisuus", "HYTE-palvelukonsepti (RRP)"]
    assert errors(check(kb, kokonaisuudet=alias, **i2)) == []


# -- rahoittajat, aihealueet, ilmiöt -------------------------------------------------------------------


def test_funders(kb: KnowledgeBase) -> None:
    assert errors(check(kb, rahoittajat=["Muu EU-rahoitus", "STM"])) == []
    assert errors(check(kb, rahoittajat=["Muu EU-rahoitus", "STM", "Kunta"])) == []
    missing = check(kb, rahoittajat=["Sosiaali- ja terveysministeriö (STM)"])
    assert errors(missing) == ["rahoittajat"] and "Muu EU-rahoitus" in missing.errors[0].message
    assert errors(check(kb, rahoittajat=["Muu EU-rahoitus"])) == ["rahoittajat"]


def test_topics(kb: KnowledgeBase) -> None:
    assert errors(check(kb, aihealueet=["RRP", "Digitaaliset palvelut", "A", "B", "C"])) == []
    over = check(kb, aihealueet=["RRP", "Digitaaliset palvelut", "A", "B", "C", "D"])
    assert errors(over) == ["aihealueet"] and "enintään 3" in over.errors[0].message
    assert errors(check(kb, aihealueet=["RRP", "Asiakasohjaus"])) == ["aihealueet"]
    assert errors(check(kb, aihealueet=["Digitaaliset palvelut"])) == ["aihealueet"]
    p3 = check(
        kb, nimi="Työkykykoordinaattori, Pohjois-Savon HVA (RRP, P3)", investoinnit=["P3"], aihealueet=["RRP"]
    )
    assert errors(p3) == ["aihealueet"] and "Työkyky" in p3.errors[0].message


def test_phenomena(kb: KnowledgeBase) -> None:
    assert errors(check(kb, ilmiot=[])) == ["ilmiot"]
    assert errors(check(kb, ilmiot=["Osallisuus"])) == ["ilmiot"]
    only = check(kb, ilmiot=["kestävä kasvu"])
    assert errors(only) == [] and messages(only, "ilmiot", "warning")


# -- lyhyt kuvaus ---------------------------------------------------------------------------------------


def test_short_description_length(kb: KnowledgeBase) -> None:
    assert errors(check(kb, lyhyt_kuvaus="a" * 250)) == []
    too_long = check(kb, lyhyt_kuvaus="a" * 251)
    assert errors(too_long) == ["lyhyt_kuvaus"] and "251" in too_long.errors[0].message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Palvelua tullaan kehittämään yhdessä asukkaiden kanssa.", "kehitetään"),
        ("Hankkeen aikana hahmotettiin asiakkaiden polku.", "Malli hahmottaa"),
        ("Tässä hankkeessa kehitettiin chat.", "hankkee"),
        ("Asiakkaita ohjataan ja heitä neuvotaan, ja palvelut kootaan yhteen.", "passiivi"),
    ],
)
def test_writing_tips_are_warnings(kb: KnowledgeBase, text: str, needle: str) -> None:
    report = check(kb, lyhyt_kuvaus=text)
    assert errors(report) == []
    assert any(needle in m for m in messages(report, "lyhyt_kuvaus", "warning")), messages(
        report, "lyhyt_kuvaus", "warning"
    )


# -- ylläpitäjät and publication fields -------------------------------------------------------------------


def test_administrators(kb: KnowledgeBase) -> None:
    assert errors(check(kb, yllapitajat=["maija@example.fi"])) == ["yllapitajat"]
    assert errors(check(kb, yllapitajat=["maija@example.fi", "MAIJA@example.fi"])) == ["yllapitajat"]
    names = check(kb, yllapitajat=["Maija Meikäläinen", "matti@example.fi"])
    assert errors(names) == [] and messages(names, "yllapitajat", "warning")


@pytest.mark.parametrize(
    "field", ["nimi", "aihealueet", "toteutuspaikka", "hyvinvointialue", "kohderyhma", "rahoittajat"]
)
def test_empty_publication_field_is_an_error_and_unpublishable(kb: KnowledgeBase, field: str) -> None:
    empty: Any = [] if isinstance(VALID_I4[field], list) else "  "
    report = check(kb, **{field: empty})
    assert not report.publishable and not report.valid
    assert field in errors(report)
    assert field in report.missing


def test_unpublishable_case_flags_exactly_the_empty_fields(kb: KnowledgeBase) -> None:
    report = check(kb, rahoittajat=[], aihealueet=[])
    assert errors(report) == ["aihealueet", "rahoittajat"] and not report.publishable


def test_unknown_county_field_is_an_error(kb: KnowledgeBase) -> None:
    assert "hyvinvointialue" in errors(check(kb, hyvinvointialue="Atlantis"))


# -- input model, tags, texts ------------------------------------------------------------------------------


def test_null_fields_are_defaults_and_extra_keys_ignored() -> None:
    model = Perustiedot.model_validate({"nimi": None, "rahoittajat": None, "muu": 1})
    assert model.nimi == "" and model.rahoittajat == []


def test_tags() -> None:
    assert combined_tag(["P4I4", "P4I1"]) == "(RRP, P4, I1, I4)"
    assert combined_tag(["P3"]) == "(RRP, P3)"
    assert parse_tag("RRP, P4, I2 ja I4")[0] == ["P4I2", "P4I4"]
    assert "I11" in parse_tag("RRP, P4, I11")[1]


def test_report_text_lists_errors_before_warnings_and_the_name(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Chat-neuvonta Pohjois-Savon HVA (RRP, P4, I3)", ilmiot=[])
    text = report_text(report, kb)
    assert text.index("Korjattavaa") < text.index("Huomioita")
    assert "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)" in text


def test_rules_data_is_consistent(kb: KnowledgeBase) -> None:
    rules = default_rules()
    for field, slides in rules.sources.items():
        assert all(d in kb.slides for d in slides), field
    for tip in rules.writing_tips:
        assert re.compile(tip.pattern) and all(d in kb.slides for d in tip.sources)
    for step in ("investoinnit", "nimi", "yllapitajat", "summary"):
        assert rules.dialog.steps[step].prompt


def test_tag_without_rrp_is_an_error(kb: KnowledgeBase) -> None:
    report = check(kb, nimi="Chat-neuvonta, Pohjois-Savon HVA (P4, I4)")
    assert errors(report) == ["nimi"] and "(RRP, P4, I4)" in report.errors[0].message


def test_slide_18s_valmennus_tag_is_the_guides_own_form_noted_with_slides_18_and_55(
    kb: KnowledgeBase,
) -> None:
    report = check(
        kb, nimi="Kotiutuminen, Pohjois-Savon HVA, Sujuvat palvelut –valmennus (RRP, inv.1)", **VALMENNUS
    )
    assert errors(report) == [] and not messages(report, "nimi", "warning")
    (note,) = report.notes
    assert note.sources == (18, 55) and "(RRP, P4, I1)" in note.message
    text = report_text(report, kb)
    assert "Hyvä tietää" in text and "Ehdotettu nimi" not in text
    other = check(
        kb, nimi="Kotiutuminen, Pohjois-Savon HVA, Sujuvat palvelut –valmennus (RRP, inv 4)", **VALMENNUS
    )
    assert not other.notes  # only slide 18's own form is noted, not any "inv" spelling


def test_findings_cite_the_chosen_investments_slides(kb: KnowledgeBase) -> None:
    i4 = check(kb, nimi="Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I3)")
    assert 16 in i4.errors[0].sources and 67 in i4.errors[0].sources and 51 not in i4.errors[0].sources
    p3 = check(kb, nimi="Työkyky, Pohjois-Savon HVA (RRP, P3)", investoinnit=["P3"], aihealueet=["RRP"])
    assert 51 in p3.errors[0].sources and 67 not in p3.errors[0].sources


def test_every_message_the_code_uses_is_in_rules_yaml() -> None:
    import dialogs.validator as validator_module

    rules = default_rules()
    package = Path(validator_module.__file__).parent
    source = "\n".join(path.read_text(encoding="utf-8") for path in package.glob("*.py"))
    used = set(re.findall(r'"(?:error|warning|ok)",\s*"([a-z_0-9]+)"', source))
    used |= set(re.findall(r'msg\(\s*"([a-z_0-9]+)"', source))
    used -= {"error", "warning", "ok"}
    assert len(used) > 20
    assert used <= set(rules.messages), used - set(rules.messages)
    commands = {"takaisin", "ohita", "peruuta", "yhteenveto", "apua", "muokkaa", "check"}
    assert commands <= set(rules.dialog.commands)
