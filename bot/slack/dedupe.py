"""Skips an Events API delivery already seen (Slack's retries), by `event_id`, in the store's "events" table.

The ids of the last two days are read from the store at start-up and kept in memory, so the
check on the ack path costs no I/O; a new id is remembered at once (a retry arriving while the
first delivery is still being handled is skipped too) and written to the store by a background
writer right after the ack, one commit per burst (WRITE_DELAY). `close()` writes what is
pending. Ids older than KEEP are pruned.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.store import Store

TABLE = "events"
KEEP = dt.timedelta(days=2)
PRUNE_EVERY = 10_000
WRITE_DELAY = 0.1  # seconds the writer gathers ids before one commit
log = logging.getLogger(__name__)


class EventDeduper:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.prune()
        self._seen: dict[str, str] = {k: str(v) for k, v in store.items(TABLE) if isinstance(v, str)}
        self._added = 0
        self._pending: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="event-id-writer", daemon=True)
        self._writer.start()

    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is seen (and remembers it); False for a repeat."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            self._added += 1
            if self._added % PRUNE_EVERY == 0:
                self._forget_old_in_memory()
        self._pending.put((event_id, now))
        return True

    def _forget_old_in_memory(self) -> None:
        limit = (dt.datetime.now(dt.UTC) - KEEP).isoformat()
        for key in [k for k, seen in self._seen.items() if seen < limit]:
            del self._seen[key]

    def _write_loop(self) -> None:
        """Write remembered ids, all that are waiting in one commit."""
        while True:
            batch = [self._pending.get()]
            if batch[0] is not None:
                time.sleep(WRITE_DELAY)  # let a burst gather: one wake-up and one commit for all of it
            while batch[-1] is not None:
                try:
                    batch.append(self._pending.get_nowait())
                except queue.Empty:
                    break
            items = [item for item in batch if item is not None]
            try:
                if items:
                    self.store.put_many(TABLE, items)
            except Exception as exc:  # a closed or failing store must not end the writer silently
                log.error("could not record %d event id(s): %s", len(items), exc)
            finally:
                for _ in batch:
                    self._pending.task_done()
            if len(items) < len(batch):
                return

    def flush(self) -> None:
        """Wait until every remembered id is in the store."""
        if self._writer.is_alive():
            self._pending.join()

    def close(self, timeout: float = 5.0) -> None:
        """Write what is pending and stop the writer (before the store is closed)."""
        if self._writer.is_alive():
            self._pending.put(None)
            self._writer.join(timeout)

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
