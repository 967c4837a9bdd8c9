"""Reminders end to end: store, scheduler and CLI against the fake Slack Web API on localhost."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.channels import senders
from bot.scheduler import MAX_ATTEMPTS, ReminderScheduler, claim_key
from bot.settings import Settings
from bot.slack.reminder_delivery import ReminderDelivery
from bot.slack.services import slack_address
from bot.state import Address
from bot.storage.sqlite import SqliteStorage as Store
from bot.turns import TurnPipeline
from dialogs.context import Context
from dialogs.router import respond
from dialogs.schedule import reminder_time
from tests.fake_slack import FakeSlack

HKI = ZoneInfo("Europe/Helsinki")
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=HKI)
DEADLINE = NOW.date() + dt.timedelta(days=15)  # 13.12.2026
SHOWN = f"{DEADLINE.day}.{DEADLINE.month}.{DEADLINE.year}"
T14 = reminder_time(DEADLINE, 14, HKI)
T7 = reminder_time(DEADLINE, 7, HKI)
TEAM = "T0001"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


def settings_for(slack: FakeSlack, db: Path) -> Settings:
    return Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_BASE_URL=slack.base_url, TOIMINTAMALLI_DB=db)


def dm_user(ctx: Context, db: Path, user: str, text: str, now: dt.datetime = NOW) -> str:
    """One DM turn as the Slack channel runs it: through the turn pipeline (the address is kept)."""
    with Store(db) as store:
        turn = TurnPipeline(store, ctx, clock=lambda: now).run(
            slack_address(TEAM, user), text, "D" + user[1:]
        )
    return "\n".join(r.text for r in turn.replies)


def claims(db: Path) -> list[dict[str, Any]]:
    with Store(db) as store:
        return store.claims("reminder:")


def cli(
    db: Path, slack: FakeSlack | None, *args: str, token: str = "xoxb-test"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
    env.update({"SLACK_BOT_TOKEN": token, "TOIMINTAMALLI_DB": str(db), "TOIMINTAMALLI_TZ": "Europe/Helsinki"})
    if slack is not None:
        env["SLACK_API_BASE_URL"] = slack.base_url
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "reminders", *args],
        env=env,
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def posts(slack: FakeSlack) -> list[Any]:
    """Every chat.postMessage that reached the fake (scripted ok:false answers included)."""
    return [c for c in slack.calls("chat.postMessage") if c.status == 200]


# -- the CLI ------------------------------------------------------------------------------------------
def test_cli_sends_personal_reminder_once(ctx: Context, slack: FakeSlack, db: Path) -> None:
    reply = dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    assert "Lisäsin oman määräajan" in reply

    first = cli(db, slack, "send", "--now", T14.astimezone(HKI).isoformat())
    assert first.returncode == 0, first.stderr
    assert "Lähetetty 1" in first.stdout
    (post,) = posts(slack)
    assert post.params["channel"] == "D123"
    assert SHOWN in post.all_text() and "Valmis-tila" in post.all_text()
    assert "14 päivän päästä" in post.all_text()
    assert "https://innokyla.fi/" in post.all_text()
    (opened,) = slack.calls("conversations.open")
    assert opened.params["users"] == "U123"

    second = cli(db, slack, "send", "--now", T14.astimezone(HKI).isoformat())
    assert second.returncode == 0, second.stderr
    assert "Lähetetty 0" in second.stdout
    assert len(posts(slack)) == 1


def test_cli_send_escapes_user_text(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U200", f"muistutus {SHOWN} <!channel> & <@U999> <https://x.example|klikkaa>")
    result = cli(db, slack, "send", "--now", (T14 + dt.timedelta(hours=1)).isoformat())
    assert result.returncode == 0, result.stderr
    (post,) = posts(slack)
    text = post.params["text"]
    assert "&lt;!channel&gt; &amp; &lt;@U999&gt;" in text
    assert "<!channel>" not in post.all_text() and "<@U999>" not in post.all_text()
    assert "<https://x.example" not in post.all_text()


def test_cli_send_needs_the_token(ctx: Context, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    result = cli(db, None, "send", "--now", T14.isoformat(), token="")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("bad", ["huomenna", "2026-13-01T09:00", "1.12.2026 9:00"])
def test_cli_invalid_now(db: Path, slack: FakeSlack, bad: str) -> None:
    result = cli(db, slack, "send", "--now", bad)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--now" in lines[0] and "ISO-8601" in lines[0]
    assert posts(slack) == []


def test_cli_list(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    dm_user(ctx, db, "U124", "muistutus I2")
    result = cli(db, slack, "list", "--json", "--now", NOW.isoformat())
    assert result.returncode == 0, result.stderr
    users = {u["user"]: u for u in json.loads(result.stdout)}
    assert set(users) == {"slack:T0001:U123", "slack:T0001:U124"}
    assert [u["offset"] for u in users["slack:T0001:U123"]["upcoming"]] == [14, 7, 1]
    assert users["slack:T0001:U123"]["upcoming"][0]["at"] == T14.astimezone(HKI).isoformat()
    assert users["slack:T0001:U124"]["investments"] == ["P4I2"]
    assert users["slack:T0001:U124"]["upcoming"] == []
    plain = cli(db, slack, "list", "--now", NOW.isoformat())
    assert plain.returncode == 0
    assert "29.11.2026 klo 9.00" in plain.stdout and "slack:T0001:U124" in plain.stdout
    assert posts(slack) == []


def test_two_processes_at_once_send_one_dm(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
    env.update(
        {"SLACK_BOT_TOKEN": "xoxb-test", "TOIMINTAMALLI_DB": str(db), "SLACK_API_BASE_URL": slack.base_url}
    )
    cmd = [sys.executable, "-m", "bot.cli", "reminders", "send", "--now", T14.isoformat()]
    procs = [
        subprocess.Popen(
            cmd, env=env, cwd=db.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert len(posts(slack)) == 1
    assert sorted(out for out, _ in outputs) == sorted(
        ["Lähetetty 0 muistutusta.\n"] * 2 + ["Lähetetty 1 muistutusta.\n"]
    )


# -- the scheduler in-process ----------------------------------------------------------------------------
def test_two_threads_with_separate_connections_never_both_send(
    ctx: Context, slack: FakeSlack, db: Path
) -> None:
    users = [f"U{n:03d}" for n in range(12)]
    for user in users:
        dm_user(ctx, db, user, f"muistutus {SHOWN} Valmis-tila")
    settings = settings_for(slack, db)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        with Store(db) as store:
            scheduler = ReminderScheduler(store, ctx, senders(settings))
            barrier.wait()
            counts.append(scheduler.send_due(T14))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == len(users)
    channels = sorted(c.params["channel"] for c in posts(slack))
    assert channels == sorted("D" + u[1:] for u in users)


def test_restart_neither_loses_nor_doubles(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    settings = settings_for(slack, db)
    with Store(db) as store:
        first = ReminderScheduler(store, ctx, senders(settings))
        assert first.send_due(T14) == 1
        first.stop()
    with Store(db) as store:
        second = ReminderScheduler(store, ctx, senders(settings))
        assert second.send_due(T14) == 0
        assert second.send_due(T14 + dt.timedelta(days=2)) == 0
        assert second.send_due(T7 - dt.timedelta(minutes=1)) == 0
        assert second.send_due(T7) == 1
        assert second.send_due(T7 + dt.timedelta(hours=5)) == 0
    texts = [c.all_text() for c in posts(slack)]
    assert len(texts) == 2
    assert "14 päivän päästä" in texts[0] and "7 päivän päästä" in texts[1]
    rows = claims(db)
    assert [(r["key"].rsplit(":", 1)[1], r["status"]) for r in rows] == [("14", "sent"), ("7", "sent")]


def test_background_thread_sends_and_stops_at_once(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    settings = settings_for(slack, db)
    with Store(db) as store:
        scheduler = ReminderScheduler(
            store, ctx, senders(settings), clock=lambda: T14 + dt.timedelta(minutes=3)
        )
        scheduler.start()
        slack.wait_for("chat.postMessage", count=1, timeout=30)
        started = time.monotonic()
        scheduler.stop()
        assert time.monotonic() - started < 5
        assert not scheduler.running
    with Store(db) as store:  # restart: a new ticker on the same store sends nothing again
        again = ReminderScheduler(store, ctx, senders(settings), clock=lambda: T14 + dt.timedelta(minutes=4))
        again.start()
        deadline = time.monotonic() + 30
        while again.ticks < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        again.stop()
        assert again.ticks >= 1
    assert len(posts(slack)) == 1


def test_failed_post_is_retried_then_given_up(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    settings = settings_for(slack, db)
    with Store(db) as store:
        scheduler = ReminderScheduler(store, ctx, senders(settings))
        slack.fail("chat.postMessage", "internal_error")
        assert scheduler.send_due(T14) == 0
        assert scheduler.last_failures == 1
        assert scheduler.send_due(T14 + dt.timedelta(minutes=1)) == 1
        assert scheduler.send_due(T14 + dt.timedelta(minutes=2)) == 0
    assert len(posts(slack)) == 2  # the refused attempt (ok:false) and the delivered one

    dm_user(ctx, db, "U124", f"muistutus {SHOWN} Valmis-tila")
    with Store(db) as store:
        scheduler = ReminderScheduler(store, ctx, senders(settings))
        slack.fail("chat.postMessage", "channel_not_found", times=MAX_ATTEMPTS)
        for minute in range(MAX_ATTEMPTS + 2):
            assert scheduler.send_due(T14 + dt.timedelta(minutes=10 + minute)) == 0
    assert len(posts(slack)) == 2 + MAX_ATTEMPTS
    (row,) = [r for r in claims(db) if r["key"].startswith("reminder:slack:T0001:U124:")]
    assert (
        row["status"] == "failed" and row["attempts"] == MAX_ATTEMPTS and "channel_not_found" in row["error"]
    )


def test_rate_limited_post_is_retried_by_the_client(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    slack.rate_limit("chat.postMessage", retry_after=1)
    with Store(db) as store:
        assert ReminderScheduler(store, ctx, senders(settings_for(slack, db))).send_due(T14) == 1
    statuses = [c.status for c in slack.calls("chat.postMessage")]
    assert statuses == [429, 200]


def test_crash_after_claim_means_at_most_once(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    with Store(db) as store:
        scheduler = ReminderScheduler(store, ctx, senders(settings_for(slack, db)))
        ((_address, due),) = scheduler.due(T14)
        assert store.claim(claim_key(due), T14)  # a process claimed it and died before posting
        assert scheduler.send_due(T14) == 0
    assert posts(slack) == []


def test_subscription_after_reminder_time_is_not_sent(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila", now=T14 + dt.timedelta(minutes=1))
    with Store(db) as store:
        assert (
            ReminderScheduler(store, ctx, senders(settings_for(slack, db))).send_due(
                T14 + dt.timedelta(hours=1)
            )
            == 0
        )
    assert posts(slack) == []


def test_unsubscribed_user_gets_nothing(ctx: Context, slack: FakeSlack, db: Path) -> None:
    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    dm_user(ctx, db, "U123", "muistutus pois")
    with Store(db) as store:
        assert ReminderScheduler(store, ctx, senders(settings_for(slack, db))).send_due(T14) == 0
    assert posts(slack) == []


# -- delivery pacing -----------------------------------------------------------------------------------
def test_posts_to_one_channel_are_paced(slack: FakeSlack) -> None:
    from slack_sdk import WebClient

    slept: list[float] = []
    clock = [100.0]
    delivery = ReminderDelivery(
        WebClient(token="xoxb-test", base_url=slack.base_url), sleep=slept.append, clock=lambda: clock[0]
    )
    delivery.send(slack_address("T1", "U1"), "yksi")
    clock[0] += 0.25
    delivery.send(slack_address("T1", "U1"), "kaksi")
    delivery.send(slack_address("T1", "U2"), "muu kanava")
    assert slept == [pytest.approx(0.75)]
    assert len(slack.calls("conversations.open")) == 2  # the DM channel of U1 is remembered


def test_only_users_of_a_channel_with_a_sender_are_messaged(ctx: Context, slack: FakeSlack, db: Path) -> None:
    state, _ = respond({}, f"muistutus {SHOWN} Valmis-tila", NOW, ctx)
    teams = Address(channel="teams", team="tenant", user="29:1abc", reach={"conversation": {"id": "a:1"}})
    with Store(db) as store:
        store.save_user_state("terminal", "", "maija", state)  # the terminal has no one to message
        store.save_user_state("slack", TEAM, "W0ENTERPRISE", state)
        TurnPipeline(store, ctx, clock=lambda: NOW).run(teams, f"muistutus {SHOWN} Valmis-tila", "a:1")
        assert ReminderScheduler(store, ctx, senders(settings_for(slack, db))).send_due(T14) == 1
    (opened,) = slack.calls("conversations.open")
    assert opened.params["users"] == "W0ENTERPRISE"
    assert [r["key"].split(":")[1:4] for r in claims(db)] == [["slack", "T0001", "W0ENTERPRISE"]]


def test_a_send_whose_outcome_is_unknown_counts_as_sent(ctx: Context, db: Path) -> None:
    """A sender that timed out after handing the message over may have delivered it: never again."""
    from bot.scheduler import OutcomeUnknown

    class TimesOut:
        calls = 0

        def send(self, address: Address, text: str) -> None:
            TimesOut.calls += 1
            raise OutcomeUnknown("no answer in 60 s")

    dm_user(ctx, db, "U123", f"muistutus {SHOWN} Valmis-tila")
    with Store(db) as store:
        scheduler = ReminderScheduler(store, ctx, {"slack": TimesOut()})
        assert scheduler.send_due(T14) == 0 and scheduler.last_failures == 0
        assert scheduler.send_due(T14 + dt.timedelta(minutes=1)) == 0
    assert TimesOut.calls == 1
    assert [r["status"] for r in claims(db)] == ["sent"]
