"""Socket Mode over a real WebSocket on localhost: events, a slash command and a form submission go
through the same app, a `refresh_requested` disconnect reconnects, and `toimintamalli socket` exits 0
on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.app import close_app, create_app
from bot.slack.socket_mode import connect_socket_mode
from bot.storage.sqlite import SqliteStorage as Store
from dialogs.context import Context
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.slack.conftest import make_settings, process_env
from tests.slack.slack_requests import TEAM, USER
from tests.slack.test_http_modal import _submission, _text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def socket_server(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as server:
        fake_slack.socket_url = server.url
        yield server


def _event(text: str, n: int) -> dict[str, object]:
    return {
        "type": "event_callback",
        "team_id": TEAM,
        "api_app_id": "A0APP",
        "event_id": f"EvSock{n}",
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D0DM0001",
            "user": USER,
            "text": text,
            "ts": f"17000030{n:02d}.000100",
        },
    }


def test_events_commands_and_forms_go_through_and_a_refresh_reconnects(
    fake_slack: FakeSlack, socket_server: FakeSocketMode, tmp_path: Path, slack_ctx: Context
) -> None:
    db = tmp_path / "store.sqlite"
    with Store(db) as store:
        app = create_app(make_settings(fake_slack, db), store, slack_ctx)
        handler = connect_socket_mode(app, "xapp-1-test")
        try:
            socket_server.wait_connected(1)
            assert (
                fake_slack.calls("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-1-test"
            )
            socket_server.wait_ack(socket_server.send("events_api", _event("Mikä on PDSA?", 1)))
            (reply,) = fake_slack.wait_for("chat.postMessage", 1)
            assert reply.params["channel"] == "D0DM0001" and "PDSA" in reply.all_text()
            command = {
                "command": "/toimintamalli",
                "text": "määräajat",
                "user_id": USER,
                "team_id": TEAM,
                "channel_id": "C0CHAN1",
                "response_url": fake_slack.response_url_for("sock"),
                "trigger_id": "1.2.3",
            }
            socket_server.wait_ack(socket_server.send("slash_commands", command))
            assert "31.12.2025" in fake_slack.wait_for("response_url", 1)[0].all_text()
            form = _submission({"hyvinvointialue": _text("Atlantis")})
            ack = socket_server.wait_ack(socket_server.send("interactive", form))
            assert (
                ack["payload"]["response_action"] == "errors"
                and "hyvinvointialue" in ack["payload"]["errors"]
            )
            socket_server.disconnect("refresh_requested")
            socket_server.wait_connected(2, timeout=20)  # it reconnected
            socket_server.wait_ack(socket_server.send("events_api", _event("Mikä on Hissipuhe?", 2)))
            assert "Hissipuhe" in fake_slack.wait_for("chat.postMessage", 2)[-1].all_text()
        finally:
            handler.close()
            close_app(app)


def test_socket_process_exits_0_on_sigterm(
    fake_slack: FakeSlack, socket_server: FakeSocketMode, tmp_path: Path
) -> None:
    env = process_env(fake_slack, tmp_path / "store.sqlite", token="xoxb-sock", SLACK_APP_TOKEN="xapp-1-sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "socket"], env=env, cwd=tmp_path, stderr=subprocess.PIPE
    )
    try:
        socket_server.wait_connected(1, timeout=30)
        socket_server.wait_ack(socket_server.send("events_api", _event("Mikä on PDSA?", 3)))
        fake_slack.wait_for("chat.postMessage", 1, timeout=10)
        time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, process.stderr.read().decode() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
