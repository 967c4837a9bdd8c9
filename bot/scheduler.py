"""Sends due reminders exactly once per (user, deadline, offset): a minute ticker and one-shot `send_due`.

Each reminder is a claim in the store (bot.storage: `claim(key)` is True for one caller only,
whatever the number of processes or backends). So the schedulers of several `serve` processes and
a cron `toimintamalli reminders send` on the same store never both send, and a restart never
sends again.

Crash handling: claim before send, i.e. **at most once**. A claim is `sending` until the channel
took the message (`sent`). If the process dies between the claim and the post, the claim stays
`sending` and that reminder is not retried (a missed reminder is judged less harmful than a
duplicate; the user can still see every date with `muistutus`). When the channel answers with an
error (or the connection fails), the claim becomes `failed` and a later tick may take it over again
while the catch-up window is open, at most ``MAX_ATTEMPTS`` times in all.

The scheduler knows no channel: each user's address (stored with the subscription) names its
channel, and the channel's Sender delivers. A user whose channel has no sender here (the terminal,
or Teams in a process that serves Slack only) is left for a process that has one.

The key includes the deadline's date, so when maintainers move a deadline to a new date its
reminders are sent again for the new date; for an unchanged date each offset goes out once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.state import Address, reminder_key
from bot.storage import Storage
from dialogs.context import Context
from dialogs.schedule import DueReminder, due_reminders

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
MAX_ATTEMPTS = 3


class OutcomeUnknown(Exception):
    """A Sender could not tell whether the message went out (a timeout after it was handed over):
    the reminder counts as sent, so that it is never sent twice."""


class Sender(Protocol):
    """A channel's way to reach a user without a message from them (a DM, a proactive message)."""

    def send(self, address: Address, text: str) -> None:
        """Deliver `text` (plain; the sender escapes it for its medium); raise if it did not go out."""


def claim_key(reminder: DueReminder) -> str:
    return reminder_key(
        reminder.user_key, reminder.deadline_id, reminder.deadline_date.isoformat(), reminder.offset
    )


class ReminderScheduler:
    """Checks once a minute for due reminders and sends each once; `stop()` returns at once."""

    def __init__(
        self,
        storage: Storage,
        ctx: Context,
        senders: Mapping[str, Sender],
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.storage = storage
        self.ctx = ctx
        self.senders = dict(senders)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self.last_failures = 0  # reminders whose post failed in the latest send_due
        self.ticks = 0  # completed ticks of the background thread
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # -- one pass ---------------------------------------------------------------------------------
    def due(self, now: dt.datetime) -> list[tuple[Address, DueReminder]]:
        """Reminders due at `now` for users whose channel has a sender here."""
        addresses: dict[str, Address] = {}
        states = []
        for address, state in self.storage.users():
            if address.channel in self.senders and state.reminders:
                addresses[address.key] = address
                states.append((address.key, state.turn_dict()))
        found = due_reminders(states, self.ctx.kb.deadlines, now, self.ctx.tz)
        return [(addresses[r.user_key], r) for r in found]

    def send_due(self, now: dt.datetime | None = None) -> int:
        """Send every reminder due at `now` (default: the current time) not yet claimed; returns how many."""
        moment = now or self._clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.ctx.tz)
        sent = 0
        failures = 0
        with self._send_lock:
            for address, reminder in self.due(moment):
                if self._stop.is_set() and self._thread is not None:
                    break
                key = claim_key(reminder)
                if not self.storage.claim(key, moment, MAX_ATTEMPTS):
                    continue
                try:
                    self.senders[address.channel].send(address, reminder.text)
                except OutcomeUnknown as exc:
                    log.warning("reminder %s may or may not have gone out (%s); not sent again", key, exc)
                    self.storage.finish(key, dt.datetime.now(dt.UTC), None)
                    continue
                except Exception as exc:  # the channel refused or the connection failed: retryable
                    log.warning(
                        "Muistutuksen lähetys epäonnistui (%s, %s): %s",
                        reminder.user_key,
                        reminder.deadline_id,
                        exc,
                    )
                    self.storage.finish(key, dt.datetime.now(dt.UTC), f"{type(exc).__name__}: {exc}")
                    failures += 1
                    continue
                self.storage.finish(key, dt.datetime.now(dt.UTC))
                sent += 1
            self.last_failures = failures
        return sent

    # -- background thread --------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_due()
            except Exception:  # one bad tick must not end the ticker; the next minute tries again
                log.exception("Muistutusten tarkistus epäonnistui")
            self.ticks += 1
            self._stop.wait(TICK_SECONDS)

    def start(self) -> ReminderScheduler:
        """Start the ticker thread (a daemon; first check immediately)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="reminder-scheduler", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the ticker: the wait ends at once; a send in progress finishes its current message."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
