"""A running Teams endpoint (bot.teams.server in a thread, local mode) and Activity JSON to post to it."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.storage.sqlite import SqliteStorage
from bot.teams.server import TeamsServer
from dialogs.context import Context
from knowledge.answering import Answerer
from knowledge.loader import KnowledgeBase
from tests.fake_connector import FakeConnector

USER = {"id": "29:1maija", "name": "Maija Meikäläinen", "aadObjectId": "00000000-0000-0000-0000-0000000000aa"}
BOT = {"id": "28:toimintamalli", "name": "Toimintamalli"}
TENANT = "11111111-2222-3333-4444-555555555555"
PERSONAL = "a:1personal-chat"
CHANNEL = "19:kanava@thread.tacv2;messageid=1700000000000"
_ids = itertools.count(1)


@pytest.fixture(scope="package")
def teams_ctx(kb: KnowledgeBase, answerer: Answerer, ctx: Context) -> Context:
    return Context(kb=kb, answerer=answerer, tz=ctx.tz, channel="teams")


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    with FakeConnector() as fake:
        yield fake


def local_settings(**extra: Any) -> Settings:
    return Settings(_env_file=None, **extra)  # type: ignore[call-arg]


@dataclass
class Response:
    status: int
    body: Any

    @property
    def activities(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("activities") or [])

    @property
    def text(self) -> str:
        return "\n".join(str(a.get("text") or "") for a in self.activities)


@dataclass
class TeamsClient:
    """Posts Activity JSON to the running endpoint, as the Bot Connector (or the Playground) would."""

    url: str
    service_url: str
    conversation: str = PERSONAL
    sent: list[dict[str, Any]] = field(default_factory=list)

    def post_raw(self, body: bytes, headers: dict[str, str] | None = None) -> Response:
        request = urllib.request.Request(
            self.url + "/api/messages", data=body, method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                raw = answer.read()
                return Response(answer.status, json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return Response(error.code, json.loads(raw) if raw else None)
            except ValueError:
                return Response(error.code, raw.decode(errors="replace"))

    def activity(self, **fields: Any) -> dict[str, Any]:
        activity = {
            "type": "message",
            "id": f"act-{next(_ids)}",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": USER,
            "recipient": BOT,
            "conversation": {"id": self.conversation, "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "deliveryMode": "expectReplies",
            "locale": "fi-FI",
        }
        activity.update(fields)
        return activity

    def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
        self.sent.append(activity)
        return self.post_raw(json.dumps(activity).encode(), headers)

    def say(self, text: str, **fields: Any) -> Response:
        return self.post(self.activity(text=text, **fields))

    def submit(self, value: dict[str, Any], **fields: Any) -> Response:
        return self.post(self.activity(value=value, **fields))

    def mention(self, text: str, **fields: Any) -> Response:
        conversation = {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT, "isGroup": True}
        mention = {"type": "mention", "text": "<at>Toimintamalli</at>", "mentioned": BOT}
        return self.post(
            self.activity(
                text=f"<at>Toimintamalli</at> {text}",
                conversation=conversation,
                entities=[mention],
                channelData={"tenant": {"id": TENANT}, "teamsChannelId": "19:kanava@thread.tacv2"},
                **fields,
            )
        )


@dataclass
class RunningTeams:
    server: TeamsServer
    store: SqliteStorage
    client: TeamsClient

    def stop(self) -> None:
        self.server.stop()
        self.store.close()


class TeamsFactory:
    def __init__(self, connector: FakeConnector, db: Path, ctx: Context) -> None:
        self.connector = connector
        self.db = db
        self.ctx = ctx
        self.running: list[RunningTeams] = []

    def start(
        self, clock: Callable[[], dt.datetime] | None = None, settings: Settings | None = None
    ) -> RunningTeams:
        store = SqliteStorage(self.db)
        server = TeamsServer(settings or local_settings(), store, self.ctx, port=0, clock=clock)
        port = server.start()
        running = RunningTeams(server, store, TeamsClient(f"http://127.0.0.1:{port}", self.connector.url))
        self.running.append(running)
        return running

    def stop_all(self) -> None:
        for running in self.running:
            running.stop()
        self.running.clear()


@pytest.fixture
def teams(connector: FakeConnector, tmp_path: Path, teams_ctx: Context) -> Iterator[TeamsFactory]:
    factory = TeamsFactory(connector, tmp_path / "store.sqlite", teams_ctx)
    yield factory
    factory.stop_all()


@pytest.fixture
def client(teams: TeamsFactory) -> TeamsClient:
    return teams.start().client


def cards(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a["content"]
        for a in activity.get("attachments") or []
        if a.get("contentType", "").endswith("adaptive")
    ]


def actions(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [action for card in cards(activity) for action in card.get("actions") or []]
