"""Skips an Events API delivery already seen (Slack's retries, or one event sent to two Socket Mode
connections) by its `event_id`, through the store's `first_time` (bot.storage).

The id is committed to the store before the ack, so a retry that reaches another process, or this
one after a restart, is skipped too. The trade-off that remains: a process killed between that
commit and its work loses the event (Slack's retry is then skipped), at most once per crash. A
store that cannot be written lets the event through: an answer twice is better than none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.storage import Storage

log = logging.getLogger(__name__)


def dedupe_middleware(storage: Storage) -> Callable[..., Any]:
    """A Bolt global middleware answering 200 to a repeated event without running any listener."""

    def skip_repeated_events(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not storage.new_event(event_id):
            log.info("skipping repeated event %s", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_repeated_events
