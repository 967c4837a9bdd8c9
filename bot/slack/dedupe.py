"""Skips an Events API delivery already seen (Slack's retries), by `event_id`, in the store's "events" table.

The id is recorded before the listener runs, so a retry that arrives while the first delivery
is still being handled is skipped too; the table survives a restart. Old ids are pruned.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.store import Store

TABLE = "events"
KEEP = dt.timedelta(days=2)
log = logging.getLogger(__name__)


class EventDeduper:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is seen (and remembers it); False for a repeat."""
        with self._lock:
            if self.store.get(TABLE, event_id) is not None:
                return False
            self.store.put(TABLE, event_id, dt.datetime.now(dt.UTC).isoformat())
            return True

    def prune(self, now: dt.datetime | None = None) -> int:
        """Forget ids older than KEEP; returns how many were removed."""
        limit = ((now or dt.datetime.now(dt.UTC)) - KEEP).isoformat()
        with self._lock, self.store._lock:
            table = self.store.table(TABLE)
            old = [key for key, seen in table.items() if not isinstance(seen, str) or seen < limit]
            for key in old:
                del table[key]
            table.commit()
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
