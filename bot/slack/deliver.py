"""Posting rendered messages where a reply belongs: a channel or thread, a DM, or an ephemeral reply.

Slack API errors never escape from here. Rate limits (429) are retried by the client's
RateLimitErrorRetryHandler; a channel the bot cannot post to (channel_not_found,
not_in_channel, …) makes the bot send the reply to the user's DM with a note; anything else
is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.slack import texts
from bot.slack.blocks import section
from bot.slack.render import Outgoing
from bot.slack.text import escape

log = logging.getLogger(__name__)

UNREACHABLE = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "cannot_reply_to_message"}
)


class Destination(Protocol):
    @property
    def conversation(self) -> str:
        """Where the talk happens (a channel, a thread, a DM): follow-up questions lean on it."""

    def post(self, message: Outgoing) -> None:
        """Post one message; raises SlackApiError when Slack refuses it."""


@dataclass
class ChannelDestination:
    """A channel, DM or thread (`thread_ts`) through chat.postMessage."""

    client: WebClient
    channel: str
    thread_ts: str | None = None
    posted: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)  # (ts, text, blocks)

    @property
    def conversation(self) -> str:
        return f"{self.channel}:{self.thread_ts}" if self.thread_ts else self.channel

    def post(self, message: Outgoing) -> None:
        blocks = message.block_dicts()
        result = self.client.chat_postMessage(
            channel=self.channel,
            text=message.text,
            blocks=blocks,
            thread_ts=self.thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
        self.posted.append((str(result.get("ts") or ""), message.text, blocks))


@dataclass
class ResponseUrlDestination:
    """An ephemeral reply through the request's response_url (slash commands, ephemeral messages).

    Posted with slack_sdk's WebhookClient and the same 429 retry handler as the Web API client.
    """

    respond: Respond
    conversation: str = ""  # the channel the command or click came from

    def post(self, message: Outgoing) -> None:
        url = self.respond.response_url
        if not url:
            log.warning("no response_url to answer to; %d character(s) not sent", len(message.text))
            return
        webhook = WebhookClient(url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)])
        result = webhook.send(
            text=message.text,
            blocks=message.block_dicts(),
            response_type="ephemeral",
            replace_original=False,
            unfurl_links=False,
            unfurl_media=False,
        )
        if result.status_code != 200:
            log.warning("response_url answered %s: %s", result.status_code, result.body)


def open_dm(client: WebClient, user: str) -> str:
    """The id of the bot's DM with `user` (conversations.open)."""
    result = client.conversations_open(users=user)
    channel = result.get("channel") or {}
    return str(channel["id"])


def deliver(
    client: WebClient, destination: Destination, messages: Sequence[Outgoing], user: str | None
) -> bool:
    """Post `messages` in order; True when all were posted somewhere the user can see them."""
    for index, message in enumerate(messages):
        try:
            destination.post(message)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            if error in UNREACHABLE and user:
                log.warning("cannot post to %s (%s); sending to the user's DM", destination, error)
                return _to_dm(client, user, error, messages[index:])
            log.error("Slack refused a message (%s); %d message(s) not sent", error, len(messages) - index)
            return False
        except SlackClientError as exc:
            log.error("posting to Slack failed: %s", exc)
            return False
    return True


def _to_dm(client: WebClient, user: str, error: str, messages: Sequence[Outgoing]) -> bool:
    note_text = escape(texts.POST_FAILED.format(error=error))
    note = Outgoing(text=note_text, blocks=[section(note_text)])
    try:
        dm = ChannelDestination(client, open_dm(client, user))
        for message in (note, *messages):
            dm.post(message)
    except (SlackApiError, SlackClientError, KeyError) as exc:
        log.error("could not reach user %s in a DM either: %s", user, exc)
        return False
    return True


def notify(client: WebClient, destination: Destination, text: str, user: str | None = None) -> bool:
    """A one-line note (escaped here) to `destination`."""
    escaped = escape(text)
    return deliver(client, destination, [Outgoing(text=escaped, blocks=[section(escaped)])], user)
