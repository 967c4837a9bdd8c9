"""Sends reminder DMs through the Slack Web API (conversations.open + chat.postMessage), rate-limit aware.

The client retries HTTP 429 answers after Retry-After (slack_sdk's RateLimitErrorRetryHandler);
on top of that, posts to one channel are spaced at least `min_interval` seconds apart, as Slack
allows about one message per second per channel. The whole text is escaped (& < >), so a
personal deadline's description can never become a mention, a broadcast or a link.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.settings import Settings
from bot.slack.text import escape, split_text

SECTION_LIMIT = 3000
TERMINAL_TEAM = "terminal"  # bot.terminal keeps its users under this team
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def build_client(settings: Settings) -> WebClient:
    """A WebClient for the bot token and API base URL of `settings`, retrying 429s and lost connections."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_base_url)
    add_retry_handlers(client)
    return client


def add_retry_handlers(client: WebClient) -> WebClient:
    """Make sure the client retries rate-limited (429) calls and dropped connections."""
    kinds = {type(handler) for handler in client.retry_handlers}
    if RateLimitErrorRetryHandler not in kinds:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    if ConnectionErrorRetryHandler not in kinds:
        client.retry_handlers.append(ConnectionErrorRetryHandler())
    return client


def user_id_of(user_key: str) -> str:
    """The Slack user id of a store key "team:user"."""
    return user_key.split(":", 1)[1] if ":" in user_key else user_key


def is_slack_user(user_key: str) -> bool:
    """Whether a store key belongs to a Slack user (ids start with U or W), not to the terminal channel."""
    if user_key.startswith(TERMINAL_TEAM + ":"):
        return False
    return bool(_SLACK_USER.match(user_id_of(user_key)))


class ReminderDelivery:
    """Opens (and remembers) the DM channel of a user and posts one reminder, paced per channel."""

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

    def send(self, user_key: str, text: str) -> str:
        """Post `text` (plain, escaped here) as a DM to the user of `user_key`; returns the message ts."""
        channel = self.dm_channel(user_id_of(user_key))
        safe = escape(text)
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in split_text(safe, SECTION_LIMIT)
        ]
        self._pace(channel)
        response = self.client.chat_postMessage(
            channel=channel, text=safe, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
        return str(response.get("ts") or "")
