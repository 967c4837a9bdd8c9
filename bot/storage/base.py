"""The storage interface every backend implements, and the contract the tests in tests/storage hold it to.

Four kinds of data:

* **states**: JSON objects under scope keys (bot.state), each with a version. `commit` writes a
  group of them at once only if every version is still the one that was read (compare-and-set):
  two processes can never overwrite each other's turn; the loser re-runs its turn on the fresh state.
* **event ids**: `first_time(event_id)` is True once per id (Slack's retries of an event are
  skipped), and again after KEEP_EVENTS has passed.
* **claims**: `claim(key)` is True for exactly one caller (reminders, kept replies), whatever the
  number of processes. A claim is `sending` until `finish`; one left `sending` by a process that
  died is never taken again (at most once); a `failed` one may be taken again, `attempts` times in all.
* **records**: small JSON values in named tables (answer feedback, the outbox of kept replies).
"""

from __future__ import annotations

import datetime as dt
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.state import Address, UserState, load_user_state, split_key

KEEP_EVENTS = dt.timedelta(days=2)
KEEP_CONVERSATIONS = dt.timedelta(days=7)  # a question context is forgotten after 45 minutes anyway
KEEP_DONE_CLAIMS = dt.timedelta(days=2)  # claims of kept replies (not reminders: those are kept)
CLEAN_EVERY = 1000  # first_time calls between clean-ups of expired ids (per process)
CONFLICT_RETRIES = 20


class StorageError(Exception):
    """The store cannot be used or did not take a write; the message names the store (never a password)."""


class Conflict(Exception):
    """Inside a backend: a write's version has moved on, so the whole commit is rolled back."""


@dataclass(frozen=True)
class Versioned:
    value: dict[str, Any]
    version: int  # 0: nothing stored under the key


@dataclass(frozen=True)
class Write:
    """Store `value` (None: delete) under `key`, if the key's version is still `version`."""

    key: str
    value: dict[str, Any] | None
    version: int


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def storage_text(key: str, **values: object) -> str:
    """A message of the store (bot/data/texts.yaml, section `storage`)."""
    from bot.texts import text

    return text("storage", key, **values)


@dataclass(frozen=True)
class CasStatements:
    """A backend's SQL for the four kinds of versioned write, with parameters in these orders."""

    absent: str  # (key): rows found; a delete of a key not stored succeeds if none is
    delete: str  # (key, version)
    insert: str  # (key, value, now); does nothing if the key is stored
    update: str  # (value, now, key, version)


def apply_writes(
    run: Callable[[str, tuple[Any, ...]], int],
    sql: CasStatements,
    writes: Sequence[Write],
    encode: Callable[[dict[str, Any]], Any],
    now: Any,
) -> None:
    """Every write of one commit inside the caller's transaction; `run(sql, params)` returns the rows
    changed (or found). Raises Conflict, so the transaction rolls back, when a version has moved on."""
    for write in writes:
        if write.value is None and write.version == 0:
            changed = 0 if run(sql.absent, (write.key,)) else 1
        elif write.value is None:
            changed = run(sql.delete, (write.key, write.version))
        elif write.version == 0:
            changed = run(sql.insert, (write.key, encode(write.value), now))
        else:
            changed = run(sql.update, (encode(write.value), now, write.key, write.version))
        if changed != 1:
            raise Conflict(write.key)


class Storage(ABC):
    where: str  # the file or the URL without its password, for messages
    _events_counted = itertools.count(1)  # first_time calls of this process (next() is atomic)

    # -- states ---------------------------------------------------------------------------------
    @abstractmethod
    def load_many(self, keys: Sequence[str]) -> dict[str, Versioned]:
        """Every key's value and version (version 0 and {} for a key not stored)."""

    @abstractmethod
    def commit(self, writes: Sequence[Write]) -> bool:
        """All `writes` in one transaction, or none if any version has moved on (False)."""

    @abstractmethod
    def states(self, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, value) whose key starts with `prefix`."""

    def load(self, key: str) -> Versioned:
        return self.load_many([key])[key]

    def replace(self, key: str, value: dict[str, Any] | None) -> None:
        """Write `value` whatever is stored (tools, tests and migrations; a turn uses `commit`)."""
        for _ in range(CONFLICT_RETRIES):
            if self.commit([Write(key, value, self.load(key).version)]):
                return
        raise StorageError(f"{self.where}: {key} changes too often to be replaced")

    def user_state(self, channel: str, team: str, user: str) -> dict[str, Any]:
        """A user's own state as a turn sees it (for tools and tests; turns use bot.turns)."""
        address = Address(channel=channel, team=team, user=user)
        return load_user_state(self.load(address.key).value).turn_dict()

    def save_user_state(self, channel: str, team: str, user: str, state: dict[str, Any]) -> None:
        """Replace a user's own state (for tools and tests; turns use bot.turns)."""
        address = Address(channel=channel, team=team, user=user)
        self.replace(address.key, UserState.from_turn(state, None).stored())

    def users(self) -> Iterator[tuple[Address, UserState]]:
        """Every user's state with the address it is reached at (None: only the key's parts)."""
        for key, value in self.states():
            parts = split_key(key)
            if len(parts) != 3:
                continue
            state = load_user_state(value)
            yield state.address or Address(channel=parts[0], team=parts[1], user=parts[2]), state

    @abstractmethod
    def forget_conversations(self, before: dt.datetime) -> int:
        """Delete conversation states (keys of four parts) last written before `before`."""

    def housekeeping(self, now: dt.datetime | None = None) -> int:
        """Forget what has expired: old event ids, old conversations, old claims of kept replies."""
        moment = now or dt.datetime.now(dt.UTC)
        return (
            self.forget_events(moment - KEEP_EVENTS)
            + self.forget_conversations(moment - KEEP_CONVERSATIONS)
            + self.forget_claims("outbox:", moment - KEEP_DONE_CLAIMS)
        )

    # -- event ids ------------------------------------------------------------------------------
    @abstractmethod
    def first_time(self, event_id: str, now: dt.datetime | None = None) -> bool:
        """True the first time `event_id` is seen within KEEP_EVENTS (it is remembered at once)."""

    def _now_and_then_forget_events(self, moment: dt.datetime) -> None:
        """Called by `first_time`: every CLEAN_EVERY calls (per process) the expired ids are deleted."""
        if next(self._events_counted) % CLEAN_EVERY == 0:
            self.forget_events(moment - KEEP_EVENTS)

    def new_event(self, event_id: str) -> bool:
        """`first_time(event_id)` for a channel's de-duplication: a store that cannot say lets the
        event through (the store has logged why), since an answer twice is better than none."""
        try:
            return self.first_time(event_id)
        except StorageError:
            return True

    @abstractmethod
    def forget_events(self, before: dt.datetime) -> int:
        """Forget event ids first seen before `before`; returns how many."""

    # -- claims ---------------------------------------------------------------------------------
    @abstractmethod
    def claim(self, key: str, now: dt.datetime, attempts: int = 1) -> bool:
        """True for the one caller that may do `key` now: it is new, or it failed and has been tried
        fewer than `attempts` times."""

    @abstractmethod
    def finish(self, key: str, now: dt.datetime, error: str | None = None) -> None:
        """Mark a claim `sent`, or `failed` with `error` (so that it may be claimed again)."""

    @abstractmethod
    def forget_claims(self, prefix: str, before: dt.datetime) -> int:
        """Delete the claims under `prefix` claimed before `before`."""

    @abstractmethod
    def claims(self, prefix: str = "") -> list[dict[str, Any]]:
        """Every claim as {key, status, attempts, claimed_at, sent_at, error}, oldest first."""

    # -- records --------------------------------------------------------------------------------
    @abstractmethod
    def put(self, table: str, key: str, value: Any) -> None: ...

    @abstractmethod
    def get(self, table: str, key: str, default: Any = None) -> Any: ...

    @abstractmethod
    def items(self, table: str) -> list[tuple[str, Any]]:
        """A snapshot of every (key, value) of `table`, in key order."""

    @abstractmethod
    def delete_many(self, table: str, keys: Iterable[str]) -> None: ...

    def put_many(self, table: str, pairs: Iterable[tuple[str, Any]]) -> None:
        for key, value in pairs:
            self.put(table, key, value)

    # -- life -----------------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
