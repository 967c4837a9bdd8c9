"""A message in the bot's DM: questions, the check dialog and reminder commands, answered in the DM."""

from __future__ import annotations

from typing import Any

from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack import texts
from bot.slack.deliver import ChannelDestination, notify
from bot.slack.mrkdwn import from_slack
from bot.slack.services import services_of
from bot.slack.turn_flow import converse

USER_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def is_direct_user_message(event: dict[str, Any]) -> bool:
    """A person's new message in a DM (not a bot, an edit, a deletion or a join)."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in USER_SUBTYPES
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and bool(event.get("user"))
        and bool(event.get("channel"))
    )


def handle_direct_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    text = from_slack(str(event.get("text") or ""), context.bot_user_id)
    destination = ChannelDestination(client, str(event["channel"]), event.get("thread_ts"))
    if not text.strip() and event.get("files"):  # a file alone: not an answer, not a request for help
        notify(client, destination, texts.FILES_NOT_READ, str(event["user"]))
        return
    converse(services_of(context), client, destination, context.team_id or "", str(event["user"]), text)
