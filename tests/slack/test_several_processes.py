"""Several `toimintamalli` processes on one PostgreSQL database: two `serve` processes share one user's
check dialog and each event id, `reminders send` from three processes beside them sends each reminder
once, and two Socket Mode connections answer each event once."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.storage.postgres import PostgresStorage
from dialogs.schedule import reminder_time
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.net import free_port
from tests.personas import PERSONAS, mismatches
from tests.slack.conftest import process_env
from tests.slack.slack_requests import SECRET, TEAM, USER, SlackSender, http

HKI = ZoneInfo("Europe/Helsinki")
ROOT = Path(__file__).resolve().parents[2]


class Processes:
    """`toimintamalli` processes on one database, stopped at the end of the test."""

    def __init__(self, fake: FakeSlack, url: str, tmp_path: Path) -> None:
        self.fake = fake
        self.url = url
        self.tmp_path = tmp_path
        self.running: list[subprocess.Popen[bytes]] = []

    def env(self, **extra: str) -> dict[str, str]:
        # TOIMINTAMALLI_DB points at a file that must never appear: the database is PostgreSQL
        return process_env(
            self.fake, self.tmp_path / "unused.sqlite", TOIMINTAMALLI_DATABASE_URL=self.url, **extra
        )

    def serve(self) -> SlackSender:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            env=self.env(),
            cwd=self.tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.running.append(process)
        deadline = time.monotonic() + 60
        while True:
            try:
                if http(f"http://127.0.0.1:{port}/healthz").status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        return SlackSender(f"http://127.0.0.1:{port}", SECRET)

    def socket(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "socket"],
            env=self.env(SLACK_APP_TOKEN="xapp-1-sock"),
            cwd=self.tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.running.append(process)

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(fake_slack: FakeSlack, pg_url: str, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(fake_slack, pg_url, tmp_path)
    yield running
    running.stop()
    assert not (tmp_path / "unused.sqlite").exists()


def test_one_users_check_dialog_alternating_between_two_servers_stays_coherent(
    processes: Processes, fake_slack: FakeSlack
) -> None:
    servers = [processes.serve(), processes.serve()]
    persona = PERSONAS[0]  # the careful one: every step typed
    for turn, text in enumerate(persona.script):
        answer, _ = servers[turn % 2].direct_message(text)
        assert answer.status == 200
        fake_slack.wait_for("chat.postMessage", turn + 1, timeout=30)  # each turn's reply before the next
    shown = " ".join(c.all_text() for c in fake_slack.calls("chat.postMessage")[-3:])
    assert "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)" in shown  # the summary, then the thanks
    with PostgresStorage(processes.url) as store:
        exported = store.user_state("slack", TEAM, USER)["perustiedot"]["last"]
    assert mismatches(persona, exported) == {}
    assert len(fake_slack.calls("chat.postMessage")) == len(persona.script)  # one reply per turn, no more


def test_the_same_event_sent_to_both_servers_is_answered_once(
    processes: Processes, fake_slack: FakeSlack
) -> None:
    servers = [processes.serve(), processes.serve()]
    event = {"type": "message", "channel_type": "im", "channel": "D0DM0001", "user": USER,
             "text": "Mikä on PDSA?", "ts": "1700009000.000100"}  # fmt: skip
    for n in range(5):
        event_id = f"EvBoth{n}"
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def post(sender: SlackSender, event_id: str, barrier: threading.Barrier, statuses: list[int]) -> None:
            barrier.wait()
            statuses.append(sender.event(event, event_id=event_id)[0].status)

        threads = [threading.Thread(target=post, args=(s, event_id, barrier, statuses)) for s in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert statuses == [200, 200]
        fake_slack.wait_for("chat.postMessage", n + 1, timeout=30)
    time.sleep(1.0)  # a second reply would have come by now
    assert len(fake_slack.calls("chat.postMessage")) == 5


def test_reminders_from_three_processes_beside_two_servers_go_out_once(
    processes: Processes, fake_slack: FakeSlack
) -> None:
    servers = [processes.serve(), processes.serve()]
    today = dt.datetime.now(HKI).date()
    deadline = today + dt.timedelta(days=20)
    shown = f"{deadline.day}.{deadline.month}.{deadline.year}"
    users = [f"U0REM{n:04d}" for n in range(8)]
    for n, user in enumerate(users):
        servers[n % 2].direct_message(f"muistutus {shown} Valmis-tila", user=user)
    replies = fake_slack.wait_for("chat.postMessage", len(users), timeout=30)
    assert all("Lisäsin oman määräajan" in r.all_text() for r in replies)
    due = reminder_time(deadline, 14, HKI)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "reminders", "send", "--now", due.isoformat()],
            env=processes.env(),
            cwd=processes.tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    sent = [int(re.search(r"Lähetetty (\d+)", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(sent) == len(users)
    reminders = [c for c in fake_slack.calls("chat.postMessage") if "14 päivän päästä" in c.all_text()]
    assert sorted(c.params["channel"] for c in reminders) == sorted("D" + u[1:] for u in users)
    again = subprocess.run(
        [sys.executable, "-m", "bot.cli", "reminders", "send", "--now", due.isoformat()],
        env=processes.env(), cwd=processes.tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Lähetetty 0" in again.stdout


def test_two_socket_mode_connections_on_one_database_answer_each_event_once(
    processes: Processes, fake_slack: FakeSlack
) -> None:
    with FakeSocketMode() as socket_server:
        fake_slack.socket_url = socket_server.url
        processes.socket()
        processes.socket()
        socket_server.wait_connected(2, timeout=60)
        deadline = time.monotonic() + 30
        while socket_server.open_connections() < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for n in range(4):
            message = {"type": "message", "channel_type": "im", "channel": "D0DM0001", "user": USER,
                       "text": "Mikä on PDSA?", "ts": f"17000091{n:02d}.000100"}  # fmt: skip
            payload = {"type": "event_callback", "team_id": TEAM, "api_app_id": "A0APP",
                       "event_id": f"EvTwo{n}", "event": message}  # fmt: skip
            for envelope in socket_server.send_to_all("events_api", payload):
                socket_server.wait_ack(envelope, timeout=30)
            fake_slack.wait_for("chat.postMessage", n + 1, timeout=30)
        time.sleep(1.0)
        assert len(fake_slack.calls("chat.postMessage")) == 4
