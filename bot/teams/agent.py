"""The Teams side of a turn: an activity in, the channel-neutral turn (bot.turns), the replies out.

Personal chat holds everything (questions, the check dialog, reminders). In a channel or group chat
the bot answers when @mentioned (the mention is stripped) in the same conversation; the check dialog
moves to a personal chat with the user (a new 1:1 conversation), as in Slack it moves to the DM. A
card's submit is read as the user's input (bot.teams.cards); a 👍/👎 is stored as feedback. The
reference of the personal chat is kept with the user's reminder subscription, so the scheduler can
reach them later (bot.teams.sender). Each activity id is handled once (Teams retries deliveries).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from microsoft_agents.activity import Activity, ConversationParameters
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from bot.feedback import FeedbackLog
from bot.state import Address
from bot.storage import Storage, StorageError
from bot.teams.cards import message, render_replies, submitted, submitted_input
from bot.texts import text as bot_text
from bot.turns import Turn, TurnPipeline

log = logging.getLogger(__name__)
CHANNEL = "teams"
AUDIENCE = AuthenticationConstants.AGENTS_SDK_SCOPE  # the Bot Connector's audience
_AT = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def _t(key: str, **values: Any) -> str:
    return bot_text("teams", key, **values)


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference of `activity` as plain JSON (kept in the store)."""
    reference = activity.get_conversation_reference()
    # without the message's own id: the same chat gives the same reference (no rewrite every turn)
    return reference.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"activity_id"})


def tenant_of(activity: Activity) -> str:
    conversation = activity.conversation
    tenant = getattr(conversation, "tenant_id", None) if conversation else None
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return str(tenant or "")


def is_personal(activity: Activity) -> bool:
    kind = getattr(activity.conversation, "conversation_type", None) if activity.conversation else None
    return kind in (None, "", "personal")


def user_text(activity: Activity) -> str:
    """The message text without the bot's @mention (or any other <at> tag) and HTML entities."""
    raw = activity.remove_recipient_mention() if activity.recipient else (activity.text or "")
    return html.unescape(_AT.sub(" ", raw)).strip()


class TeamsAgent:
    """The Agent the SDK's CloudAdapter calls (`on_turn`) for each incoming activity."""

    def __init__(self, turns: TurnPipeline, storage: Storage, adapter: Any, app_id: str) -> None:
        self.turns = turns
        self.storage = storage
        self.feedback = FeedbackLog(storage)
        self.adapter = adapter
        self.app_id = app_id

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == "message":
            await self._message(context)
        elif activity.type == "conversationUpdate" and is_personal(activity):
            added = [m.id for m in activity.members_added or []]
            if activity.recipient is not None and activity.recipient.id in added:  # installed: the help
                await self._turn(context, self._address(activity), "apua", activity.conversation.id, True)

    def _address(self, activity: Activity, personal: bool | None = None) -> Address:
        sender = activity.from_property
        personal = is_personal(activity) if personal is None else personal
        return Address(
            channel=CHANNEL,
            team=tenant_of(activity),
            user=str(sender.id if sender else ""),
            reach={"conversation_reference": reference_of(activity)} if personal else {},
        )

    def _first_time(self, activity: Activity) -> bool:
        if not activity.id or not activity.conversation:
            return True
        return self.storage.new_event(f"teams:{activity.conversation.id}:{activity.id}")

    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        if not await asyncio.to_thread(self._first_time, activity):
            return
        clicked_step = None
        data = submitted(activity.value)
        if data is not None and data.get("toimintamalli") == "feedback":
            await self._vote(context, data)
            return
        if data is not None:
            said = submitted_input(data)
            clicked_step = str(data["step"]) if data.get("step") else None
        elif activity.value is not None and not (activity.text or "").strip():
            await context.send_activity(message(_t("card_unreadable")))
            return
        else:
            said = user_text(activity)
        private = is_personal(activity)
        address = self._address(activity)
        turn = await self._turn(context, address, said, activity.conversation.id, private, clicked_step)
        if turn is not None and turn.needs_private and not private:
            await asyncio.to_thread(self.turns.take_back, turn)
            await self._move_to_personal(context, address, said)

    async def _turn(
        self,
        context: TurnContext,
        address: Address,
        said: str,
        conversation: str,
        private: bool,
        clicked_step: str | None = None,
        deliver: bool = True,
    ) -> Turn | None:
        turn = await asyncio.to_thread(self.turns.run, address, said, conversation, private, clicked_step)
        if turn.needs_private and not private:
            return turn  # not shown here: the caller moves it to a personal chat
        try:
            await context.send_activities(render_replies(turn.replies))
        except Exception:
            if await asyncio.to_thread(self.turns.take_back, turn):
                log.warning("the replies did not reach %s; the turn was taken back", address.user)
            raise
        return turn

    async def _vote(self, context: TurnContext, data: dict[str, Any]) -> None:
        activity = context.activity
        vote = "up" if data.get("vote") == "up" else "down"
        where = f"{activity.conversation.id}:{activity.reply_to_id or ''}"
        try:
            await asyncio.to_thread(
                self.feedback.record_vote,
                self._address(activity, personal=False),
                where,
                vote,
                str(data.get("q") or ""),
                str(data["t"]) if data.get("t") else None,
                bool(data.get("c", True)),
                self.turns.clock(),
            )
        except StorageError:
            log.warning("a vote could not be stored")
        thanks = _t("feedback_thanks_up") if vote == "up" else _t("feedback_thanks_down")
        await context.send_activity(message(thanks))

    async def _move_to_personal(self, context: TurnContext, address: Address, said: str) -> None:
        """Open a 1:1 chat with the user and run `said` there; a short note where it was asked."""
        activity = context.activity
        recipient = (
            activity.recipient.model_dump(by_alias=True, exclude_none=True) if activity.recipient else None
        )
        parameters = ConversationParameters.model_validate(
            {
                "isGroup": False,
                "bot": recipient,
                "members": [{"id": address.user}],
                "tenantId": address.team or None,
            }
        )

        failed: list[Exception] = []

        async def in_personal(personal: TurnContext) -> None:
            there = personal.activity
            reach = {"conversation_reference": reference_of(there)}
            user = address.model_copy(update={"reach": reach})
            try:
                await self._turn(personal, user, said, there.conversation.id, True)
            except Exception as exc:  # the SDK would swallow it: the note below must not claim success
                failed.append(exc)

        try:
            await self.adapter.create_conversation(
                self.app_id, activity.channel_id, activity.service_url, AUDIENCE, parameters, in_personal
            )
        except Exception as exc:  # not installed for the user, or the connector refused
            failed.append(exc)
        if failed:
            log.warning("could not run the check in a personal chat with %s: %s", address.user, failed[0])
            await context.send_activity(message(_t("personal_failed", error=type(failed[0]).__name__)))
            return
        await context.send_activity(message(_t("check_in_personal")))
