"""Skips an Events API delivery already seen (Slack's retries), by `event_id`, in the store's "events" table.

The ids of the last two days are read from the store at start-up and kept in memory; a new id is
remembered at once (a retry arriving while the first delivery is still being handled is skipped
too) and committed to the store before the ack (one small commit), so a retry that reaches the
process after a crash or restart is skipped as well. The trade-off that remains: a process killed
between that commit and the ack loses the event (Slack's retry is then skipped), at most once per
crash. Ids older than KEEP are pruned.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.store import Store, StoreError

TABLE = "events"
KEEP = dt.timedelta(days=2)
PRUNE_EVERY = 10_000
log = logging.getLogger(__name__)


class EventDeduper:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.prune()
        self._seen: dict[str, str] = {k: str(v) for k, v in store.items(TABLE) if isinstance(v, str)}
        self._added = 0

    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is seen (and remembers it, in the store too, before the ack);
        False for a repeat."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            self._added += 1
            if self._added % PRUNE_EVERY == 0:
                self._forget_old_in_memory()
        # committed before the ack: a retry that reaches a restarted process is still known; a store
        # that refuses the write has logged it, and this process still remembers the id
        with contextlib.suppress(StoreError):
            self.store.put(TABLE, event_id, now)
        return True

    def _forget_old_in_memory(self) -> None:
        limit = (dt.datetime.now(dt.UTC) - KEEP).isoformat()
        for key in [k for k, seen in self._seen.items() if seen < limit]:
            del self._seen[key]

    def close(self) -> None:
        """Nothing is pending: each id is written when first seen."""

    def prune(self, now: dt.datetime | None = None) -> int:
        """Forget stored ids older than KEEP; returns how many were removed."""
        limit = ((now or dt.datetime.now(dt.UTC)) - KEEP).isoformat()
        with self._lock:
            old = [key for key, seen in self.store.items(TABLE) if not isinstance(seen, str) or seen < limit]
            self.store.delete_many(TABLE, old)
        return len(old)


def dedupe_middleware(deduper: EventDeduper) -> Callable[..., Any]:
    """A Bolt global middleware answering 200 to a repeated event without running any listener."""

    def skip_repeated_events(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not deduper.first_time(event_id):
            log.info("skipping repeated event %s", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_repeated_events
