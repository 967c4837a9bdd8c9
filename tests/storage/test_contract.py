"""The storage contract: every backend (SQLite, PostgreSQL) passes these tests unchanged."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.state import Address, UserState, scope_key, split_key
from bot.storage import Storage, Write, open_storage
from bot.storage.base import KEEP_EVENTS
from tests.pg import fresh_schema

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a backend keeps its data: a SQLite path or a PostgreSQL URL (a fresh schema)."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.sqlite")
    else:
        yield from fresh_schema()


def opened(spec: str) -> Storage:
    url, path = (spec, "") if spec.startswith("postgresql") else ("", spec)
    return open_storage(url, path)


@pytest.fixture
def storage(spec: str) -> Iterator[Storage]:
    store = opened(spec)
    yield store
    store.close()


def workers(spec: str, job: str, *args: str, count: int = 3) -> list[object]:
    """Run `count` worker processes on `spec` at once (they start together); their JSON results."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.storage.worker", spec, job, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(count)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        results.append(json.loads(out.strip().splitlines()[-1]) if proc.returncode == 0 else proc.returncode)
    return results


# -- states -----------------------------------------------------------------------------------------
def test_round_trip_with_versions(storage: Storage) -> None:
    assert storage.load("slack:T1:U1").version == 0 and storage.load("slack:T1:U1").value == {}
    value = {"dialog": {"step": "nimi", "answers": {"nimi": "Chat – neuvonta"}}, "n": 1.5, "ä": [1, None]}
    assert storage.commit([Write("slack:T1:U1", value, 0)])
    loaded = storage.load("slack:T1:U1")
    assert loaded.value == value and loaded.version == 1
    assert not storage.commit([Write("slack:T1:U1", {"other": 1}, 0)])  # it exists now
    assert storage.commit([Write("slack:T1:U1", {"n": 2}, 1)])
    assert not storage.commit([Write("slack:T1:U1", {"n": 3}, 1)])  # version 1 is gone
    assert storage.load("slack:T1:U1").value == {"n": 2} and storage.load("slack:T1:U1").version == 2


def test_a_commit_is_all_or_nothing(storage: Storage) -> None:
    assert storage.commit([Write("a", {"n": 1}, 0), Write("b", {"n": 1}, 0)])
    assert not storage.commit([Write("a", {"n": 2}, 1), Write("b", {"n": 2}, 7)])  # b's version is wrong
    both = storage.load_many(["a", "b", "missing"])
    assert both["a"].value == {"n": 1} and both["b"].value == {"n": 1} and both["missing"].version == 0
    assert storage.commit([Write("a", None, 1)])  # a delete is versioned too
    assert storage.load("a").version == 0 and [k for k, _ in storage.states()] == ["b"]


ODD = [
    "slack:T1:U1:C0:1700000000.000100",
    "teams:-:29%3A1abc:19%3Ameeting_x@thread.v2",
    "ääkköset:ÅÄÖ:🙂",
    "space and 'quote\" and ; DROP TABLE tm_states; --",
    "x" * 900,
    "%:%%:%3A",
]


def test_odd_keys_round_trip_and_do_not_collide(storage: Storage) -> None:
    for i, key in enumerate(ODD):
        assert storage.commit([Write(key, {"i": i}, 0)])
    assert {k: v["i"] for k, v in storage.states()} == {k: i for i, k in enumerate(ODD)}
    assert [k for k, _ in storage.states("slack:")] == [ODD[0]]  # a prefix is a prefix, not a pattern
    assert [k for k, _ in storage.states("%")] == [ODD[5]]


def test_scope_keys_keep_colons_inside_a_part() -> None:
    address = Address(channel="teams", team="", user="29:1abc")
    key = address.conversation_key("19:meeting_x@thread.v2")
    assert split_key(key) == ["teams", "", "29:1abc", "19:meeting_x@thread.v2"]
    assert key.startswith(address.key + ":") and scope_key("a:b", "c") != scope_key("a", "b:c")


def test_users_come_with_their_address(storage: Storage) -> None:
    reach = {"conversation": {"id": "a:1"}, "serviceUrl": "http://127.0.0.1:1/"}
    teams = Address(channel="teams", team="tenant-1", user="29:1abc", reach=reach)
    storage.replace(teams.key, UserState(reminders={"investments": {}}, address=teams).stored())
    storage.replace(teams.conversation_key("a:1"), {"v": 2, "context": {}})  # not a user
    storage.save_user_state("slack", "T1", "U1", {"dialog": {"step": "nimi"}})
    users = {address.key: (address, state) for address, state in storage.users()}
    assert set(users) == {teams.key, "slack:T1:U1"}
    assert users[teams.key][0] == teams and users[teams.key][0].reach == reach
    assert users["slack:T1:U1"][0] == Address(channel="slack", team="T1", user="U1")
    assert storage.user_state("slack", "T1", "U1") == {"dialog": {"step": "nimi"}}


def test_compare_and_set_from_threads_loses_no_increment(storage: Storage) -> None:
    def work() -> None:
        for _ in range(25):
            while True:
                current = storage.load("counter")
                if storage.commit([Write("counter", {"n": current.value.get("n", 0) + 1}, current.version)]):
                    break

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = storage.load("counter")
    assert final.value["n"] == 200 and final.version == 200


def test_compare_and_set_from_processes_loses_no_increment(spec: str) -> None:
    opened(spec).close()  # the schema exists before the workers race
    results = workers(spec, "increment", "counter", "30")
    assert all(isinstance(r, dict) for r in results), results
    with opened(spec) as store:
        final = store.load("counter")
    assert final.value["n"] == 90 and final.version == 90


# -- event ids ----------------------------------------------------------------------------------------
def test_an_event_id_is_new_once_then_again_after_it_expires(storage: Storage) -> None:
    assert storage.first_time("Ev1", NOW)
    assert not storage.first_time("Ev1", NOW + dt.timedelta(hours=1))
    assert storage.first_time("Ev2", NOW)
    assert storage.first_time("Ev1", NOW + KEEP_EVENTS + dt.timedelta(seconds=1))  # expired: new again
    assert not storage.first_time("Ev1", NOW + KEEP_EVENTS + dt.timedelta(seconds=2))
    assert storage.forget_events(NOW + dt.timedelta(seconds=1)) == 1  # Ev2 only (Ev1 was seen again)
    assert storage.first_time("Ev2", NOW + dt.timedelta(seconds=3))


def test_three_processes_see_each_event_id_once(spec: str) -> None:
    opened(spec).close()
    results = workers(spec, "events", "60")
    assert all(isinstance(r, list) for r in results), results
    firsts = sorted(i for r in results for i in r)  # type: ignore[union-attr]
    assert firsts == list(range(60))


# -- claims ---------------------------------------------------------------------------------------------
def test_a_claim_is_given_once_and_a_failed_one_again_up_to_its_attempts(storage: Storage) -> None:
    assert storage.claim("reminder:a", NOW)
    assert not storage.claim("reminder:a", NOW)  # sending: nobody else
    storage.finish("reminder:a", NOW, error="ratelimited")
    assert not storage.claim("reminder:a", NOW, attempts=1)  # failed, but tried once of once
    assert storage.claim("reminder:a", NOW, attempts=3)
    storage.finish("reminder:a", NOW + dt.timedelta(minutes=1))
    assert not storage.claim("reminder:a", NOW, attempts=3)  # sent: never again
    (row,) = storage.claims("reminder:")
    assert row["status"] == "sent" and row["attempts"] == 2 and row["error"] is None
    assert row["sent_at"] == "2026-12-01T09:01:00+00:00"
    assert storage.claims("outbox:") == []


def test_three_processes_claim_each_key_once(spec: str) -> None:
    opened(spec).close()
    results = workers(spec, "claim", "100")
    assert all(isinstance(r, list) for r in results), results
    claimed = sorted(i for r in results for i in r)  # type: ignore[union-attr]
    assert claimed == list(range(100))


def test_a_crash_between_claim_and_send_never_sends_twice(spec: str) -> None:
    opened(spec).close()
    assert workers(spec, "claim-and-die", "reminder:crash", count=1) == [9]
    with opened(spec) as store:
        (row,) = store.claims("reminder:crash")
        assert row["status"] == "sending"  # what is known: it may have gone out
        assert not store.claim("reminder:crash", NOW, attempts=3)  # at most once


# -- records -------------------------------------------------------------------------------------------
def test_records_round_trip_in_key_order(storage: Storage) -> None:
    storage.put_many("outbox", [("2026-12-01T09:00:02:b", {"n": 2}), ("2026-12-01T09:00:01:a", {"n": 1})])
    storage.put("feedback", "vote:T:U:C:1", {"kind": "vote", "vote": "up", "question": "Mikä ä?"})
    storage.put("feedback", "vote:T:U:C:1", {"kind": "vote", "vote": "down", "question": "Mikä ä?"})
    assert [v["n"] for _, v in storage.items("outbox")] == [1, 2]
    assert storage.get("feedback", "vote:T:U:C:1")["vote"] == "down"
    assert storage.get("feedback", "missing", "none") == "none"
    storage.delete_many("outbox", ["2026-12-01T09:00:01:a", "missing"])
    assert [k for k, _ in storage.items("outbox")] == ["2026-12-01T09:00:02:b"]
    assert len(storage.items("feedback")) == 1


def test_data_outlives_the_process(spec: str) -> None:
    with opened(spec) as first:
        first.commit([Write("slack:T1:U1", {"n": 1}, 0)])
        first.claim("reminder:x", NOW)
        first.first_time("Ev9")
        first.put("feedback", "k", {"v": 1})
    with opened(spec) as again:  # the schema is created again without harm
        assert again.load("slack:T1:U1").value == {"n": 1}
        assert not again.claim("reminder:x", NOW) and not again.first_time("Ev9")
        assert again.get("feedback", "k") == {"v": 1}


def test_housekeeping_forgets_old_conversations_and_kept_reply_claims_but_not_users_or_reminders(
    storage: Storage,
) -> None:
    user = Address(channel="teams", team="", user="29:1abc")
    storage.replace(user.key, {"v": 2, "reminders": {"investments": {}}})
    storage.replace(user.conversation_key("19:old@thread.v2"), {"v": 2, "context": {"topic": "x"}})
    storage.claim("outbox:2026-12-01:a:0", NOW)
    storage.claim("reminder:teams:-:29%3A1abc:d:2026-12-20:14", NOW)
    storage.first_time("EvOld", NOW)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert storage.housekeeping(later) == 3  # the conversation, the outbox claim, the event id
    assert [k for k, _ in storage.states()] == [user.key]
    assert [c["key"] for c in storage.claims()] == ["reminder:teams:-:29%3A1abc:d:2026-12-20:14"]
    assert storage.housekeeping(dt.datetime.now(dt.UTC)) == 0


def test_every_so_many_new_ids_the_expired_ones_are_deleted(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.storage.base as base

    monkeypatch.setattr(base, "CLEAN_EVERY", 1)
    storage.first_time("EvOld", NOW)
    storage.first_time("EvNew", NOW + KEEP_EVENTS + dt.timedelta(hours=1))  # this call cleans up
    assert storage.forget_events(NOW + dt.timedelta(days=365)) == 1  # only EvNew was left to forget
