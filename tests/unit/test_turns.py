"""The channel-neutral turn pipeline (bot/turns.py) on a real store: compare-and-set with a re-run, the
conversation's own scope, taking a turn back, the address kept for reminders, and housekeeping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import bot.turns as turns_module
from bot.state import Address
from bot.storage import Write
from bot.storage.sqlite import SqliteStorage
from bot.turns import TurnPipeline
from dialogs.context import Context
from dialogs.replies import Reply

USER = Address(channel="slack", team="T1", user="U1")
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStorage:
    return SqliteStorage(tmp_path / "store.sqlite")


def test_a_turn_that_meets_a_newer_state_runs_again_on_it(store: SqliteStorage, ctx: Context) -> None:
    seen: list[dict[str, Any]] = []

    def change(state: dict[str, Any], now: dt.datetime) -> tuple[dict[str, Any], list[Reply]]:
        seen.append(state)
        if len(seen) == 1:  # another process's turn is committed in between
            store.save_user_state("slack", "T1", "U1", {"reminders": {"investments": {"P4I4": {}}}})
        return {**state, "dialog": {"step": "nimi"}}, [Reply(f"vuoro {len(seen)}")]

    turn = TurnPipeline(store, ctx, clock=lambda: NOW).apply(USER, "D1", change)
    assert [bool(s.get("reminders")) for s in seen] == [False, True]  # run again on the fresh state
    assert turn.replies[0].text == "vuoro 2"
    assert store.user_state("slack", "T1", "U1") == {
        "dialog": {"step": "nimi"},
        "reminders": {"investments": {"P4I4": {}}},
    }


def test_question_contexts_live_in_the_conversation_not_in_the_user(
    store: SqliteStorage, ctx: Context
) -> None:
    pipeline = TurnPipeline(store, ctx, clock=lambda: NOW)
    pipeline.run(USER, "Mikä on I4:n kokonaisuus?", "C1:1700000000.000100", private=False)
    follow = pipeline.run(USER, "entä I2?", "C1:1700000000.000100", private=False)
    elsewhere = pipeline.run(USER, "entä I2?", "D1")  # another conversation does not lean on it
    assert follow.replies[0].confident and follow.replies[0].topic == "kokonaisuudet"
    assert elsewhere.replies[0].topic != "kokonaisuudet" or not elsewhere.replies[0].confident
    assert "conversations" not in store.load(USER.key).value
    assert store.load(USER.conversation_key("C1:1700000000.000100")).value["context"]


def test_a_turn_is_taken_back_only_if_nothing_came_after_it(store: SqliteStorage, ctx: Context) -> None:
    pipeline = TurnPipeline(store, ctx, clock=lambda: NOW)
    first = pipeline.run(USER, "check", "D1")
    assert pipeline.take_back(first)
    assert "dialog" not in store.user_state("slack", "T1", "U1")
    pipeline.run(USER, "check", "D1")
    started = pipeline.run(USER, "I4", "D1")
    pipeline.run(USER, "Pohjois-Savo", "D1")  # a later turn
    assert not pipeline.take_back(started)
    assert (
        store.user_state("slack", "T1", "U1")["dialog"]["answers"]["hyvinvointialue"]
        == "Pohjois-Savon hyvinvointialue"
    )


def test_the_address_is_kept_with_a_subscription(store: SqliteStorage, ctx: Context) -> None:
    teams = Address(channel="teams", team="tenant", user="29:1abc", reach={"conversation": {"id": "a:1"}})
    pipeline = TurnPipeline(store, ctx, clock=lambda: NOW)
    pipeline.run(teams, "Mikä on PDSA?", "a:1")
    assert store.load(teams.key).value.get("address") is None  # a question keeps nothing of the user
    pipeline.run(teams, "muistutus I4", "a:1")
    assert store.load(teams.key).value["address"]["reach"] == {"conversation": {"id": "a:1"}}


def test_housekeeping_runs_every_so_many_turns(
    store: SqliteStorage, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns_module, "HOUSEKEEPING_EVERY", 2)
    store.replace(USER.conversation_key("old"), {"v": 2, "context": {"topic": "x"}})
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    pipeline = TurnPipeline(store, ctx, clock=lambda: later)
    pipeline.run(USER, "apua", "D1")
    assert store.load(USER.conversation_key("old")).version == 1
    pipeline.run(USER, "apua", "D1")
    assert store.load(USER.conversation_key("old")).version == 0  # forgotten


def test_a_turn_in_a_channel_keeps_the_personal_chat_reminders_go_to(
    store: SqliteStorage, ctx: Context
) -> None:
    personal = Address(channel="teams", team="tenant", user="29:1abc", reach={"conversation": {"id": "a:1"}})
    in_channel = Address(channel="teams", team="tenant", user="29:1abc")  # no way to reach the user later
    pipeline = TurnPipeline(store, ctx, clock=lambda: NOW)
    pipeline.run(personal, "muistutus I4", "a:1")
    pipeline.run(in_channel, "Mikä on PDSA?", "19:kanava@thread.v2", private=False)
    assert store.load(personal.key).value["address"]["reach"] == {"conversation": {"id": "a:1"}}


def test_taking_back_a_new_record_never_lets_its_version_start_again(
    store: SqliteStorage, ctx: Context
) -> None:
    """A turn elsewhere that read the record before the take-back must not commit over a later turn."""
    pipeline = TurnPipeline(store, ctx, clock=lambda: NOW)
    first = pipeline.run(USER, "check", "D1")
    stale = store.load(USER.key)  # another process reads the new record
    assert pipeline.take_back(first)
    pipeline.run(USER, "muistutus I4", "D1")  # a later turn
    assert not store.commit([Write(USER.key, {"v": 2}, stale.version)])
    assert store.user_state("slack", "T1", "U1")["reminders"]["investments"]
