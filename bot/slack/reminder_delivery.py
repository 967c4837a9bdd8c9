"""Sends reminder DMs through the Slack Web API (conversations.open + chat.postMessage), rate-limit aware.

The client retries HTTP 429 answers after Retry-After (slack_sdk's RateLimitErrorRetryHandler);
on top of that, posts to one channel are spaced at least `min_interval` seconds apart, as Slack
allows about one message per second per channel. The whole text is escaped (& < >), so a
personal deadline's description can never become a mention, a broadcast or a link.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.slack.mrkdwn import escape, split_text
from bot.state import Address

SECTION_LIMIT = 3000


def add_retry_handlers(client: WebClient) -> WebClient:
    """Make sure the client retries rate-limited (429) calls and dropped connections (a reminder's
    claim keeps a retried post from going out twice across processes)."""
    kinds = {type(handler) for handler in client.retry_handlers}
    if RateLimitErrorRetryHandler not in kinds:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    if ConnectionErrorRetryHandler not in kinds:
        client.retry_handlers.append(ConnectionErrorRetryHandler())
    return client


class ReminderDelivery:
    """The Slack Sender of bot.scheduler: opens (and remembers) the DM channel of a user and posts
    one reminder, paced per channel."""

    def __init__(
        self,
        client: WebClient,
        min_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = add_retry_handlers(client)
        self.min_interval = min_interval
        self._sleep = sleep
        self._clock = clock
        self._channels: dict[str, str] = {}
        self._last_post: dict[str, float] = {}
        self._lock = threading.Lock()

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM channel with `user_id` (conversations.open; cached)."""
        with self._lock:
            cached = self._channels.get(user_id)
        if cached:
            return cached
        response = self.client.conversations_open(users=user_id)
        channel = response.get("channel") or {}
        channel_id = str(channel.get("id") or "")
        if not channel_id:
            raise RuntimeError(f"conversations.open ei palauttanut kanavaa käyttäjälle {user_id}")
        with self._lock:
            self._channels[user_id] = channel_id
        return channel_id

    def _pace(self, channel: str) -> None:
        with self._lock:
            last = self._last_post.get(channel)
        if last is not None:
            wait = self.min_interval - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        with self._lock:
            self._last_post[channel] = self._clock()

    def send(self, address: Address, text: str) -> None:
        """Post `text` (plain, escaped here) as a DM to the user at `address`."""
        channel = self.dm_channel(address.user)
        safe = escape(text)
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in split_text(safe, SECTION_LIMIT)
        ]
        self._pace(channel)
        self.client.chat_postMessage(
            channel=channel, text=safe, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
