"""`@toimintamalli …` in a channel: the answer goes to the message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.conversation import converse
from bot.slack.deliver import ChannelDestination
from bot.slack.services import services_of
from bot.slack.text import from_slack


def handle_app_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    channel = str(event.get("channel") or "")
    user = event.get("user")
    if not channel or not user or event.get("bot_id") or channel.startswith("D"):
        return  # bots are not answered; in a DM the message.im event carries the same text
    text = from_slack(str(event.get("text") or ""), context.bot_user_id)
    thread_ts = event.get("thread_ts") or event.get("ts")
    destination = ChannelDestination(client, channel, thread_ts)
    converse(services_of(context), client, destination, context.team_id or "", str(user), text)
