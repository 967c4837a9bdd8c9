"""Replies Slack could not take right now (429 after the client's retries, 5xx, a connection
refused) are kept in the store and sent again later, in order, by one background thread.

An item is the address (a channel and thread, or a response_url) and the rendered messages. Items
to one destination go out in the order they were kept, whichever process sends. An item is
tried again after Slack's Retry-After (or a growing pause), and given up, with an error in the log,
after MAX_AGE (a response_url works for 30 minutes only). A reply Slack refuses for good (a revoked
token, an archived channel) is not kept: the caller undoes the turn instead. Several processes on
one store may all look at the outbox: each try of an item is a claim (bot.storage), so only one of
them sends it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from bot.slack.render import Outgoing
from bot.storage import Storage, StorageError

log = logging.getLogger(__name__)

TABLE = "outbox"
INTERVAL = 1.0  # seconds between looks at the outbox
FIRST_PAUSE = 5.0  # seconds before the first retry when Slack gave no Retry-After
MAX_PAUSE = 300.0
MAX_AGE = {"channel": dt.timedelta(hours=24), "response_url": dt.timedelta(minutes=25)}


class DeliveryError(Exception):
    """A message Slack did not take: `error` as Slack named it, and whether trying later may work."""

    def __init__(self, error: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.retryable = retryable
        self.retry_after = retry_after


class _Postable(Protocol):
    def post(self, message: Outgoing) -> None: ...


MakeDestination = Callable[[dict[str, Any]], _Postable]


class Outbox:
    def __init__(self, store: Storage) -> None:
        self.store = store
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- keeping --------------------------------------------------------------------------------
    def keep(
        self, address: dict[str, Any], messages: list[Outgoing], retry_after: float | None, now: dt.datetime
    ) -> bool:
        """Keep `messages` for `address`; False if the store could not take them either."""
        pause = retry_after if retry_after is not None else FIRST_PAUSE
        item = {
            "address": address,
            "messages": [{"text": m.text, "blocks": m.block_dicts()} for m in messages],
            "created": now.isoformat(),
            "not_before": (now + dt.timedelta(seconds=pause)).isoformat(),
            "attempts": 0,
        }
        # keys sort by time, to the nanosecond (several replies of one turn are kept at one `now`)
        key = f"{now.isoformat()}:{time.time_ns():020d}:{uuid.uuid4().hex[:8]}"
        try:
            self.store.put(TABLE, key, item)
        except StorageError:
            return False
        log.warning("kept %d message(s) for %s to send again later", len(messages), address.get("kind"))
        self._wake.set()
        return True

    def pending(self) -> int:
        return len(self.store.items(TABLE))

    # -- sending --------------------------------------------------------------------------------
    def send_due(self, make_destination: MakeDestination, now: dt.datetime) -> int:
        """Send what is due; returns how many items were delivered. `make_destination(address)` gives
        what to post to (bot.slack.deliver.destination_for with the app's client)."""
        sent = 0
        with self._lock:
            waiting: set[str] = set()  # destinations with an older item still kept: later ones wait
            for key, item in sorted(self.store.items(TABLE)):
                if not isinstance(item, dict) or "address" not in item:
                    log.error("outbox item %s is not readable; dropped", key)
                    self.store.delete_many(TABLE, [key])
                    continue
                kind = str(item["address"].get("kind"))
                where = json.dumps(item["address"], sort_keys=True)
                created = dt.datetime.fromisoformat(item["created"])
                if now - created > MAX_AGE.get(kind, MAX_AGE["channel"]):
                    log.error(
                        "gave up sending %d message(s) to %s after %s",
                        len(item["messages"]),
                        kind,
                        now - created,
                    )
                    self.store.delete_many(TABLE, [key])
                    continue
                if where in waiting or dt.datetime.fromisoformat(item["not_before"]) > now:
                    waiting.add(where)  # in order per destination, whichever process sends
                    continue
                claim = f"outbox:{key}:{item['attempts']}"
                if not self.store.claim(claim, now):
                    waiting.add(where)
                    continue  # another process is sending (or has sent) this try
                if self._send(item, key, claim, make_destination, now):
                    sent += 1
                else:
                    waiting.add(where)
        return sent

    def _send(
        self, item: dict[str, Any], key: str, claim: str, make_destination: MakeDestination, now: dt.datetime
    ) -> bool:
        """Post one kept item; True when it is delivered (or refused for good) and gone from the outbox."""
        destination = make_destination(item["address"])
        messages = [Outgoing(text=m["text"], blocks=m["blocks"]) for m in item["messages"]]
        try:
            for message in messages:
                destination.post(message)
                item["messages"] = item["messages"][1:]
        except DeliveryError as exc:
            if not exc.retryable:
                log.error("Slack refused a kept reply (%s); dropped", exc.error)
                self.store.delete_many(TABLE, [key])
                self.store.finish(claim, now, exc.error)
                return True
            item["attempts"] += 1
            pause = exc.retry_after or min(MAX_PAUSE, FIRST_PAUSE * 2 ** item["attempts"])
            item["not_before"] = (now + dt.timedelta(seconds=pause)).isoformat()
            self.store.put(TABLE, key, item)
            self.store.finish(claim, now, exc.error)
            return False
        self.store.finish(claim, now)
        self.store.delete_many(TABLE, [key])
        return True

    def start(self, make_destination: MakeDestination) -> Outbox:
        def loop() -> None:
            while not self._stop.is_set():
                self._wake.wait(INTERVAL)
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    self.send_due(make_destination, dt.datetime.now(dt.UTC))
                except Exception:
                    log.exception("sending the outbox failed")

        self._thread = threading.Thread(target=loop, name="slack-outbox", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
