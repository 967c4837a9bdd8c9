"""One turn, the same for every channel: load the state, `dialogs.router.respond`, save once, reply.

A turn reads two records, the user's own state and the conversation's (bot.state), builds the
dict the router works on, and writes back what changed in one compare-and-set commit. If another
process (or thread) wrote either record in the meantime, the commit is refused and the turn runs
again on the fresh state, so two turns never overwrite each other, whichever process runs them.
Within one process turns of the same user also queue on a lock, so they rarely need to run again.

Nothing here knows a channel: the channel gives an Address and a conversation id, and delivers the
replies. Answers the knowledge base was not sure about are logged for the maintainers
(`toimintamalli kb feedback`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.feedback import FeedbackLog
from bot.state import (
    CONVERSATIONS,
    Address,
    ConversationState,
    UserState,
    load_conversation_state,
    load_user_state,
)
from bot.storage import Storage, StorageError, Write
from bot.storage.base import CONFLICT_RETRIES
from dialogs.context import Context
from dialogs.replies import Reply
from dialogs.router import respond
from knowledge.rules import default_rules

log = logging.getLogger(__name__)
HOUSEKEEPING_EVERY = 500
Change = Callable[[dict[str, Any], dt.datetime], tuple[dict[str, Any], list[Reply]]]


@dataclass(frozen=True)
class Turn:
    replies: list[Reply]
    before: dict[str, Any]  # the user's own state before and after (as the router sees it)
    after: dict[str, Any]
    undo: list[Write] = field(default_factory=list)  # puts back what the turn wrote, if nothing came after

    @property
    def needs_private(self) -> bool:
        """The user asked, where others read, for what only a private conversation can hold."""
        return any(r.needs_private for r in self.replies)


class TurnPipeline:
    def __init__(
        self,
        storage: Storage,
        ctx: Context,
        feedback: FeedbackLog | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.storage = storage
        self.ctx = ctx
        self.feedback = feedback or FeedbackLog(storage)
        self.clock = clock or (lambda: dt.datetime.now(ctx.tz))
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._turns = 0

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def run(
        self,
        address: Address,
        text: str,
        conversation: str = "",
        private: bool = True,
        clicked_step: str | None = None,
        session: str = "",
    ) -> Turn:
        """The replies to `text` from the user at `address`, in `conversation`; the new state is saved
        first. `private`, `clicked_step` and `session` as in dialogs.router.respond."""
        return self.apply(
            address,
            conversation,
            lambda state, now: respond(
                state,
                text,
                now,
                self.ctx,
                conversation,
                session=session,
                private=private,
                clicked_step=clicked_step,
            ),
        )

    def apply(self, address: Address, conversation: str, change: Change) -> Turn:
        """One turn made by `change(state, now) -> (new_state, replies)`, e.g. a submitted form."""
        user_key = address.key
        conv_key = address.conversation_key(conversation) if conversation else None
        keys = [user_key] if conv_key is None else [user_key, conv_key]
        with self._lock_for(user_key):
            for _ in range(CONFLICT_RETRIES):
                now = self.clock()
                try:
                    loaded = self.storage.load_many(keys)
                except StorageError:
                    return self._not_saved({})
                user = load_user_state(loaded[user_key].value)
                state = user.turn_dict()
                if conv_key is not None:
                    context = load_conversation_state(loaded[conv_key].value).context
                    if context:
                        state[CONVERSATIONS] = {conversation: context}
                new_state, replies = change(state, now)
                writes, undo = self._writes(address, conversation, user, loaded, new_state)
                if not writes:  # a plain question in a new conversation with nothing to keep
                    break
                try:
                    committed = self.storage.commit(writes)
                except StorageError:  # full disk, read-only file, database gone: nothing changed
                    return self._not_saved(state)
                if committed:
                    break
                log.info("turn of %s met a newer state; running it again", user_key)
            else:
                return self._not_saved(state)
        self._count_turn(now)
        for reply in replies:
            if reply.kind == "answer" and not reply.confident:
                with contextlib.suppress(StorageError):  # the store logged it; the answer still goes out
                    self.feedback.record_unanswered(address, reply, now)
        own = {k: v for k, v in new_state.items() if k != CONVERSATIONS}
        return Turn(replies, {k: v for k, v in state.items() if k != CONVERSATIONS}, own, undo)

    def _writes(
        self,
        address: Address,
        conversation: str,
        user: UserState,
        loaded: dict[str, Any],
        new_state: dict[str, Any],
    ) -> tuple[list[Write], list[Write]]:
        """What to commit (only what changed) and how to put it back."""
        reach = user.address  # where reminders go: the address of the latest turn that can reach the user
        if new_state.get("reminders") and (address.reach or user.address is None):
            reach = address  # (a turn in a channel has no way to reach the user later: the stored one stays)
        new_user = UserState.from_turn(new_state, reach).stored()
        found = loaded[address.key]
        writes, undo = [], []
        if new_user != (found.value or UserState().stored()):
            writes.append(Write(address.key, new_user, found.version))
            # undoing a new record stores it empty, not deleted: its version never goes back to 0, so
            # a turn elsewhere that read the deleted version can never commit over a later one
            undo.append(Write(address.key, found.value or {}, found.version + 1))
        if conversation:
            conv_key = address.conversation_key(conversation)
            context = (new_state.get(CONVERSATIONS) or {}).get(conversation)
            stored = loaded[conv_key]
            new_conv = ConversationState(context=context).stored() if context else None
            if new_conv is not None and new_conv != stored.value:
                writes.append(Write(conv_key, new_conv, stored.version))
                undo.append(Write(conv_key, stored.value or {}, stored.version + 1))
        return writes, undo

    def _count_turn(self, now: dt.datetime) -> None:
        """Every HOUSEKEEPING_EVERY turns (per process), the store forgets what has expired."""
        with self._guard:
            self._turns += 1
            due = self._turns % HOUSEKEEPING_EVERY == 0
        if due:
            with contextlib.suppress(StorageError):  # logged by the store; the next round tries again
                self.storage.housekeeping(now)

    @staticmethod
    def _not_saved(state: dict[str, Any]) -> Turn:
        own = {k: v for k, v in state.items() if k != CONVERSATIONS}
        return Turn([Reply(default_rules().dialog.not_saved, kind="error")], own, own)

    def take_back(self, turn: Turn) -> bool:
        """Undo `turn` (its replies never reached the user), if no other turn came after it."""
        if not turn.undo:
            return False
        try:
            return self.storage.commit(turn.undo)
        except StorageError:
            return False

    def state(self, address: Address) -> dict[str, Any]:
        """The user's own state as the router sees it (a copy)."""
        return load_user_state(self.storage.load(address.key).value).turn_dict()
