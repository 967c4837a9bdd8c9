"""The check dialog driven the way people answer (six personas): the exported perustiedot, field by field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from dialogs import perustiedot, reading
from dialogs.context import Context
from dialogs.router import respond
from dialogs.validator import report_text, validate
from knowledge.rules import default_rules
from tests.personas import EMAILS, NEW_SESSION, PERSONAS, Persona, mismatches
from tests.scripts.test_dialog_texts import INTERNAL

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def drive(ctx: Context, script: list[str], state: dict[str, Any] | None = None, session: str = "s1") -> Any:
    state = state or {}
    shown: list[str] = []
    for i, text in enumerate(script):
        state, replies = respond(state, text, NOW + dt.timedelta(minutes=i), ctx, session=session)
        text = "\n".join(r.text for r in replies)
        prose = re.sub(r"\{.*\}", "", text, flags=re.S)  # the perustiedot JSON keeps its field names
        assert not INTERNAL.search(prose.replace("*", "")), (script[i], text)
        shown.append(text)
    return state, shown


def exported(state: dict[str, Any]) -> dict[str, Any]:
    return state["perustiedot"]["last"]


def test_a_misspelt_county_is_offered_and_kylla_takes_it(ctx: Context) -> None:
    hurried = next(p for p in PERSONAS if p.id == "hurried")
    _, shown = drive(ctx, list(hurried.script[:4]))
    assert "Tarkoititko Pirkanmaan hyvinvointialue" in shown[2] and "kehittämisprosessin nimi" in shown[3]


def test_ok_enter_and_skip_keep_a_value_and_command_words_are_not_data(ctx: Context) -> None:
    start = ["check", "I3", "Keski-Suomi", "Kotikuntoutus", "ok", "valmis",
             "Kotikuntoutus tukee kotona asumista.",
             "Jyväskylä", "kylla", "Kotona asuvat ikäihmiset"]  # fmt: skip
    state, shown = drive(ctx, start)
    answers = state["dialog"]["answers"]
    assert answers["lyhyt_kuvaus"] == "Kotikuntoutus tukee kotona asumista."  # "valmis" was not stored
    assert "«valmis» ei käy" in shown[5] and "«kylla» ei käy" in shown[8]
    assert answers["kohderyhma"] == "Kotona asuvat ikäihmiset"
    state, shown = drive(ctx, ["muokkaa toteutuspaikka", "ok"], state)
    assert state["dialog"]["answers"]["toteutuspaikka"] == "Jyväskylä"
    state, shown = drive(ctx, ["muokkaa toteutuspaikka", ""], state)
    assert state["dialog"]["answers"]["toteutuspaikka"] == "Jyväskylä"
    state, shown = drive(ctx, ["muokkaa toteutuspaikka", "ohita"], state)
    assert state["dialog"]["answers"]["toteutuspaikka"] == "Jyväskylä"
    state, shown = drive(ctx, ["muokkaa toteutuspaikka", "Jyväskylä ja Äänekoski"], state)
    assert "Jyväskylä → Jyväskylä ja Äänekoski" in shown[-1]


def test_changing_the_mind_keeps_every_other_field(ctx: Context) -> None:
    state, _ = drive(ctx, ["check", "I1", "ei", "Kainuu", "Kotiutus", "ok", "Kotiutus sujuu.", "Kajaani"])
    before = dict(state["dialog"]["answers"])
    state, shown = drive(ctx, ["takaisin", "takaisin", "muokkaa nimi", "Kotiutumisen tuki"], state)
    answers = state["dialog"]["answers"]
    assert (
        answers["nimi"] == "Kotiutumisen tuki, Kainuun HVA (RRP, P4, I1)"
        and answers["prosessi"] == "Kotiutumisen tuki"
    )
    assert "→ Kotiutumisen tuki, Kainuun HVA (RRP, P4, I1)" in shown[-1]
    for name in ("investoinnit", "hyvinvointialue", "lyhyt_kuvaus", "toteutuspaikka"):
        assert answers[name] == before[name]


def test_valmennus_name_keeps_the_guides_en_dash(ctx: Context) -> None:
    name = "Kotiutumisen asiakasprosessi, Kainuun HVA, Sujuvat palvelut –valmennus, (RRP, P4, I1)"
    state, _ = drive(ctx, ["check", "I1", "kyllä", "Kainuu", "Kotiutumisen asiakasprosessi", name])
    assert state["dialog"]["answers"]["nimi"] == name


def test_resume_in_a_new_session_takes_no_answer_before_the_choice(ctx: Context) -> None:
    state, shown = drive(ctx, ["check", "I2", "Eloisa", "lopeta"])
    assert "tallessa" in shown[-1]
    state, shown = drive(ctx, ["Hyvinvointilähete"], state, session="s2")
    assert "kesken oleva tarkistus" in shown[-1] and state["dialog"]["step"] == "prosessi"
    assert "prosessi" not in state["dialog"]["answers"]
    state, shown = drive(ctx, ["1", "Hyvinvointilähete"], state, session="s2")
    assert state["dialog"]["answers"]["prosessi"] == "Hyvinvointilähete"


def test_the_saved_summary_can_be_shown_again(ctx: Context) -> None:
    state, _ = drive(ctx, ["check", "P3", "Lappi", "IPS", "ok", "IPS tukee työllistymistä.", "Rovaniemi",
                           "Työikäiset", "ok", "ok", "ok", "ok", EMAILS, "valmis"])  # fmt: skip
    for command in ("yhteenveto", "check näytä"):
        _, shown = drive(ctx, [command], state)
        assert "IPS, Lapin HVA (RRP, P3)" in shown[-1] and "maija.meikalainen@example.fi" in shown[-1]


@pytest.mark.parametrize("word", sorted(reading.reserved(default_rules().dialog)))
def test_no_command_word_in_any_spelling_is_stored(ctx: Context, word: str) -> None:
    """Every dialog word, also without ä/ö and capitalised, at every free-text and list step."""
    for spelling in {word, word.capitalize(), word.upper()}:
        state, _ = drive(ctx, ["check", "I4", "Pohjois-Savo", "Chat", "ok"])
        for _ in range(8):
            step = state.get("dialog", {}).get("step")
            if step not in perustiedot.STEP_BY_NAME:
                break
            state, _ = drive(ctx, [spelling], state)
            answers = state.get("dialog", {}).get("answers", {})
            for name in ("lyhyt_kuvaus", "toteutuspaikka", "kohderyhma"):
                assert reading.plain(str(answers.get(name, ""))) != reading.plain(spelling), (spelling, name)
            for name in ("kokonaisuudet", "rahoittajat", "aihealueet", "ilmiot", "yllapitajat"):
                assert reading.plain(spelling) not in {reading.plain(v) for v in answers.get(name, [])}
            if "dialog" not in state:
                break


def test_a_right_name_gets_no_other_suggestion_and_a_wrong_one_does(ctx: Context) -> None:
    data = {"nimi": "Chat-neuvonta, Pohjois-Savon HVA, (RRP, P4, I4)", "investoinnit": ["P4I4"],
            "hyvinvointialue": "Pohjois-Savon hyvinvointialue"}  # fmt: skip
    right = validate(data, ctx.kb)
    assert not any(f.field == "nimi" and f.severity != "ok" for f in right.findings)
    assert "Ehdotettu nimi" not in report_text(right, ctx.kb)
    wrong = validate({**data, "nimi": "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I3)"}, ctx.kb)
    assert "Ehdotettu nimi: Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)" in report_text(
        wrong, ctx.kb
    ).replace("*", "")


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.id)
def test_each_persona_exports_what_a_careful_reader_of_the_guide_would_write(
    ctx: Context, persona: Persona
) -> None:
    state: dict[str, Any] = {}
    session = 1
    for part in "\n".join(persona.script).split(NEW_SESSION):
        state, _ = drive(ctx, [line for line in part.strip("\n").split("\n")], state, session=f"s{session}")
        session += 1
    assert mismatches(persona, exported(state)) == {}
    assert persona.id != "careful" or persona.turns <= 15
    for value in exported(state).values():  # no word of the dialog's own was stored
        for item in value if isinstance(value, list) else [value]:
            assert not (isinstance(item, str) and reading.is_reserved(item, default_rules().dialog)), item


def test_the_name_help_uses_the_users_own_county_and_investments(ctx: Context) -> None:
    _, shown = drive(ctx, ["check", "I2 ja I4", "Pirkanmaa", "apua", "Digineuvonta", "apua"])
    assert "Kehittämisprosessin nimi, Pirkanmaan HVA (RRP, P4, I2, I4)" in shown[3]
    assert "dia 16, 59, 67" in shown[5] and "Pirkanmaan HVA (RRP, P4, I2, I4)" in shown[5]
    _, shown = drive(ctx, ["check", "I2 ja I4", "Pirkanmaa", "Digineuvonta", "Digineuvonta, Pirkanmaan HVA"])
    assert "esim. Digineuvonta, Pirkanmaan HVA (RRP, P4, I2, I4)" in shown[-1]  # not another county's example
