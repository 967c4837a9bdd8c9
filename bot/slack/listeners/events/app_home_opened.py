"""The App Home tab: published fresh each time the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.home import publish_home
from bot.slack.services import services_of


def handle_app_home_opened(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    publish_home(services_of(context), client, context.team_id or "", str(event["user"]))
