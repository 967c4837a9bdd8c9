"""Short conversation scripts through the channel-neutral pipeline (tests/script.py): the dialog's
interruptions, follow-ups, the public/private split and reminders, as any channel meets them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.state import Address
from bot.storage.sqlite import SqliteStorage
from dialogs.context import Context
from tests.script import Talk

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def talk(tmp_path: Path, ctx: Context) -> Talk:
    return Talk(
        SqliteStorage(tmp_path / "store.sqlite"),
        ctx,
        Address(channel="teams", user="29:1"),
        clock=lambda: NOW,
    )


def test_back_and_cancel_in_the_check_dialog(talk: Talk) -> None:
    talk.send("check").expect("investointiin", kind="question", step="investoinnit")
    talk.send("I4").expect("hyvinvointialueen", step="hyvinvointialue")
    talk.send("takaisin").expect("investointiin", step="investoinnit")
    talk.send("peruuta").expect("Poistetaanko", "1/12", kind="question")
    talk.send("kyllä").expect("poistettu")
    assert "dialog" not in talk.state()


def test_a_question_in_the_middle_of_the_dialog_is_answered_and_the_step_stays(talk: Talk) -> None:
    talk.send("check")
    talk.send("Mitä tarkoittaa valmis-tila?").expect(step="investoinnit")
    talk.send("I4").expect(step="hyvinvointialue")


def test_a_follow_up_keeps_the_topic_and_changes_the_investment(talk: Talk) -> None:
    talk.send("Mihin kokonaisuuksiin I4:n toimintamalli liitetään?").expect(
        topic="kokonaisuudet", confident=True
    )
    talk.send("entä I2?").expect("investointi 2", topic="kokonaisuudet")


def test_where_others_read_the_dialog_asks_for_a_private_conversation(talk: Talk) -> None:
    channel = talk.elsewhere("19:kanava@thread.v2", private=False)
    channel.send("check").expect(needs_private=True)
    channel.send("muistutus I4").expect(needs_private=False)
    assert "reminders" not in talk.state() and "dialog" not in talk.state()


def test_reminders_subscribe_list_and_stop(talk: Talk) -> None:
    talk.send("muistutus I4").expect("Tilasit muistutukset", "investointi 4")
    talk.send("muistutus").expect("Muistutuksesi", kind="summary")
    talk.send("muistutus pois").expect("Poistin kaikki muistutuksesi")
    assert not talk.state()["reminders"]["investments"]
