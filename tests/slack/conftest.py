"""A running Slack server (waitress in a thread) against the fake Slack Web API, per test."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.slack.server import SlackHttpServer, create_http_server
from bot.storage.sqlite import SqliteStorage as Store
from dialogs.context import Context
from knowledge.answering import Answerer
from knowledge.loader import KnowledgeBase
from tests.fake_slack import FakeSlack
from tests.slack.slack_requests import SECRET, SlackSender, http


@pytest.fixture(scope="package")
def slack_ctx(kb: KnowledgeBase, answerer: Answerer, ctx: Context) -> Context:
    return Context(kb=kb, answerer=answerer, tz=ctx.tz, channel="slack")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def process_env(fake: FakeSlack, db: Path, token: str = "xoxb-process", **extra: str) -> dict[str, str]:
    """The environment of a `toimintamalli` process against `fake`: nothing of this shell's Slack
    or store settings, the repository importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
    root = Path(__file__).resolve().parents[2]
    env.update(SLACK_BOT_TOKEN=token, SLACK_SIGNING_SECRET=SECRET, SLACK_API_BASE_URL=fake.base_url,
               TOIMINTAMALLI_DB=str(db), PYTHONPATH=str(root), **extra)  # fmt: skip
    return env


def make_settings(fake: FakeSlack, db: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_BASE_URL=fake.base_url,
        TOIMINTAMALLI_DB=db,
    )


@dataclass
class RunningServer:
    server: SlackHttpServer
    store: Store
    thread: threading.Thread
    sender: SlackSender

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def stop(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)
        self.store.close()


class ServerFactory:
    def __init__(self, fake: FakeSlack, db: Path, ctx: Context) -> None:
        self.fake = fake
        self.db = db
        self.ctx = ctx
        self.running: list[RunningServer] = []

    def start(self) -> RunningServer:
        store = Store(self.db)
        server = create_http_server(
            make_settings(self.fake, self.db), store, self.ctx, host="127.0.0.1", port=0
        )
        thread = threading.Thread(target=server.run, name="slack-server", daemon=True)
        thread.start()
        running = RunningServer(server, store, thread, SlackSender(f"http://127.0.0.1:{server.port}"))
        assert http(running.url + "/healthz").status == 200
        self.running.append(running)
        return running

    def stop_all(self) -> None:
        for running in self.running:
            running.stop()
        self.running.clear()


@pytest.fixture
def servers(fake_slack: FakeSlack, tmp_path: Path, slack_ctx: Context) -> Iterator[ServerFactory]:
    factory = ServerFactory(fake_slack, tmp_path / "store.sqlite", slack_ctx)
    yield factory
    factory.stop_all()


@pytest.fixture
def server(servers: ServerFactory) -> RunningServer:
    return servers.start()


@pytest.fixture
def sender(server: RunningServer) -> SlackSender:
    return server.sender
