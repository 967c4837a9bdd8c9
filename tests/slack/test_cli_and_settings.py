"""Start-up settings for serve/socket, `kb feedback`, and the manifest and Procfile an admin uses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.feedback import FeedbackLog
from bot.settings import Settings, SettingsError
from bot.slack.services import slack_address
from bot.storage.sqlite import SqliteStorage as Store
from dialogs.replies import Reply

ROOT = Path(__file__).resolve().parents[2]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_BASE_URL")


@pytest.fixture
def no_slack_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TOIMINTAMALLI_DB", str(tmp_path / "store.sqlite"))
    return tmp_path


def test_serve_names_the_missing_variables(no_slack_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "SLACK_SIGNING_SECRET" in err and "SLACK_APP_TOKEN" not in err


def test_socket_names_the_missing_app_token(
    no_slack_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["socket"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN" in err and "SLACK_BOT_TOKEN" not in err


def test_settings_require_and_base_url() -> None:
    settings = Settings(_env_file=None, SLACK_API_BASE_URL="http://127.0.0.1:9/api")  # type: ignore[call-arg]
    assert settings.slack_api_base_url == "http://127.0.0.1:9/api/"
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        settings.require("SLACK_BOT_TOKEN")


def test_kb_feedback_lists_unanswered_and_disliked(
    no_slack_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    with Store(no_slack_env / "store.sqlite") as store:
        log = FeedbackLog(store)
        question = Reply("?", kind="answer", question="Montako kissaa?", confident=False)
        u1, u2 = slack_address("T1", "U1"), slack_address("T1", "U2")
        log.record_unanswered(u1, question, now)
        log.record_unanswered(u2, question, now)
        voted = ("Miten nimeän <mallin>?", "nimeaminen", True, now)
        log.record_vote(u1, "C1:1.0:feedback-0", "down", *voted)
        log.record_vote(u1, "C1:1.0:feedback-0", "down", *voted)  # the same vote again
        log.record_vote(u2, "C1:2.0:feedback-0", "up", *voted)
    assert main(["kb", "feedback", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unanswered"] == [
        {"question": "Montako kissaa?", "topic": None, "count": 2, "last": now.isoformat()}
    ]
    assert data["disliked"][0]["question"] == "Miten nimeän <mallin>?"
    assert data["disliked"][0]["count"] == 1
    assert data["votes"] == {"up": 1, "down": 1}
    assert main(["kb", "feedback"]) == 0
    text = capsys.readouterr().out
    assert "Montako kissaa?" in text and "Miten nimeän <mallin>?" in text


def test_kb_feedback_without_a_store_file(no_slack_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "feedback", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unanswered"] == []
    assert not (no_slack_env / "store.sqlite").exists()


def test_manifest_declares_what_the_app_uses() -> None:
    manifest = yaml.safe_load((ROOT / "slack-manifest.yaml").read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {"app_mentions:read", "chat:write", "commands", "im:history", "im:write"}  # no unused
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/toimintamalli" and command["usage_hint"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_procfile() -> None:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    assert "web: toimintamalli serve --port $PORT" in lines
    assert "worker: toimintamalli socket" in lines
