"""The `muistutus` and `määräajat` commands as a DM user meets them (through the router)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dialogs import reminders
from dialogs.context import Context
from dialogs.replies import Reply
from dialogs.router import respond
from dialogs.schedule import reminder_state

HKI = ZoneInfo("Europe/Helsinki")
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=HKI)


def say(ctx: Context, state: dict[str, Any], text: str, now: dt.datetime = NOW) -> tuple[dict[str, Any], str]:
    new_state, replies = respond(state, text, now, ctx)
    return new_state, "\n".join(r.text for r in replies)


def part(state: dict[str, Any]) -> dict[str, Any]:
    return reminder_state(state)


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("P4I2", "P4I2"),
        ("I2", "P4I2"),
        ("investointi 2", "P4I2"),
        ("P4 I2", "P4I2"),
        ("inv. 2", "P4I2"),
        ("pilari 3", "P3"),
        ("IPS", "P3"),
        ("työkykyohjelma", "P3"),
        ("I1", "P4I1"),
        ("investointi 4", "P4I4"),
    ],
)
def test_subscribe_by_investment_stores_the_code(ctx: Context, words: str, code: str) -> None:
    state, text = say(ctx, {}, f"muistutus {words}")
    assert list(part(state)["investments"]) == [code]
    created = dt.datetime.fromisoformat(part(state)["investments"][code]["created_at"])
    assert created == NOW
    assert "Tilasit muistutukset" in text


def test_subscription_reply_names_past_deadline_and_what_still_applies(ctx: Context) -> None:
    _state, replies = respond({}, "muistutus P4I2", NOW, ctx)
    text = replies[0].text
    assert "31.12.2024" in text and "mennyt" in text
    assert "30.6.2022" in text  # phase 1 concerns every investment
    assert "31.12.2025" not in text
    assert "päivittää myös valmiiksi merkitsemisen jälkeen" in text
    assert "vähintään 2 ylläpitäjää" in text and "vakituista" in text
    assert {s.dia for s in replies[0].sources} >= {9, 41, 46}


def test_future_deadline_reply_tells_the_first_reminder(ctx: Context) -> None:
    early = dt.datetime(2025, 11, 20, 12, 0, tzinfo=HKI)
    _, text = say(ctx, {}, "muistutus I3", now=early)
    assert "31.12.2025" in text
    assert "Muistutan 30, 14, 7 ja 1 päivää ennen" in text
    assert "ensimmäinen muistutus 1.12.2025 klo 9.00" in text
    assert "31.12.2024" not in text


def test_subscribing_twice_keeps_the_first_time(ctx: Context) -> None:
    state, _ = say(ctx, {}, "muistutus I2")
    later = NOW + dt.timedelta(days=1)
    again, text = say(ctx, state, "muistutus investointi 2", now=later)
    assert "Olit jo tilannut" in text
    assert part(again)["investments"] == part(state)["investments"]


def test_subscribe_all(ctx: Context) -> None:
    state, _ = say(ctx, {}, "muistutus kaikki")
    assert sorted(part(state)["investments"]) == ["P3", "P4I1", "P4I2", "P4I3", "P4I4"]


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("15.12.2026", "2026-12-15", "15.12.2026"),
        ("1.3.2027", "2027-03-01", "1.3.2027"),
        ("01.03.2027", "2027-03-01", "1.3.2027"),
        ("2027-03-01", "2027-03-01", "1.3.2027"),
        ("28.11.2026", "2026-11-28", "28.11.2026"),  # today is allowed
        ("15.12.", "2026-12-15", "15.12.2026"),  # no year: the next such day
        ("1.3.", "2027-03-01", "1.3.2027"),
    ],
)
def test_personal_deadline_date_formats(ctx: Context, typed: str, stored: str, shown: str) -> None:
    state, text = say(ctx, {}, f"muistutus {typed} Valmis-tila")
    (item,) = part(state)["personal"]
    assert item["date"] == stored
    assert item["text"] == "Valmis-tila"
    assert item["id"] == "oma-1"
    assert f"{shown} Valmis-tila" in text
    assert "01." not in text.split("Lisäsin")[1].split(".", 1)[0]


def test_personal_deadline_reply_tells_reminder_times(ctx: Context) -> None:
    _, text = say(ctx, {}, "muistutus 13.12.2026 Valmis-tila")
    assert "14, 7 ja 1 päivää ennen" in text
    assert "ensimmäinen muistutus 29.11.2026 klo 9.00" in text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31.2.2027", "ei ole olemassa"),
        ("2027-13-01", "ei ole olemassa"),
        ("1.1.2026", "on jo mennyt"),
        ("27.11.2026", "on jo mennyt"),
        ("15.12.26", "En tunnista päivämäärää"),
        ("1.1.2099", "yli 10 vuoden"),
    ],
)
def test_bad_personal_dates_are_refused(ctx: Context, typed: str, expected: str) -> None:
    state, replies = respond({}, f"muistutus {typed} Valmis-tila", NOW, ctx)
    assert expected in replies[0].text
    assert replies[0].kind == "error"
    assert part(state)["personal"] == []


def test_empty_description_gets_a_default(ctx: Context) -> None:
    state, text = say(ctx, {}, "muistutus 15.12.2026")
    assert part(state)["personal"][0]["text"] == reminders.DEFAULT_DESCRIPTION
    assert "15.12.2026 Oma määräaika" in text


def test_same_personal_deadline_twice_is_not_duplicated(ctx: Context) -> None:
    state, _ = say(ctx, {}, "muistutus 15.12.2026 Valmis-tila")
    state, text = say(ctx, state, "muistutus 15.12.2026 valmis-tila")
    assert len(part(state)["personal"]) == 1
    assert "on jo muistutuslistallasi" in text


def test_personal_ids_are_never_reused(ctx: Context) -> None:
    state, _ = say(ctx, {}, "muistutus 15.12.2026 A")
    state, _ = say(ctx, state, "muistutus pois A")
    state, _ = say(ctx, state, "muistutus 15.12.2026 B")
    assert [p["id"] for p in part(state)["personal"]] == ["oma-2"]


def test_listing_shows_subscriptions_and_next_reminders(ctx: Context) -> None:
    state, _ = say(ctx, {}, "muistutus I2")
    state, _ = say(ctx, state, "muistutus 13.12.2026 Valmis-tila")
    state, _ = say(ctx, state, "muistutus 2027-01-20 Raportti")
    _, text = say(ctx, state, "muistutus")
    assert "Pilari 4, investointi 2" in text and "31.12.2024 (mennyt)" in text
    assert "1. oma: 13.12.2026 Valmis-tila" in text
    assert "2. oma: 20.1.2027 Raportti" in text
    assert "29.11.2026 klo 9.00" in text
    assert "muistutus pois" in text


def test_empty_listing_explains_how_to_subscribe(ctx: Context) -> None:
    _, text = say(ctx, {}, "muistutus")
    assert "ei ole muistutuksia" in text and "muistutus I2" in text


def _three(ctx: Context) -> dict[str, Any]:
    state, _ = say(ctx, {}, "muistutus I2")
    state, _ = say(ctx, state, "muistutus 13.12.2026 Valmis-tila")
    state, _ = say(ctx, state, "muistutus 2027-01-20 Raportti")
    return state


def test_unsubscribe_investment(ctx: Context) -> None:
    state, text = say(ctx, _three(ctx), "muistutus pois P4 I2")
    assert part(state)["investments"] == {}
    assert len(part(state)["personal"]) == 2
    assert "Lopetin muistutukset: Pilari 4, investointi 2" in text


def test_unsubscribe_personal_by_number_date_and_description(ctx: Context) -> None:
    state, text = say(ctx, _three(ctx), "muistutus pois 2")
    assert [p["text"] for p in part(state)["personal"]] == ["Valmis-tila"]
    assert "Poistin oman määräajan: 20.1.2027 Raportti" in text
    state, text = say(ctx, _three(ctx), "muistutus pois 13.12.")
    assert [p["text"] for p in part(state)["personal"]] == ["Raportti"]
    state, text = say(ctx, _three(ctx), "muistutus pois valmis")
    assert [p["text"] for p in part(state)["personal"]] == ["Raportti"]
    assert "13.12.2026 Valmis-tila" in text


def test_unsubscribe_everything(ctx: Context) -> None:
    state, text = say(ctx, _three(ctx), "muistutus pois")
    assert part(state)["investments"] == {} and part(state)["personal"] == []
    assert "Poistin kaikki muistutuksesi" in text
    assert (
        "Pilari 4, investointi 2" in text
        and "13.12.2026 Valmis-tila" in text
        and "20.1.2027 Raportti" in text
    )
    _, text = say(ctx, state, "muistutus pois kaikki")
    assert "ei ollut muistutuksia" in text


def test_unsubscribe_unknown_or_ambiguous(ctx: Context) -> None:
    state = _three(ctx)
    same, text = say(ctx, state, "muistutus pois kokous")
    assert same == state and "En löytänyt muistutusta" in text
    same, text = say(ctx, state, "muistutus pois 7")
    assert same == state and "numeroa 7 ei ole" in text
    same, text = say(ctx, state, "muistutus pois I4")
    assert same == state and "ei ole muistutuksia investoinnista" in text
    state, _ = say(ctx, state, "muistutus 1.2.2027 Raportti 2")
    same, text = say(ctx, state, "muistutus pois raport")
    assert same == state and "Useampi oma määräaika" in text


def test_unsubscribed_deadline_is_not_reminded(ctx: Context) -> None:
    from dialogs.schedule import due_reminders, reminder_time

    state, _ = say(ctx, {}, "muistutus 13.12.2026 Valmis-tila")
    state, _ = say(ctx, state, "muistutus pois 1")
    at = reminder_time(dt.date(2026, 12, 13), 14, HKI)
    assert due_reminders([("T1:U1", state)], ctx.kb.deadlines, at, HKI) == []


def test_unknown_argument_gives_help(ctx: Context) -> None:
    state, replies = respond({}, "muistutus huomenna jotain", NOW, ctx)
    assert replies[0].kind == "error"
    assert "En tunnistanut" in replies[0].text and "muistutus 15.12.2026 Valmis-tila" in replies[0].text
    assert part(state) == part({})
    _, text = say(ctx, {}, "muistutus ohje")
    assert "muistutus pois" in text


def test_command_does_not_modify_the_given_state(ctx: Context) -> None:
    state = _three(ctx)
    before = copy.deepcopy(state)
    reminders.command(state, "pois", NOW, ctx)
    reminders.command(state, "I4", NOW, ctx)
    reminders.command(state, "1.1.2027 X", NOW, ctx)
    assert state == before


def test_other_state_is_kept(ctx: Context) -> None:
    state, _ = say(ctx, {"muu": {"x": 1}}, "muistutus I2")
    assert state["muu"] == {"x": 1}


def test_deadlines_reply_lists_all_deadlines_and_phases(ctx: Context) -> None:
    replies: list[Reply] = reminders.deadlines_reply(NOW, ctx)
    text = replies[0].text
    for date in ("30.6.2022", "31.12.2024", "31.12.2025"):
        assert date in text
    assert text.count("– määräaika on mennyt") == 3
    assert "Vaihe 1" in text and "Vaihe 2" in text and "Vaihe 3" in text
    assert {8, 9} <= {s.dia for s in replies[0].sources}
    assert "diat 8 ja 9" in text
    early = reminders.deadlines_reply(dt.datetime(2025, 6, 1, tzinfo=HKI), ctx)[0].text
    assert early.count("– määräaika on mennyt") == 2


def test_deadlines_reply_through_router(ctx: Context) -> None:
    _, text = say(ctx, {}, "määräajat")
    assert "31.12.2025" in text


def test_subscriptions_summary(ctx: Context) -> None:
    empty = reminders.subscriptions_summary({}, NOW, ctx)
    assert "ei ole muistutuksia" in empty
    summary = reminders.subscriptions_summary(_three(ctx), NOW, ctx)
    assert "Pilari 4, investointi 2" in summary
    assert "13.12.2026 Valmis-tila" in summary
    assert "Seuraava muistutus 29.11.2026 klo 9.00" in summary
    assert "\n" not in summary


def test_parse_date() -> None:
    assert reminders.parse_date("5.1.2027") == dt.date(2027, 1, 5)
    assert reminders.parse_date("I2") is None
    with pytest.raises(reminders.DateError):
        reminders.parse_date("29.2.2027")
    assert reminders.parse_date("29.2.2028") == dt.date(2028, 2, 29)
    with pytest.raises(reminders.DateError, match="vuonna 2027"):
        reminders.parse_date("29.2.", dt.date(2026, 11, 28))
    with pytest.raises(reminders.DateError):
        reminders.parse_date("15.12.")  # without today, a year is needed
    with pytest.raises(reminders.DateError):
        reminders.parse_date("31.4.", dt.date(2026, 11, 28))


def test_description_is_one_line_and_bounded(ctx: Context) -> None:
    state, _ = say(ctx, {}, "muistutus 15.12.2026 Valmis-tila\n  ja   julkaisu " + "x" * 500)
    text = part(state)["personal"][0]["text"]
    assert text.startswith("Valmis-tila ja julkaisu x")
    assert len(text) == reminders.MAX_DESCRIPTION
