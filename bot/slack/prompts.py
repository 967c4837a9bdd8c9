"""Keeps only the latest dialog prompt clickable: older choice buttons go once the talk moves on.

Without this, a button left on an older prompt (the user typed instead of clicking) would feed
its value to whatever step the dialog is at now. The latest prompt with choices is remembered
per user and conversation (in memory); after the next turn there, its choice blocks are
removed with chat.update. Suggestions and 👍/👎 stay. A second click on the same choice block
(a double click) is ignored.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.deliver import ChannelDestination

CHOICE_BLOCK_PREFIX = "choices-"
CLICKS_KEPT = 10_000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prompt:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]


def _has_choices(blocks: list[dict[str, Any]]) -> bool:
    return any(str(b.get("block_id", "")).startswith(CHOICE_BLOCK_PREFIX) for b in blocks)


def without_choices(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if not str(b.get("block_id", "")).startswith(CHOICE_BLOCK_PREFIX)]


class PromptTracker:
    def __init__(self) -> None:
        self._latest: dict[tuple[str, str, str], Prompt] = {}
        self._clicked: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_click(self, body: dict[str, Any], block_id: str) -> bool:
        """False for a second click on the same choice block (a double click, or one racing the update)."""
        container = body.get("container") or {}
        where = container.get("message_ts") or (body.get("message") or {}).get("ts")
        if not where or not block_id:
            return True
        user = (body.get("user") or {}).get("id", "") if isinstance(body.get("user"), dict) else ""
        key = f"{container.get('channel_id', '')}:{where}:{block_id}:{user}"  # each reader votes once
        with self._lock:
            if key in self._clicked:
                return False
            self._clicked[key] = None
            if len(self._clicked) > CLICKS_KEPT:
                self._clicked.popitem(last=False)
        return True

    def after_turn(self, client: WebClient, team: str, user: str, destination: object) -> None:
        """Retire the previous prompt in this conversation and remember the new one (if it has choices)."""
        if not isinstance(destination, ChannelDestination):
            return
        key = (team, user, f"{destination.channel}:{destination.thread_ts or ''}")
        newest = next(
            (
                Prompt(destination.channel, ts, text, blocks)
                for ts, text, blocks in reversed(destination.posted)
                if ts
            ),
            None,
        )
        if newest is None:
            return
        with self._lock:
            previous = self._latest.pop(key, None)
            if _has_choices(newest.blocks):
                self._latest[key] = newest
        if previous is not None and previous.ts != newest.ts:
            _retire(client, previous)

    def forget(self, channel: str, ts: str) -> None:
        """The prompt was answered by a click (its block is already marked)."""
        with self._lock:
            for key, prompt in list(self._latest.items()):
                if prompt.channel == channel and prompt.ts == ts:
                    del self._latest[key]


def _retire(client: WebClient, prompt: Prompt) -> None:
    try:
        client.chat_update(
            channel=prompt.channel, ts=prompt.ts, text=prompt.text, blocks=without_choices(prompt.blocks)
        )
    except SlackApiError as exc:
        log.info("could not retire an old prompt: %s", exc.response.get("error"))
