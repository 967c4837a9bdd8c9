"""Posting rendered messages where a reply belongs: a channel or thread, a DM, or an ephemeral reply.

No error escapes from here: Slack's refusals, a connection refused or reset, a timeout. Rate
limits (429) and connection errors are first retried by slack_sdk's retry handlers; what still fails
for the moment (429, 5xx, unreachable) is kept in the outbox and sent later (bot.slack.outbox); a
channel the bot cannot post to (channel_not_found, not_in_channel, …) makes the bot send the reply
to the user's DM with a note; anything else is logged, without a traceback or the response_url,
and `deliver` says so, so that the caller can undo a turn the user never saw.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.slack import texts
from bot.slack.blocks import section
from bot.slack.mrkdwn import escape
from bot.slack.outbox import DeliveryError, Outbox
from bot.slack.render import Outgoing

log = logging.getLogger(__name__)

UNREACHABLE = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "cannot_reply_to_message"}
)


# kept for later only when Slack surely did not post it (a repeat must not post the reply twice):
# rate limited, unavailable, or the connection never opened
RETRYABLE = frozenset({"ratelimited", "service_unavailable"})
RETRYABLE_STATUS = frozenset({429, 503})


def _never_sent(exc: BaseException) -> bool:
    """A connection that was refused or a name that did not resolve: the request never reached Slack.
    A timeout or a reset may come after Slack took the message, so it is not repeated."""
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def _api_error(exc: SlackApiError) -> DeliveryError:
    error = str(exc.response.get("error", "unknown_error"))
    status = int(getattr(exc.response, "status_code", 200) or 200)
    headers = {k.lower(): v for k, v in (getattr(exc.response, "headers", None) or {}).items()}
    after = headers.get("retry-after")
    retry_after = float(after) if isinstance(after, str) and after.isdigit() else None
    return DeliveryError(error, error in RETRYABLE or status in RETRYABLE_STATUS, retry_after)


class Destination(Protocol):
    @property
    def conversation(self) -> str:
        """Where the talk happens (a channel, a thread, a DM): follow-up questions lean on it."""

    @property
    def private(self) -> bool:
        """Whether only the user reads what is posted here (a DM, an ephemeral reply)."""

    @property
    def holds_dialog(self) -> bool:
        """Whether the user's next messages here reach the bot, as a dialog needs (a DM)."""

    def post(self, message: Outgoing) -> None:
        """Post one message; raises DeliveryError when Slack does not take it."""

    def address(self) -> dict[str, Any] | None:
        """Where to send again later (bot.slack.outbox), as plain data."""


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

    @property
    def private(self) -> bool:
        return self.channel.startswith("D")  # a DM's id starts with D; channels and groups are shared

    @property
    def holds_dialog(self) -> bool:
        return self.private

    def post(self, message: Outgoing) -> None:
        blocks = message.block_dicts()
        try:
            result = self.client.chat_postMessage(
                channel=self.channel,
                text=message.text,
                blocks=blocks,
                thread_ts=self.thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            raise _api_error(exc) from None
        except (SlackClientError, OSError, ValueError) as exc:  # URLError, timeouts, a bad response
            raise DeliveryError(type(exc).__name__, retryable=_never_sent(exc)) from None
        self.posted.append((str(result.get("ts") or ""), message.text, blocks))

    def address(self) -> dict[str, Any] | None:
        return {"kind": "channel", "channel": self.channel, "thread_ts": self.thread_ts}


@dataclass
class ResponseUrlDestination:
    """An ephemeral reply through the request's response_url (slash commands, ephemeral messages).

    Posted with slack_sdk's WebhookClient and the same retry handlers as the Web API client.
    """

    url: str | None
    conversation: str = ""  # the channel the command or click came from
    private: bool = True  # an ephemeral reply is seen by the user only
    holds_dialog: bool = False  # the user's next message here is not a reply to it

    def post(self, message: Outgoing) -> None:
        if not self.url:
            log.warning("no response_url to answer to; %d character(s) not sent", len(message.text))
            return
        # both handlers: passing retry_handlers replaces slack_sdk's default connection-error retry
        webhook = WebhookClient(
            self.url,
            retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=3)],
        )
        try:
            result = webhook.send(
                text=message.text,
                blocks=message.block_dicts(),
                response_type="ephemeral",
                replace_original=False,
                unfurl_links=False,
                unfurl_media=False,
            )
        except (SlackClientError, OSError, ValueError) as exc:
            raise DeliveryError(type(exc).__name__, retryable=_never_sent(exc)) from None
        if result.status_code != 200:
            status = result.status_code
            raise DeliveryError(f"HTTP {status}: {str(result.body)[:80]}", status in RETRYABLE_STATUS)

    def address(self) -> dict[str, Any] | None:
        return (
            {"kind": "response_url", "url": self.url, "conversation": self.conversation} if self.url else None
        )


def destination_for(client: WebClient, address: dict[str, Any]) -> Destination:
    """The destination an outbox address names."""
    if address.get("kind") == "response_url":
        return ResponseUrlDestination(str(address.get("url") or ""), str(address.get("conversation") or ""))
    return ChannelDestination(client, str(address.get("channel") or ""), address.get("thread_ts"))


class _RedactUrls(logging.Filter):
    """slack_sdk's webhook client logs the whole response_url when it retries; anyone holding that
    URL can post into the channel for 30 minutes, so the log gets the host only."""

    URL = re.compile(r"(https?://[^/\s]+)/\S*")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.URL.sub(r"\1/…", record.getMessage())
        record.args = ()
        return True


def redact_webhook_logs() -> None:
    """Keep response_urls out of the log (idempotent)."""
    webhook_log = logging.getLogger("slack_sdk.webhook.client")
    if not any(isinstance(f, _RedactUrls) for f in webhook_log.filters):
        webhook_log.addFilter(_RedactUrls())


def open_dm(client: WebClient, user: str) -> str:
    """The id of the bot's DM with `user` (conversations.open)."""
    result = client.conversations_open(users=user)
    channel = result.get("channel") or {}
    return str(channel["id"])


def deliver(
    client: WebClient,
    destination: Destination,
    messages: Sequence[Outgoing],
    user: str | None,
    outbox: Outbox | None = None,
) -> bool:
    """Post `messages` in order; True when all were posted somewhere the user can see them, or kept in
    `outbox` to be sent when Slack takes them again."""
    for index, message in enumerate(messages):
        try:
            destination.post(message)
        except DeliveryError as exc:
            rest = list(messages[index:])
            if exc.error in UNREACHABLE and user:
                log.warning(
                    "cannot post to %s (%s); sending to the user's DM", destination.conversation, exc.error
                )
                return _to_dm(client, user, exc.error, rest)
            address = destination.address()
            now = dt.datetime.now(dt.UTC)
            if exc.retryable and outbox and address and outbox.keep(address, rest, exc.retry_after, now):
                return True
            log.error("posting to Slack failed (%s); %d message(s) not sent", exc.error, len(rest))
            return False
    return True


def _to_dm(client: WebClient, user: str, error: str, messages: Sequence[Outgoing]) -> bool:
    note_text = escape(texts.POST_FAILED.format(error=error))
    note = Outgoing(text=note_text, blocks=[section(note_text)])
    try:
        dm = ChannelDestination(client, open_dm(client, user))
        for message in (note, *messages):
            dm.post(message)
    except DeliveryError as exc:
        log.error("could not reach user %s in a DM either: %s", user, exc.error)
        return False
    except (SlackClientError, OSError, ValueError, KeyError) as exc:
        log.error("could not reach user %s in a DM either: %s", user, type(exc).__name__)
        return False
    return True


def notify(client: WebClient, destination: Destination, text: str, user: str | None = None) -> bool:
    """A one-line note (escaped here) to `destination`."""
    escaped = escape(text)
    return deliver(client, destination, [Outgoing(text=escaped, blocks=[section(escaped)])], user)
