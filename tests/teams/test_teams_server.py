"""Teams: authentication, normal delivery through the connector, the process, and the app package."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from bot.settings import SettingsError
from bot.teams.manifest import build_manifest, write_package
from bot.teams.server import credentials
from tests.fake_connector import FakeConnector
from tests.net import free_port
from tests.teams.conftest import PERSONAL, TeamsClient, TeamsFactory, local_settings

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "00000000-1111-2222-3333-444444444444"
SECURED = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "s3kret", "MICROSOFT_APP_TENANT_ID": "t-1"}


def test_with_credentials_a_request_without_a_valid_token_is_401(teams: TeamsFactory) -> None:
    client = teams.start(settings=local_settings(**SECURED)).client
    assert client.say("Mikä on PDSA?").status == 401  # no Authorization header
    bad = client.post(client.activity(text="Mikä on PDSA?"), {"Authorization": "Bearer not.a.jwt"})
    assert bad.status == 401
    assert client.post(client.activity(text="hei"), {"Authorization": "Basic abc"}).status == 401
    assert "s3kret" not in json.dumps(bad.body)


def test_credentials_are_all_or_none() -> None:
    assert credentials(local_settings(**SECURED)) is True
    assert credentials(local_settings()) is False
    with pytest.raises(SettingsError) as partial:
        credentials(local_settings(MICROSOFT_APP_ID=APP_ID))
    assert "MICROSOFT_APP_PASSWORD" in str(partial.value) and "MICROSOFT_APP_TENANT_ID" in str(partial.value)


def test_without_expect_replies_the_replies_go_through_the_connector(
    client: TeamsClient, connector: FakeConnector
) -> None:
    activity = client.activity(text="Miten nimeän I2-toimintamallin?")
    del activity["deliveryMode"]
    answer = client.post(activity)
    assert answer.status in (200, 202)
    (posted,) = connector.wait_for(1)
    assert posted.conversation == PERSONAL and posted.body["replyToId"] == activity["id"]
    assert posted.body["textFormat"] == "plain" and "dia" in posted.body["text"]


def test_the_teams_process_in_local_mode_answers_on_localhost_only(
    tmp_path: Path, connector: FakeConnector
) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_", "MICROSOFT_"))
    }
    env.update(TOIMINTAMALLI_DB=str(tmp_path / "store.sqlite"), PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "teams", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        client = TeamsClient(f"http://127.0.0.1:{port}", connector.url)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        answer = client.say("Mikä on PDSA?")
        assert answer.status == 200 and "PDSA" in answer.text
        listening = Path("/proc/net/tcp").read_text()
        assert f"0100007F:{port:04X}" in listening and f"00000000:{port:04X}" not in listening
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(20)
        stderr = process.stderr.read().decode() if process.stderr else ""
    assert code == 0, stderr
    assert "Paikallinen tila" in stderr


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_app_package_has_the_manifest_and_both_icons(tmp_path: Path) -> None:
    settings = local_settings(**SECURED)
    out = write_package(settings, "https://toimintamalli.example.fi/", tmp_path / "app.zip")
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert _png_size(package.read("color.png")) == (192, 192)
        assert _png_size(package.read("outline.png")) == (32, 32)
    required = ["$schema", "manifestVersion", "version", "id", "developer", "name", "description", "icons",
                "accentColor"]  # fmt: skip
    assert all(manifest.get(k) for k in required)
    assert all(
        manifest["developer"][k].startswith("https://") for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl")
    )
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID and manifest["id"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert "check" in titles and all(c["description"] for c in bot["commandLists"][0]["commands"])
    assert manifest == build_manifest(settings, "https://toimintamalli.example.fi/")


def test_the_package_command_names_what_is_missing(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_", "MICROSOFT_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "teams", "package", "--out", str(tmp_path / "app.zip")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (
        done.returncode == 2
        and "MICROSOFT_APP_ID" in done.stderr
        and "TOIMINTAMALLI_WEBSITE_URL" in done.stderr
    )
    env.update(MICROSOFT_APP_ID=APP_ID, TOIMINTAMALLI_WEBSITE_URL="https://toimintamalli.example.fi/")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "teams", "package", "--out", str(tmp_path / "app.zip")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(tmp_path / "app.zip")
