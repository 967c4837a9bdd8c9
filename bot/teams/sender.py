"""Reminders to Teams users: a proactive message through the conversation reference kept with the
subscription (bot.scheduler's Sender for the channel "teams")."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any

from microsoft_agents.activity import ConversationReference
from microsoft_agents.hosting.core import TurnContext

from bot.scheduler import OutcomeUnknown
from bot.state import Address
from bot.teams.cards import message

SEND_TIMEOUT = 60.0


class NoReference(Exception):
    """The user subscribed before a conversation reference could be kept (nothing to send to)."""


class TeamsSender:
    """Sends `text` as plain text to the user's personal chat. `loop`: the server's event loop, when the
    scheduler runs in a thread beside it; without it each send runs its own loop (the CLI)."""

    def __init__(self, adapter: Any, app_id: str, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.loop = loop

    def send(self, address: Address, text: str) -> None:
        raw = address.reach.get("conversation_reference")
        if not isinstance(raw, dict):
            raise NoReference(address.key)
        reference = ConversationReference.model_validate(raw)

        failed: list[Exception] = []

        async def post(context: TurnContext) -> None:
            try:
                await context.send_activity(message(text))
            except Exception as exc:  # the adapter's error handler would swallow it: the claim must fail
                failed.append(exc)

        self._run(
            self.adapter.continue_conversation(self.app_id, reference.get_continuation_activity(), post)
        )
        if failed:
            raise failed[0]

    def _run(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run the send to its end; a send that outlasts SEND_TIMEOUT is cancelled and reported as
        OutcomeUnknown (it may have reached Teams: the scheduler will not send it again)."""
        if self.loop is not None and self.loop.is_running():
            future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
            try:
                future.result(SEND_TIMEOUT)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise OutcomeUnknown(f"no answer in {SEND_TIMEOUT:.0f} s") from None
        else:
            try:
                asyncio.run(asyncio.wait_for(coroutine, SEND_TIMEOUT))
            except TimeoutError:
                raise OutcomeUnknown(f"no answer in {SEND_TIMEOUT:.0f} s") from None
