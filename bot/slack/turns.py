"""One turn for one Slack user: load the state, `dialogs.router.respond`, save the state once (if changed).

Turns of the same user run one at a time (a lock per user), so two quick messages cannot
overwrite each other's state. The users' states are read from the store once, at start-up,
and kept in memory; every change is written to the store (and committed) before the replies
are posted. So one Slack process (`serve` or `socket`) should own a store file at a time.
Answers the knowledge base was not sure about are logged as unanswered questions for the
maintainers (`toimintamalli kb feedback`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.slack.feedback import FeedbackLog
from bot.store import Store, StoreError, user_key
from dialogs.context import Context
from dialogs.replies import Reply
from dialogs.router import respond
from knowledge.rules import default_rules


@dataclass(frozen=True)
class Turn:
    replies: list[Reply]
    before: dict[str, Any]
    after: dict[str, Any]


Change = Callable[[dict[str, Any], dt.datetime], tuple[dict[str, Any], list[Reply]]]


class TurnRunner:
    def __init__(
        self,
        store: Store,
        ctx: Context,
        feedback: FeedbackLog,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.ctx = ctx
        self.feedback = feedback
        self.clock = clock or (lambda: dt.datetime.now(ctx.tz))
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._states: dict[str, dict[str, Any]] = dict(store.users())

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def run(
        self,
        team: str,
        user: str,
        text: str,
        conversation: str = "",
        private: bool = True,
        clicked_step: str | None = None,
    ) -> Turn:
        """The replies to `text` from `user` (dialogs.router.respond); the new state is saved first.
        `private` and `clicked_step` as in dialogs.router.respond."""
        return self.apply(
            team,
            user,
            lambda state, now: respond(
                state, text, now, self.ctx, conversation, private=private, clicked_step=clicked_step
            ),
        )

    def apply(self, team: str, user: str, change: Change) -> Turn:
        """One turn made by `change(state, now) -> (new_state, replies)`, e.g. a submitted form; the
        result also holds the state before and after it, as saved under the user's lock (for `undo`)."""
        now = self.clock()
        key = user_key(team, user)
        with self._lock_for(key):
            state = self.state(team, user)
            new_state, replies = change(state, now)
            if new_state != state:  # a plain question changes nothing: no write, no commit
                try:
                    self.store.save_user(team, user, new_state)
                except StoreError:  # full disk, read-only file: nothing changed, and the user hears so
                    return Turn([Reply(default_rules().dialog.not_saved, kind="error")], state, state)
                with self._guard:
                    self._states[key] = new_state
        for reply in replies:
            if reply.kind == "answer" and not reply.confident:
                with contextlib.suppress(StoreError):  # the store logged it; the answer still goes out
                    self.feedback.record_unanswered(team, user, reply, now)
        return Turn(replies, state, new_state)

    def take_back(self, team: str, user: str, turn: Turn) -> bool:
        """Undo `turn` (its replies never reached the user), if no other turn came after it."""
        return self.undo(team, user, turn.before, turn.after)

    def undo(self, team: str, user: str, before: dict[str, Any], after: dict[str, Any]) -> bool:
        """Put back `before` if the user's state is still `after` (no other turn came in between):
        a turn whose replies never reached the user is taken back, so nothing is stored unseen."""
        key = user_key(team, user)
        with self._lock_for(key):
            if self.state(team, user) != after or before == after:
                return False
            try:
                self.store.save_user(team, user, before)
            except StoreError:
                return False
            with self._guard:
                self._states[key] = before
        return True

    def state(self, team: str, user: str) -> dict[str, Any]:
        """The user's current state (not to be modified; `respond` copies it)."""
        with self._guard:
            return self._states.get(user_key(team, user), {})
