"""Per-user state in SQLite through sqlitedict, JSON-encoded (never pickle), keyed by team and user.

The store is the only place that touches the file. State is loaded before a turn and saved once
after it (`save_user` commits). A file that is not a readable SQLite database is refused at
start-up with an error naming it; nothing is ever written over it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlitedict import SqliteDict

log = logging.getLogger(__name__)
REOPEN_WAIT = 1.0  # seconds for a failed connection's thread to close (the store's lock is held)
TABLES = ("users", "events", "feedback", "outbox")
OWN_TABLES = frozenset({*TABLES, "reminder_claims"})  # a file holding none of these is another program's


class StoreError(Exception):
    """The store file cannot be used; the message names the file."""


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Unreadable:
    """A stored value that is not JSON (written by something else, or damaged): skipped and reported."""

    def __init__(self, raw: str | bytes) -> None:
        self.raw = raw


def _decode(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, TypeError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return Unreadable(raw)


def user_key(team: str, user: str) -> str:
    return f"{team or '-'}:{user}"


def check_file(path: Path) -> None:
    """Refuse a file that exists but is not a healthy SQLite database (never modifies it)."""
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"Tallennustiedosto {path} on hakemisto, ei tiedosto.")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise StoreError(f"Tallennustiedostoa {path} ei voi lukea: {exc.strerror}") from exc
    if header and header != b"SQLite format 3\x00":
        raise StoreError(
            f"Tallennustiedosto {path} ei ole SQLite-tietokanta (vioittunut?). En kirjoita sen päälle."
        )
    # A process killed in the middle of a commit leaves a hot journal: SQLite's own rollback of it
    # (a read-write connection) restores the last committed state, so that one case opens read-write.
    hot_journal = Path(f"{path}-journal").exists()
    try:
        conn = sqlite3.connect(f"file:{path}?mode={'rw' if hot_journal else 'ro'}", uri=True, timeout=10)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Tallennustiedosto {path} on vioittunut: {exc}. En kirjoita sen päälle.") from exc
    if not result or result[0] != "ok":
        detail = str(result[0]).strip().splitlines()[-1] if result else "tarkistus ei palauttanut tulosta"
        raise StoreError(f"Tallennustiedosto {path} on vioittunut ({detail}). En kirjoita sen päälle.")
    if tables and not set(tables) & OWN_TABLES:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(
            f"Tiedosto {path} on toisen ohjelman SQLite-tietokanta (taulut: {shown}). En kirjoita siihen; "
            "anna TOIMINTAMALLI_DB:lle oma tiedosto."
        )


class Store:
    """Tables of JSON values in one SQLite file; safe to share between threads of one process."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        check_file(self.path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._tables: dict[str, SqliteDict] = {}
        self._reported: set[tuple[str, str]] = set()
        try:
            for name in TABLES:
                self._tables[name] = self._open(name)
        except (sqlite3.DatabaseError, RuntimeError, OSError) as exc:
            self.close()
            raise StoreError(f"Tallennustiedostoa {self.path} ei voi avata: {exc}") from exc

    def _open(self, table: str) -> SqliteDict:
        # outer_stack=False: otherwise sqlitedict captures a stack trace on every statement (costly)
        return SqliteDict(
            str(self.path),
            tablename=table,
            encode=_encode,
            decode=_decode,
            autocommit=False,
            timeout=30,
            outer_stack=False,
        )

    def table(self, name: str) -> SqliteDict:
        with self._lock:
            if name not in self._tables:
                self._tables[name] = self._open(name)
            return self._tables[name]

    # -- faults ---------------------------------------------------------------------------------
    def _readable(self, table: str, key: str, value: Any) -> bool:
        """False for a value that is not JSON; reported once per key, naming the file, table and key."""
        if not isinstance(value, Unreadable):
            return True
        if (table, key) not in self._reported:
            self._reported.add((table, key))
            log.error("store %s, table %s: the value of %r is not JSON; skipped", self.path, table, key)
        return False

    @contextmanager
    def _writing(self, table: str) -> Iterator[SqliteDict]:
        """One write and its commit; SQLite's refusal (read-only file, full disk, locked) becomes a
        StoreError naming the file, and what was not committed is not kept."""
        with self._lock:
            try:
                target = self.table(table)
            except (sqlite3.Error, OSError, RuntimeError) as exc:
                raise StoreError(f"Tallennus tiedostoon {self.path} epäonnistui: {exc}") from exc
            try:
                yield target
                target.commit()
            except (sqlite3.Error, OSError, RuntimeError) as exc:
                log.error("store %s, table %s: write failed: %s", self.path, table, exc)
                self._reopen(table)
                raise StoreError(f"Tallennus tiedostoon {self.path} epäonnistui: {exc}") from exc

    def _reopen(self, table: str) -> None:
        """Drop the table's connection after a failed write: closing it rolls back what was not
        committed and releases the file's write lock, which the other tables' connections wait for."""
        old = self._tables.pop(table, None)
        worker = getattr(old, "conn", None)
        if old is not None:
            with contextlib.suppress(Exception):
                old.close(do_log=False, force=True)
        if isinstance(worker, threading.Thread):
            worker.join(REOPEN_WAIT)
        try:
            self._tables[table] = self._open(table)
        except (sqlite3.Error, OSError, RuntimeError) as exc:  # opened again on the next use
            log.error("store %s, table %s: could not reopen: %s", self.path, table, exc)

    # -- per-user state -------------------------------------------------------------------------
    def load_user(self, team: str, user: str) -> dict[str, Any]:
        key = user_key(team, user)
        with self._lock:
            value = self.table("users").get(key)
        return value if self._readable("users", key, value) and isinstance(value, dict) else {}

    def save_user(self, team: str, user: str, state: dict[str, Any]) -> None:
        """Write one user's state and commit (the end of a turn); StoreError if it could not be saved."""
        with self._writing("users") as users:
            users[user_key(team, user)] = state

    def users(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (key, state) pair; keys are "team:user". A row that is not JSON is skipped (and logged)."""
        yield from ((k, v) for k, v in self.items("users") if isinstance(v, dict))

    # -- generic helpers --------------------------------------------------------------------------
    def put(self, table: str, key: str, value: Any) -> None:
        with self._writing(table) as target:
            target[key] = value

    def get(self, table: str, key: str, default: Any = None) -> Any:
        with self._lock:
            value = self.table(table).get(key, default)
        return value if self._readable(table, key, value) else default

    def items(self, table: str) -> list[tuple[str, Any]]:
        """A snapshot of every readable (key, value) of `table`."""
        with self._lock:
            pairs = [(str(k), v) for k, v in self.table(table).items()]
        return [(k, v) for k, v in pairs if self._readable(table, k, v)]

    def put_many(self, table: str, pairs: Iterable[tuple[str, Any]]) -> None:
        """Write several values in one commit."""
        with self._writing(table) as target:
            for key, value in pairs:
                target[key] = value

    def delete_many(self, table: str, keys: Iterable[str]) -> None:
        """Remove several keys in one commit (missing keys are ignored)."""
        with self._writing(table) as target:
            for key in keys:
                target.pop(key, None)

    def close(self) -> None:
        with self._lock:
            for table in self._tables.values():
                table.close()
            self._tables.clear()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
