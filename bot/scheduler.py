"""Sends due reminders exactly once per (user, deadline, offset): a minute ticker and one-shot `send_due`.

Claims live in the table ``reminder_claims`` of the store's SQLite file. Before a DM is posted,
the sender claims it with ``INSERT OR IGNORE`` inside ``BEGIN IMMEDIATE``; only the process whose
insert created the row sends. So a server's scheduler and a cron ``toimintamalli reminders send``
on the same store never both send, and a restart never sends again.

Crash handling: claim before send, i.e. **at most once**. A claim is written as ``sending``, then
turned into ``sent`` after Slack accepted the message. If the process dies between the claim and
the post, the row stays ``sending`` and that reminder is not retried (a missed reminder is judged
less harmful than a duplicate; the user can still see every date with ``muistutus``). When Slack
answers with an error (or the connection fails), the claim becomes ``failed`` and a later tick
may take it over again while the catch-up window is open, at most ``MAX_ATTEMPTS`` times in all.

The key includes the deadline's date, so when maintainers move a deadline to a new date its
reminders are sent again for the new date; for an unchanged date each offset goes out once.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.store import Store
from dialogs.context import Context
from dialogs.schedule import DueReminder, due_reminders

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
MAX_ATTEMPTS = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reminder_claims (
    user_key TEXT NOT NULL,
    deadline_id TEXT NOT NULL,
    deadline_date TEXT NOT NULL,
    offset_days INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    claimed_at TEXT NOT NULL,
    sent_at TEXT,
    error TEXT,
    PRIMARY KEY (user_key, deadline_id, deadline_date, offset_days)
)
"""


class ClaimLedger:
    """The claims table in the store's SQLite file; each call uses its own short-lived connection."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        with self._connect() as conn:
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(str(self.path), timeout=30, isolation_level=None)) as conn:
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @staticmethod
    def _key(reminder: DueReminder) -> tuple[str, str, str, int]:
        return (reminder.user_key, reminder.deadline_id, reminder.deadline_date.isoformat(), reminder.offset)

    def claim(self, reminder: DueReminder, now: dt.datetime) -> bool:
        """True if this caller may send `reminder` (it created the claim or took over a failed one)."""
        stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
        key = self._key(reminder)
        with self._transaction() as conn:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO reminder_claims "
                "(user_key, deadline_id, deadline_date, offset_days, status, attempts, claimed_at) "
                "VALUES (?, ?, ?, ?, 'sending', 1, ?)",
                (*key, stamp),
            ).rowcount
            if inserted == 1:
                return True
            retaken = conn.execute(
                "UPDATE reminder_claims SET status = 'sending', attempts = attempts + 1, claimed_at = ? "
                "WHERE user_key = ? AND deadline_id = ? AND deadline_date = ? AND offset_days = ? "
                "AND status = 'failed' AND attempts < ?",
                (stamp, *key, MAX_ATTEMPTS),
            ).rowcount
            return retaken == 1

    def mark_sent(self, reminder: DueReminder, now: dt.datetime) -> None:
        stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
        with self._transaction() as conn:
            conn.execute(
                "UPDATE reminder_claims SET status = 'sent', sent_at = ?, error = NULL "
                "WHERE user_key = ? AND deadline_id = ? AND deadline_date = ? AND offset_days = ?",
                (stamp, *self._key(reminder)),
            )

    def mark_failed(self, reminder: DueReminder, error: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE reminder_claims SET status = 'failed', error = ? "
                "WHERE user_key = ? AND deadline_id = ? AND deadline_date = ? AND offset_days = ?",
                (error[:500], *self._key(reminder)),
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every claim (for listings and tests)."""
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            found = conn.execute("SELECT * FROM reminder_claims ORDER BY claimed_at, user_key").fetchall()
        return [dict(row) for row in found]


class ReminderScheduler:
    """Checks once a minute for due reminders and sends each once; `stop()` returns at once."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        ctx: Context,
        client: Any = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        from bot.slack.reminder_delivery import ReminderDelivery, build_client, is_slack_user

        self.store = store
        self.settings = settings
        self.ctx = ctx
        self.ledger = ClaimLedger(store.path)
        self.delivery = ReminderDelivery(client if client is not None else build_client(settings))
        self._is_slack_user = is_slack_user
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self.last_failures = 0  # reminders whose post failed in the latest send_due
        self.ticks = 0  # completed ticks of the background thread
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # -- one pass ---------------------------------------------------------------------------------
    def due(self, now: dt.datetime) -> list[DueReminder]:
        """Reminders due at `now` for Slack users (a terminal user's state has no one to DM)."""
        users = ((key, state) for key, state in self.store.users() if self._is_slack_user(key))
        return due_reminders(users, self.ctx.kb.deadlines, now, self.ctx.tz)

    def send_due(self, now: dt.datetime | None = None) -> int:
        """Send every reminder due at `now` (default: the current time) not yet claimed; returns how many."""
        moment = now or self._clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.ctx.tz)
        sent = 0
        failures = 0
        with self._send_lock:
            for reminder in self.due(moment):
                if self._stop.is_set() and self._thread is not None:
                    break
                if not self.ledger.claim(reminder, moment):
                    continue
                try:
                    self.delivery.send(reminder.user_key, reminder.text)
                except Exception as exc:  # a Slack error or a lost connection: the claim is retryable
                    log.warning(
                        "Muistutuksen lähetys epäonnistui (%s, %s): %s",
                        reminder.user_key,
                        reminder.deadline_id,
                        exc,
                    )
                    self.ledger.mark_failed(reminder, f"{type(exc).__name__}: {exc}")
                    failures += 1
                    continue
                self.ledger.mark_sent(reminder, dt.datetime.now(dt.UTC))
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
