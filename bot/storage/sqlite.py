"""The embedded backend: one SQLite file, safe for the threads of one process and for a few processes
on one machine (SQLite's own locking; every write is one short `BEGIN IMMEDIATE` transaction).

States, event ids and claims are SQL tables (`tm_*`) so that compare-and-set, "insert if new" and
claims are single statements. Records (answer feedback, kept replies) are sqlitedict tables of JSON
values, as in the first release. A file the first release wrote migrates when it is opened: its
per-user dicts ("users") become scoped states, its event ids and reminder claims move over (so no
reminder goes out twice after an upgrade); the old tables are left as they were.

A file that is not a readable SQLite database, or another program's database, is refused at
start-up with an error naming it; nothing is ever written over it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlitedict import SqliteDict

from bot.state import migrate_release1, release1_address, reminder_key
from bot.storage.base import (
    KEEP_EVENTS,
    CasStatements,
    Conflict,
    Storage,
    StorageError,
    Versioned,
    Write,
    apply_writes,
    stamp,
    storage_text,
)

log = logging.getLogger(__name__)
REOPEN_WAIT = 1.0  # seconds for a failed connection's thread to close (the record lock is held)
SCHEMA_VERSION = 1
RECORD_TABLES = ("feedback", "outbox")
RELEASE1_TABLES = ("users", "events", "reminder_claims")
SQL_TABLES = ("tm_meta", "tm_states", "tm_events", "tm_claims")
OWN_TABLES = frozenset({*RECORD_TABLES, *RELEASE1_TABLES, *SQL_TABLES})  # none of these: another program's
CAS = CasStatements(
    absent="SELECT 1 FROM tm_states WHERE key = ?",
    delete="DELETE FROM tm_states WHERE key = ? AND version = ?",
    insert="INSERT OR IGNORE INTO tm_states (key, version, value, updated) VALUES (?, 1, ?, ?)",
    update="UPDATE tm_states SET version = version + 1, value = ?, updated = ? WHERE key = ? AND version = ?",
)
DDL = (
    "CREATE TABLE IF NOT EXISTS tm_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tm_states (key TEXT PRIMARY KEY, version INTEGER NOT NULL, "
    "value TEXT NOT NULL, updated TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tm_events (id TEXT PRIMARY KEY, seen TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tm_events_seen ON tm_events (seen)",
    "CREATE TABLE IF NOT EXISTS tm_claims (key TEXT PRIMARY KEY, status TEXT NOT NULL, "
    "attempts INTEGER NOT NULL, claimed_at TEXT NOT NULL, sent_at TEXT, error TEXT)",
)


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


def check_file(path: Path) -> None:
    """Refuse a file that exists but is not a healthy SQLite database (never modifies it)."""
    if not path.exists():
        return
    if path.is_dir():
        raise StorageError(storage_text("sqlite_directory", path=path))
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise StorageError(storage_text("sqlite_unreadable", path=path, error=exc.strerror)) from exc
    if header and header != b"SQLite format 3\x00":
        raise StorageError(storage_text("sqlite_not_sqlite", path=path))
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
        raise StorageError(storage_text("sqlite_damaged", path=path, error=exc)) from exc
    if not result or result[0] != "ok":
        detail = str(result[0]).strip().splitlines()[-1] if result else storage_text("sqlite_check_empty")
        raise StorageError(storage_text("sqlite_damaged_check", path=path, detail=detail))
    if tables and not set(tables) & OWN_TABLES:
        shown = ", ".join(sorted(tables)[:5])
        raise StorageError(storage_text("sqlite_foreign", path=path, tables=shown))


class SqliteStorage(Storage):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        check_file(self.path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()  # the record tables
        self._tables: dict[str, SqliteDict] = {}
        self._reported: set[tuple[str, str]] = set()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        try:
            with self._transaction() as conn:
                for statement in DDL:
                    conn.execute(statement)
                self._check_schema(conn)
                self._migrate_release1(conn)
            for name in RECORD_TABLES:
                self._tables[name] = self._open(name)
        except StorageError:
            self.close()
            raise
        except (sqlite3.DatabaseError, RuntimeError, OSError) as exc:
            self.close()
            raise StorageError(storage_text("sqlite_cannot_open", path=self.path, error=exc)) from exc

    # -- connections ----------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; SQLite's refusal (read-only file, full disk, locked) becomes a
        StorageError naming the file, and nothing of the transaction is kept. The threads of this
        process take turns on a lock first: SQLite's own busy wait sleeps in steps of up to 100 ms,
        which one process's threads need not pay among themselves."""
        with self._lock:
            yield from self._locked_transaction()

    def _locked_transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(storage_text("sqlite_write_failed", path=self.path, error=exc)) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                log.error("store %s: write failed: %s", self.path, exc)
                raise StorageError(storage_text("sqlite_write_failed", path=self.path, error=exc)) from exc
            raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(storage_text("sqlite_read_failed", path=self.path, error=exc)) from exc

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM tm_meta WHERE name = 'schema'").fetchone()
        if row is None:
            conn.execute("INSERT INTO tm_meta (name, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise StorageError(
                storage_text("schema_newer", where=self.path, found=row[0], known=SCHEMA_VERSION)
            )

    def _migrate_release1(self, conn: sqlite3.Connection) -> None:
        """Move what the first release stored into the scoped tables, once."""
        if conn.execute("SELECT 1 FROM tm_meta WHERE name = 'release1_migrated'").fetchone():
            return
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        now = stamp(dt.datetime.now(dt.UTC))
        moved = 0
        if "users" in tables:
            for key, raw in conn.execute("SELECT key, value FROM users").fetchall():
                value = _decode(raw)
                if not isinstance(value, dict):
                    log.error(
                        "store %s, table users: the value of %r is not JSON; not migrated", self.path, key
                    )
                    continue
                for new_key, record in migrate_release1(str(key), value):
                    conn.execute(
                        "INSERT OR IGNORE INTO tm_states (key, version, value, updated) VALUES (?, 1, ?, ?)",
                        (new_key, _encode(record), now),
                    )
                moved += 1
        if "events" in tables:
            for key, raw in conn.execute("SELECT key, value FROM events").fetchall():
                seen = _decode(raw)
                if isinstance(seen, str):
                    conn.execute("INSERT OR IGNORE INTO tm_events (id, seen) VALUES (?, ?)", (key, seen))
        if "reminder_claims" in tables:
            rows = conn.execute(
                "SELECT user_key, deadline_id, deadline_date, offset_days, status, attempts, claimed_at, "
                "sent_at, error FROM reminder_claims"
            ).fetchall()
            for user, deadline, date, offset, *rest in rows:
                key = reminder_key(release1_address(user).key, deadline, date, int(offset))
                conn.execute(
                    "INSERT OR IGNORE INTO tm_claims (key, status, attempts, claimed_at, sent_at, error) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, *rest),
                )
        conn.execute("INSERT INTO tm_meta (name, value) VALUES ('release1_migrated', ?)", (now,))
        if moved:
            log.info("store %s: %d user states of the first release migrated", self.path, moved)

    # -- states ---------------------------------------------------------------------------------
    def load_many(self, keys: Sequence[str]) -> dict[str, Versioned]:
        found: dict[str, Versioned] = {key: Versioned({}, 0) for key in keys}
        for key in dict.fromkeys(keys):
            rows = self._read("SELECT version, value FROM tm_states WHERE key = ?", (key,))
            if rows:
                version, raw = rows[0]
                value = _decode(raw)
                ok = self._readable("states", key, value) and isinstance(value, dict)
                found[key] = Versioned(value if ok else {}, int(version))
        return found

    def commit(self, writes: Sequence[Write]) -> bool:
        def run(sql: str, params: tuple[Any, ...]) -> int:
            cursor = conn.execute(sql, params)
            return cursor.rowcount if cursor.rowcount >= 0 else len(cursor.fetchall())  # a SELECT: -1

        try:
            with self._transaction() as conn:
                apply_writes(run, CAS, writes, _encode, stamp(dt.datetime.now(dt.UTC)))
        except Conflict:
            return False
        return True

    def states(self, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
        rows = self._read(
            "SELECT key, value FROM tm_states WHERE substr(key, 1, ?) = ? ORDER BY key", (len(prefix), prefix)
        )
        for key, raw in rows:
            value = _decode(raw)
            if self._readable("states", key, value) and isinstance(value, dict):
                yield key, value

    def forget_conversations(self, before: dt.datetime) -> int:
        with self._transaction() as conn:
            return int(
                conn.execute(
                    "DELETE FROM tm_states WHERE length(key) - length(replace(key, ':', '')) = 3 "
                    "AND updated < ?",
                    (stamp(before),),
                ).rowcount
            )

    # -- event ids ------------------------------------------------------------------------------
    def first_time(self, event_id: str, now: dt.datetime | None = None) -> bool:
        moment = now or dt.datetime.now(dt.UTC)
        limit = stamp(moment - KEEP_EVENTS)
        with self._transaction() as conn:
            new = conn.execute(
                "INSERT INTO tm_events (id, seen) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET seen = excluded.seen WHERE tm_events.seen < ?",
                (event_id, stamp(moment), limit),
            ).rowcount
        self._now_and_then_forget_events(moment)
        return new == 1

    def forget_events(self, before: dt.datetime) -> int:
        with self._transaction() as conn:
            return int(conn.execute("DELETE FROM tm_events WHERE seen < ?", (stamp(before),)).rowcount)

    # -- claims ---------------------------------------------------------------------------------
    def claim(self, key: str, now: dt.datetime, attempts: int = 1) -> bool:
        with self._transaction() as conn:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO tm_claims (key, status, attempts, claimed_at) "
                "VALUES (?, 'sending', 1, ?)",
                (key, stamp(now)),
            ).rowcount
            if inserted == 1:
                return True
            retaken = conn.execute(
                "UPDATE tm_claims SET status = 'sending', attempts = attempts + 1, claimed_at = ?, "
                "error = NULL WHERE key = ? AND status = 'failed' AND attempts < ?",
                (stamp(now), key, attempts),
            ).rowcount
            return retaken == 1

    def finish(self, key: str, now: dt.datetime, error: str | None = None) -> None:
        with self._transaction() as conn:
            if error is None:
                conn.execute(
                    "UPDATE tm_claims SET status = 'sent', sent_at = ?, error = NULL WHERE key = ?",
                    (stamp(now), key),
                )
            else:
                conn.execute(
                    "UPDATE tm_claims SET status = 'failed', error = ? WHERE key = ?", (error[:500], key)
                )

    def forget_claims(self, prefix: str, before: dt.datetime) -> int:
        with self._transaction() as conn:
            return int(
                conn.execute(
                    "DELETE FROM tm_claims WHERE substr(key, 1, ?) = ? AND claimed_at < ?",
                    (len(prefix), prefix, stamp(before)),
                ).rowcount
            )

    def claims(self, prefix: str = "") -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT key, status, attempts, claimed_at, sent_at, error FROM tm_claims "
            "WHERE substr(key, 1, ?) = ? ORDER BY claimed_at, key",
            (len(prefix), prefix),
        )
        names = ("key", "status", "attempts", "claimed_at", "sent_at", "error")
        return [dict(zip(names, row, strict=True)) for row in rows]

    # -- records (sqlitedict tables) --------------------------------------------------------------
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
        StorageError naming the file, and what was not committed is not kept."""
        with self._lock:
            try:
                target = self.table(table)
            except (sqlite3.Error, OSError, RuntimeError) as exc:
                raise StorageError(storage_text("sqlite_write_failed", path=self.path, error=exc)) from exc
            try:
                yield target
                target.commit()
            except (sqlite3.Error, OSError, RuntimeError) as exc:
                log.error("store %s, table %s: write failed: %s", self.path, table, exc)
                self._reopen(table)
                raise StorageError(storage_text("sqlite_write_failed", path=self.path, error=exc)) from exc

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

    def put(self, table: str, key: str, value: Any) -> None:
        with self._writing(table) as target:
            target[key] = value

    def get(self, table: str, key: str, default: Any = None) -> Any:
        with self._lock:
            value = self.table(table).get(key, default)
        return value if self._readable(table, key, value) else default

    def items(self, table: str) -> list[tuple[str, Any]]:
        with self._lock:
            pairs = [(str(k), v) for k, v in self.table(table).items()]
        return sorted((k, v) for k, v in pairs if self._readable(table, k, v))

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
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()
