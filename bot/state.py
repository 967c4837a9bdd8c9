"""Typed state, as stored: a user's state and a conversation's state, each under a scope key.

Keys are ``channel:team:user`` for a user and ``channel:team:user:conversation`` for one of the user's
conversations (a DM, a thread, a Teams chat, the terminal session). Each part is percent-escaped,
so ids that hold colons (Teams' "19:…@thread.v2") cannot run into the next part.

The dialogs work on plain dicts (`dialogs.router.respond`); the turn pipeline (`bot.turns`) builds that
dict from these models before the turn and splits it back after. A state saved by the release before
scopes (one untyped dict per "team:user", question contexts inside it, no address) migrates on read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = 2  # 1: the untyped dict of the first release (no "v" field)
CONVERSATIONS = "conversations"  # where dialogs.answers keeps question contexts in the turn's dict


def _part(value: str) -> str:
    return (value or "-").replace("%", "%25").replace(":", "%3A")


def _unpart(value: str) -> str:
    return "" if value == "-" else value.replace("%3A", ":").replace("%25", "%")


def scope_key(*parts: str) -> str:
    return ":".join(_part(p) for p in parts)


def split_key(key: str) -> list[str]:
    return [_unpart(p) for p in key.split(":")]


class Address(BaseModel):
    """Where a user is reached: the channel, team and user, and what the channel needs to reach them
    later without a message from them (Teams: the conversation reference; Slack needs nothing more)."""

    model_config = ConfigDict(frozen=True)

    channel: str
    team: str = ""
    user: str
    reach: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return scope_key(self.channel, self.team, self.user)

    def conversation_key(self, conversation: str) -> str:
        return scope_key(self.channel, self.team, self.user, conversation)


class UserState(BaseModel):
    """One user's own state: the check dialog's draft, the last perustiedot, reminder subscriptions,
    and the address reminders go to. The inner shapes are the dialogs' (dialogs.perustiedot,
    dialogs.schedule); unknown top-level fields of a newer release are kept, not dropped."""

    model_config = ConfigDict(extra="allow")

    v: int = SCHEMA
    dialog: dict[str, Any] | None = None
    perustiedot: dict[str, Any] | None = None
    reminders: dict[str, Any] | None = None
    address: Address | None = None

    def turn_dict(self) -> dict[str, Any]:
        """The dict a turn works on (without the address and the version)."""
        return self.model_dump(exclude={"v", "address"}, exclude_none=True)

    @classmethod
    def from_turn(cls, data: dict[str, Any], address: Address | None) -> UserState:
        own = {k: v for k, v in data.items() if k != CONVERSATIONS}
        return cls(**own, address=address)

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ConversationState(BaseModel):
    """What one conversation remembers: the question context of knowledge.conversation."""

    model_config = ConfigDict(extra="allow")

    v: int = SCHEMA
    context: dict[str, Any] | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def load_user_state(raw: dict[str, Any] | None) -> UserState:
    """A stored user state, migrated if older; an unreadable shape becomes an empty state."""
    if not raw:
        return UserState()
    data = {k: v for k, v in raw.items() if k != CONVERSATIONS}
    try:
        return UserState(**data)
    except (TypeError, ValueError):
        return UserState()


def load_conversation_state(raw: dict[str, Any] | None) -> ConversationState:
    if not raw:
        return ConversationState()
    try:
        return ConversationState(**raw)
    except (TypeError, ValueError):
        return ConversationState()


def release1_address(old_key: str) -> Address:
    """The address of a first-release key "team:user": the terminal's team was "terminal", and every
    other user was a Slack user (the only other channel of that release)."""
    team, _, user = old_key.partition(":")
    if team == "terminal":
        return Address(channel="terminal", user=user)
    return Address(channel="slack", team="" if team == "-" else team, user=user)


def reminder_key(user_key: str, deadline_id: str, deadline_date: str, offset: int) -> str:
    """The claim key of one reminder: the deadline's date is part of it, so a moved deadline's
    reminders go out again for the new date."""
    return f"reminder:{user_key}:{_part(deadline_id)}:{deadline_date}:{offset}"


def migrate_release1(old_key: str, value: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The records for one state of the first release, keyed "team:user": the user's state (with the
    address it was reached at) and one record per conversation context it held. The first release
    had two channels: the terminal (team "terminal") and Slack (every other team)."""
    address = release1_address(old_key)
    state = load_user_state(value)
    if address.channel != "terminal":  # the terminal has no one to reach later
        state.address = address
    records = [(address.key, state.stored())]
    for conversation, context in (value.get(CONVERSATIONS) or {}).items():
        if isinstance(context, dict):
            records.append(
                (address.conversation_key(str(conversation)), ConversationState(context=context).stored())
            )
    return records
