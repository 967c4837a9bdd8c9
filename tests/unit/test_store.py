"""The SQLite store: JSON round trips per scope key, corrupt or foreign files refused and left alone,
durable saves, and a file of the first release migrated on open."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.state import Address
from bot.storage import StorageError as StoreError
from bot.storage.sqlite import SqliteStorage as Store
from bot.turns import TurnPipeline
from dialogs.context import Context
from tests.paths import TEST_DATA

STATE = {
    "dialog": {"step": "nimi", "answers": {"prosessi": "Chat-neuvonta", "investoinnit": ["P4I4"]}},
    "n": 1.5,
}


def test_round_trip_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store(path) as store:
        assert store.user_state("slack", "T1", "U1") == {}
        store.save_user_state("slack", "T1", "U1", STATE)
        store.save_user_state("slack", "T1", "U2", {"ääkköset": "Pohjois-Savon hyvinvointialue"})
        store.put("feedback", "e1", {"sent": True})
        assert store.get("feedback", "e1") == {"sent": True}
        assert store.get("feedback", "nope", 7) == 7
    with Store(path) as store:
        assert store.user_state("slack", "T1", "U1") == STATE
        assert store.user_state("slack", "T2", "U1") == {}  # another team is another key
        assert {a.key: s.turn_dict() for a, s in store.users()} == {
            "slack:T1:U1": STATE,
            "slack:T1:U2": {"ääkköset": "Pohjois-Savon hyvinvointialue"},
        }
    assert Address(channel="slack", team="", user="U1").key == "slack:-:U1"


def test_values_are_json_not_pickle(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store(path) as store:
        store.save_user_state("slack", "T", "U", STATE)
    conn = sqlite3.connect(path)
    try:
        raw = conn.execute("SELECT value FROM tm_states WHERE key = ?", ("slack:T:U",)).fetchone()[0]
    finally:
        conn.close()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    assert json.loads(text) == {"v": 2, **STATE}


def test_loaded_state_is_a_copy(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.save_user_state("slack", "T", "U", STATE)
        loaded = store.user_state("slack", "T", "U")
        loaded["dialog"]["step"] = "changed"
        assert store.user_state("slack", "T", "U")["dialog"]["step"] == "nimi"


def test_save_is_durable_at_once_for_another_process(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store(path)
    try:
        store.save_user_state("slack", "T", "U", STATE)
        code = (
            "import json, sys; from bot.storage.sqlite import SqliteStorage; "
            "s = SqliteStorage(sys.argv[1]); print(json.dumps(s.user_state('slack', 'T', 'U'))); s.close()"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=30
        )
        assert json.loads(proc.stdout) == STATE, proc.stderr
    finally:
        store.close()


def _assert_refused(path: Path) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        Store(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == before  # never written over


def test_random_bytes_are_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(os.urandom(8192))
    _assert_refused(path)


@pytest.mark.parametrize("keep", [100, 4096, 0.5, -1000])
def test_truncated_sqlite_file_is_refused_and_left_alone(tmp_path: Path, keep: float) -> None:
    path = tmp_path / "state.db"
    with Store(path) as store:
        for i in range(150):
            store.save_user_state("slack", "T", f"U{i}", {"dialog": {"answers": {"lyhyt_kuvaus": "x" * 400}}})
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else (keep if keep > 0 else len(data) + keep)
    path.write_bytes(data[:cut])
    _assert_refused(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_missing_parent_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state.db"
    with Store(path) as store:
        store.save_user_state("slack", "T", "U", {"x": 1})
    assert path.exists()


def test_batch_helpers_write_list_and_delete_in_one_place(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.put_many("outbox", [("a", "1"), ("b", "2"), ("c", "3")])
        store.delete_many("outbox", ["b", "missing"])
        assert sorted(store.items("outbox")) == [("a", "1"), ("c", "3")]
    with Store(tmp_path / "s.sqlite") as reopened:
        assert sorted(reopened.items("outbox")) == [("a", "1"), ("c", "3")]


def test_a_row_that_is_not_json_is_skipped_and_named_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "store.sqlite"
    with Store(path) as store:
        store.save_user_state("slack", "T1", "U1", {"ok": 1})
        store.save_user_state("slack", "T1", "U2", {"ok": 2})
    with sqlite3.connect(path) as conn:  # another program, or a damaged write, leaves a bad row
        conn.execute("UPDATE tm_states SET value = ? WHERE key = ?", ("{not json", "slack:T1:U2"))
    with Store(path) as store:
        assert {a.key: s.turn_dict() for a, s in store.users()} == {"slack:T1:U1": {"ok": 1}}
        assert store.user_state("slack", "T1", "U2") == {}
        store.save_user_state("slack", "T1", "U2", {"fresh": True})  # the user's next turn replaces it
        assert store.user_state("slack", "T1", "U2") == {"fresh": True}
    named = [r.getMessage() for r in caplog.records if "not JSON" in r.getMessage()]
    assert named and str(path) in named[0] and "slack:T1:U2" in named[0]


def test_another_programs_sqlite_file_is_refused_without_adding_tables(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('Maija')")
    before = path.read_bytes()
    with pytest.raises(StoreError) as refused:
        Store(path)
    assert str(path) in str(refused.value) and "customers" in str(refused.value)
    assert path.read_bytes() == before  # not one of our tables was added


def test_a_full_disk_is_a_store_error_naming_the_file_and_keeps_nothing_half_written(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with Store(path) as store:
        store.save_user_state("slack", "T1", "U1", {"n": 1})
        conn = store._conn()  # this thread's connection
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
        with pytest.raises(StoreError) as full:
            store.save_user_state("slack", "T1", "U2", {"big": "x" * 200_000})
        assert str(path) in str(full.value) and "full" in str(full.value)
        assert store.user_state("slack", "T1", "U2") == {} and store.user_state("slack", "T1", "U1") == {
            "n": 1
        }
        conn.execute(f"PRAGMA max_page_count = {pages * 100}")  # room again: the store goes on
        store.save_user_state("slack", "T1", "U2", {"small": True})
        assert store.user_state("slack", "T1", "U2") == {"small": True}


RELEASE1 = TEST_DATA / "store_release1.sqlite"


def test_a_file_of_the_first_release_migrates_and_the_dialog_goes_on(tmp_path: Path, ctx: Context) -> None:
    """tests/data/store_release1.sqlite was saved by the first release: a Slack user half-way through
    the check dialog, subscribed to I4's reminders, with a question context in a channel thread; a
    terminal user's context; a vote; an event id."""
    path = tmp_path / "store.sqlite"
    path.write_bytes(RELEASE1.read_bytes())
    with Store(path) as store:
        slack = Address(channel="slack", team="T0001", user="U0USER1")
        users = {a.key: (a, s) for a, s in store.users()}
        assert set(users) == {"slack:T0001:U0USER1", "terminal:-:maija"}
        address, state = users[slack.key]
        assert address == slack and state.address == slack  # reminders know where to go
        assert state.dialog is not None and state.dialog["step"] == "investoinnit"
        assert state.reminders is not None and "P4I4" in state.reminders["investments"]
        thread = slack.conversation_key("C0CHAN:1700000000.000100")
        assert store.load(thread).value["context"]  # the thread's question context, in its own scope
        assert store.get("feedback", "vote:T0001:U0USER1:C1:1.0")["vote"] == "up"
        turns = TurnPipeline(store, ctx)
        (offer,) = turns.run(slack, "P4I4", "D0DM1").replies  # a month-old draft: offered, not lost
        assert "kesken" in offer.text and "Investoinnit" in offer.text
        turns.run(slack, "kyllä", "D0DM1")
        turns.run(slack, "P4I4", "D0DM1")
        moved = store.user_state("slack", "T0001", "U0USER1")["dialog"]
        assert moved["step"] == "hyvinvointialue" and moved["answers"]["investoinnit"] == ["P4I4"]
        version = store.load(slack.key).version
    with Store(path) as again:  # migrated once: opening again changes nothing
        assert again.load(slack.key).version == version and again.load(thread).version == 1
