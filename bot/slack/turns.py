"""One turn for one Slack user: load the state, `dialogs.router.respond`, save the state once.

Turns of the same user run one at a time (a lock per user), so two quick messages cannot
overwrite each other's state. Answers the knowledge base was not sure about are logged as
unanswered questions for the maintainers (`toimintamalli kb feedback`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from bot.slack.feedback import FeedbackLog
from bot.store import Store, user_key
from dialogs.context import Context
from dialogs.replies import Reply
from dialogs.router import respond


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
        self._locks_guard = threading.Lock()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def run(self, team: str, user: str, text: str) -> list[Reply]:
        """The replies to `text` from `user`; the user's new state is saved before returning."""
        now = self.clock()
        with self._lock_for(user_key(team, user)):
            state = self.store.load_user(team, user)
            new_state, replies = respond(state, text, now, self.ctx)
            self.store.save_user(team, user, new_state)
        for reply in replies:
            if reply.kind == "answer" and not reply.confident:
                self.feedback.record_unanswered(team, user, reply, now)
        return replies

    def state(self, team: str, user: str) -> dict[str, object]:
        """The user's current state (read only; for the App Home)."""
        return self.store.load_user(team, user)
