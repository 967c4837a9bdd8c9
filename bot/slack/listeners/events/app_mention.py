"""`@toimintamalli …` in a channel: the answer goes to the message's thread; `check` moves to the DM."""

from __future__ import annotations

from typing import Any

from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.deliver import ChannelDestination
from bot.slack.mrkdwn import from_slack
from bot.slack.services import services_of
from bot.slack.turn_flow import converse


def handle_app_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    channel = str(event.get("channel") or "")
    user = event.get("user")
    if not channel or not user or event.get("bot_id") or channel.startswith("D"):
        return  # bots are not answered; in a DM the message.im event carries the same text
    services = services_of(context)
    team = context.team_id or ""
    text = from_slack(str(event.get("text") or ""), context.bot_user_id)
    thread = ChannelDestination(client, channel, event.get("thread_ts") or event.get("ts"))
    converse(services, client, thread, team, str(user), text)  # `check` moves on to the DM there
