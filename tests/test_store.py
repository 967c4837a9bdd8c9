"""The store: JSON round trips per "team:user", corrupt files refused and left alone, durable saves."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store import Store, StoreError, user_key

STATE = {
    "dialog": {"step": "nimi", "answers": {"prosessi": "Chat-neuvonta", "investoinnit": ["P4I4"]}},
    "n": 1.5,
}


def test_round_trip_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store(path) as store:
        assert store.load_user("T1", "U1") == {}
        store.save_user("T1", "U1", STATE)
        store.save_user("T1", "U2", {"ääkköset": "Pohjois-Savon hyvinvointialue"})
        store.put("events", "e1", {"sent": True})
        assert store.get("events", "e1") == {"sent": True}
        assert store.get("events", "nope", 7) == 7
    with Store(path) as store:
        assert store.load_user("T1", "U1") == STATE
        assert store.load_user("T2", "U1") == {}  # another team is another key
        assert dict(store.users()) == {
            "T1:U1": STATE,
            "T1:U2": {"ääkköset": "Pohjois-Savon hyvinvointialue"},
        }
    assert user_key("T1", "U1") == "T1:U1" and user_key("", "U1") == "-:U1"


def test_values_are_json_not_pickle(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store(path) as store:
        store.save_user("T", "U", STATE)
    conn = sqlite3.connect(path)
    try:
        raw = conn.execute('SELECT value FROM "users" WHERE key = ?', ("T:U",)).fetchone()[0]
    finally:
        conn.close()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    assert json.loads(text) == STATE


def test_loaded_state_is_a_copy(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.save_user("T", "U", STATE)
        loaded = store.load_user("T", "U")
        loaded["dialog"]["step"] = "changed"
        assert store.load_user("T", "U")["dialog"]["step"] == "nimi"


def test_save_is_durable_at_once_for_another_process(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store(path)
    try:
        store.save_user("T", "U", STATE)
        code = (
            "import json, sys; from bot.store import Store; "
            "s = Store(sys.argv[1]); print(json.dumps(s.load_user('T', 'U'))); s.close()"
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
            store.save_user("T", f"U{i}", {"dialog": {"answers": {"lyhyt_kuvaus": "x" * 400}}})
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
        store.save_user("T", "U", {"x": 1})
    assert path.exists()


def test_batch_helpers_write_list_and_delete_in_one_place(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.put_many("events", [("a", "1"), ("b", "2"), ("c", "3")])
        store.delete_many("events", ["b", "missing"])
        assert sorted(store.items("events")) == [("a", "1"), ("c", "3")]
    with Store(tmp_path / "s.sqlite") as reopened:
        assert sorted(reopened.items("events")) == [("a", "1"), ("c", "3")]


def test_a_row_that_is_not_json_is_skipped_and_named_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "store.sqlite"
    with Store(path) as store:
        store.save_user("T1", "U1", {"ok": 1})
        store.save_user("T1", "U2", {"ok": 2})
    with sqlite3.connect(path) as conn:  # another program, or a damaged write, leaves a bad row
        conn.execute("UPDATE users SET value = ? WHERE key = ?", ("{not json", user_key("T1", "U2")))
    with Store(path) as store:
        assert dict(store.users()) == {user_key("T1", "U1"): {"ok": 1}}
        assert store.load_user("T1", "U2") == {}
        store.save_user("T1", "U2", {"fresh": True})  # the user's next turn replaces it
        assert store.load_user("T1", "U2") == {"fresh": True}
    named = [r.getMessage() for r in caplog.records if "not JSON" in r.getMessage()]
    assert named and str(path) in named[0] and "T1:U2" in named[0]


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
        store.save_user("T1", "U1", {"n": 1})
        users = store.table("users")
        pages = users.conn.select_one("PRAGMA page_count")[0]
        users.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
        with pytest.raises(StoreError) as full:
            store.save_user("T1", "U2", {"big": "x" * 200_000})
        assert str(path) in str(full.value) and "full" in str(full.value)
        assert store.load_user("T1", "U2") == {} and store.load_user("T1", "U1") == {"n": 1}
        store.save_user("T1", "U2", {"small": True})  # a fresh connection (the limit was its own)
        assert store.load_user("T1", "U2") == {"small": True}
