"""`toimintamalli serve` as a real process: settings from the environment, an answer, a clean SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fake_slack import FakeSlack
from tests.net import free_port
from tests.slack.conftest import process_env
from tests.slack.slack_requests import SECRET, SlackSender, http

ROOT = Path(__file__).resolve().parents[2]


def _healthy(port: int) -> bool:
    try:
        return http(f"http://127.0.0.1:{port}/healthz").status == 200
    except OSError:  # not listening yet
        return False


def test_serve_process_answers_and_stops_cleanly(fake_slack: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-process",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_BASE_URL=fake_slack.base_url.rstrip("/"),  # without the slash: still honoured
        TOIMINTAMALLI_DB=str(tmp_path / "store.sqlite"),
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not _healthy(port):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        sender = SlackSender(f"http://127.0.0.1:{port}")
        answer, _ = sender.mention("miten nimeän I2-toimintamallin?", ts="1700001000.000100")
        assert answer.status == 200
        (call,) = fake_slack.wait_for("chat.postMessage", 1, timeout=10)
        assert call.params["thread_ts"] == "1700001000.000100"
        assert call.headers["authorization"] == "Bearer xoxb-process"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
    assert code == 0


def test_a_refused_bot_token_stops_the_start_naming_the_variable(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    env = process_env(fake_slack, tmp_path / "store.sqlite", token="xoxb-revoked")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SLACK_BOT_TOKEN" in done.stderr and "invalid_auth" in done.stderr
    assert "Traceback" not in done.stderr
    assert fake_slack.calls("auth.test")
