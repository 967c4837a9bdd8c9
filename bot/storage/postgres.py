"""The PostgreSQL backend (psycopg 3, a psycopg_pool connection pool), for several processes on one database.

Selected by TOIMINTAMALLI_DATABASE_URL=postgresql://… . The tables (`tm_*`, in the connection's
schema: give the URL `?options=-csearch_path%3Dmyschema` for a schema of its own) are created on
start, in one transaction under an advisory lock, so processes starting together do not race; a
`tm_meta` row names the schema version. A database that cannot be reached, or that already holds a
`tm_` table this program did not create, stops the start with a message naming the URL without
its password.

* states: JSONB with a version; a turn's writes are one transaction of `UPDATE … WHERE version = %s`
  (or `INSERT … ON CONFLICT DO NOTHING` for a new key): under READ COMMITTED a concurrent writer
  waits for the first and then finds the version moved on, so exactly one of them commits.
* event ids: `INSERT … ON CONFLICT DO UPDATE … WHERE seen < expiry`, one statement; expired ids are
  deleted every CLEAN_EVERY calls per process and at start.
* claims: a unique claim row (`INSERT … ON CONFLICT DO NOTHING`); a failed one is taken back by one
  `UPDATE … WHERE status = 'failed'`, which only one transaction can win.

No state is cached in memory: every turn reads its rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

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
SCHEMA_VERSION = 1
LOCK_ID = 0x746D5F73  # pg_advisory_xact_lock id for creating the schema ("tm_s")
TABLES = ("tm_meta", "tm_states", "tm_events", "tm_claims", "tm_records")
CAS = CasStatements(
    absent="SELECT 1 FROM tm_states WHERE key = %s",
    delete="DELETE FROM tm_states WHERE key = %s AND version = %s",
    insert="INSERT INTO tm_states (key, version, value, updated) VALUES (%s, 1, %s, %s) "
    "ON CONFLICT (key) DO NOTHING",
    update="UPDATE tm_states SET version = version + 1, value = %s, updated = %s "
    "WHERE key = %s AND version = %s",
)
DDL = (
    "CREATE TABLE IF NOT EXISTS tm_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tm_states (key TEXT PRIMARY KEY, version BIGINT NOT NULL, "
    "value JSONB NOT NULL, updated TIMESTAMPTZ NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS tm_events (id TEXT PRIMARY KEY, seen TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tm_events_seen ON tm_events (seen)",
    "CREATE TABLE IF NOT EXISTS tm_claims (key TEXT PRIMARY KEY, status TEXT NOT NULL, "
    "attempts INTEGER NOT NULL, claimed_at TIMESTAMPTZ NOT NULL, sent_at TIMESTAMPTZ, error TEXT)",
    "CREATE TABLE IF NOT EXISTS tm_records (tbl TEXT NOT NULL, key TEXT NOT NULL, value JSONB NOT NULL, "
    "PRIMARY KEY (tbl, key))",
)
POOL_SIZE = 16
CONNECT_TIMEOUT = 5


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)(.*)@")  # up to the last @: a password may hold / or ?
_PASSWORD_KV = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE)


def _secrets(url: str) -> list[str]:
    """The password(s) written in `url`, raw and percent-decoded, to scrub from any message."""
    found: list[str] = []
    userinfo = _USERINFO.match(url)
    if userinfo and ":" in userinfo.group(2):
        found.append(userinfo.group(2).split(":", 1)[1])
    found += [value.strip("'") for _, value in _PASSWORD_KV.findall(url)]
    found += [unquote(value) for value in found]
    return sorted({value for value in found if value}, key=len, reverse=True)


def redact(url: str) -> str:
    """`url` (a postgresql:// URL or libpq key=value settings) without its password."""
    shown = url
    userinfo = _USERINFO.match(url)
    if userinfo:
        who = userinfo.group(2)
        user = who.split(":", 1)[0]
        shown = f"{userinfo.group(1)}{user}{':***' if ':' in who else ''}@{url[userinfo.end() :]}"
    shown = _PASSWORD_KV.sub(lambda m: m.group(1) + "***", shown)
    for secret in _secrets(url):  # whatever the forms above missed
        shown = shown.replace(secret, "***")
    return shown


def scrub(message: str, url: str) -> str:
    """`message` (a driver's text) with the URL shown redacted and no trace of the password."""
    message = message.replace(url, redact(url))
    for secret in _secrets(url):
        message = message.replace(secret, "***")
    return message


def _stamp(value: Any) -> Any:
    return stamp(value) if isinstance(value, dt.datetime) else value


class PostgresStorage(Storage):
    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.where = redact(url)
        if urlsplit(url).scheme not in ("postgres", "postgresql") and "=" not in url:
            raise StorageError(storage_text("bad_url", where=self.where))
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, autocommit=False) as conn:
                self._create_schema(conn)
        except psycopg.OperationalError as exc:
            raise StorageError(
                storage_text("pg_unreachable", where=self.where, error=self._first_line(exc))
            ) from None
        except psycopg.Error as exc:
            raise StorageError(
                storage_text("pg_failed", where=self.where, error=self._first_line(exc))
            ) from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"connect_timeout": CONNECT_TIMEOUT, "autocommit": True},
            timeout=30,
            open=True,
            name="toimintamalli",
        )
        try:
            self.forget_events(dt.datetime.now(dt.UTC) - KEEP_EVENTS)
        except StorageError:
            self._pool.close()
            raise

    def _first_line(self, exc: BaseException) -> str:
        shown = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return scrub(shown, self.url)

    def _create_schema(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_ID,))
            present = {
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
                    (list(TABLES),),
                )
            }
            if present and "tm_meta" not in present:
                raise StorageError(storage_text("pg_foreign", where=self.where, table=sorted(present)[0]))
            if "tm_meta" in present:
                row = conn.execute("SELECT value FROM tm_meta WHERE name = 'app'").fetchone()
                if row is None or row[0] != "toimintamalli":
                    raise StorageError(storage_text("pg_foreign", where=self.where, table="tm_meta"))
                found = conn.execute("SELECT value FROM tm_meta WHERE name = 'schema'").fetchone()
                if found is not None and int(found[0]) > SCHEMA_VERSION:
                    raise StorageError(
                        storage_text("schema_newer", where=self.where, found=found[0], known=SCHEMA_VERSION)
                    )
            for statement in DDL:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO tm_meta (name, value) VALUES ('app', 'toimintamalli'), ('schema', %s) "
                "ON CONFLICT (name) DO NOTHING",
                (str(SCHEMA_VERSION),),
            )

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A BEGIN … COMMIT block around several statements."""
        with self._connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection in autocommit: a single statement is its own transaction (one round
        trip); failures become a StorageError naming the database without its password."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            log.error("store %s: %s", self.where, self._first_line(exc))
            raise StorageError(
                storage_text("pg_unreachable", where=self.where, error=self._first_line(exc))
            ) from None
        except psycopg.Error as exc:
            log.error("store %s: %s", self.where, self._first_line(exc))
            raise StorageError(
                storage_text("pg_failed", where=self.where, error=self._first_line(exc))
            ) from None

    # -- states ---------------------------------------------------------------------------------
    def load_many(self, keys: Sequence[str]) -> dict[str, Versioned]:
        found: dict[str, Versioned] = {key: Versioned({}, 0) for key in keys}
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT key, version, value FROM tm_states WHERE key = ANY(%s)", (list(keys),)
            ).fetchall()
        for key, version, value in rows:
            found[key] = Versioned(value if isinstance(value, dict) else {}, int(version))
        return found

    def commit(self, writes: Sequence[Write]) -> bool:
        def run(sql: str, params: tuple[Any, ...]) -> int:
            return int(conn.execute(sql, params).rowcount)

        try:
            with self._transaction() as conn:
                apply_writes(run, CAS, writes, Jsonb, dt.datetime.now(dt.UTC))
        except Conflict:
            return False
        return True

    def states(self, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
        with self._connection() as conn:
            rows = conn.execute(
                'SELECT key, value FROM tm_states WHERE left(key, %s) = %s ORDER BY key COLLATE "C"',
                (len(prefix), prefix),
            ).fetchall()
        for key, value in rows:
            if isinstance(value, dict):
                yield key, value

    def forget_conversations(self, before: dt.datetime) -> int:
        with self._connection() as conn:
            return int(
                conn.execute(
                    "DELETE FROM tm_states WHERE length(key) - length(replace(key, ':', '')) = 3 "
                    "AND updated < %s",
                    (before,),
                ).rowcount
            )

    # -- event ids ------------------------------------------------------------------------------
    def first_time(self, event_id: str, now: dt.datetime | None = None) -> bool:
        moment = now or dt.datetime.now(dt.UTC)
        with self._connection() as conn:
            new = conn.execute(
                "INSERT INTO tm_events (id, seen) VALUES (%s, %s) "
                "ON CONFLICT (id) DO UPDATE SET seen = EXCLUDED.seen WHERE tm_events.seen < %s",
                (event_id, moment, moment - KEEP_EVENTS),
            ).rowcount
        self._now_and_then_forget_events(moment)
        return new == 1

    def forget_events(self, before: dt.datetime) -> int:
        with self._connection() as conn:
            return int(conn.execute("DELETE FROM tm_events WHERE seen < %s", (before,)).rowcount)

    # -- claims ---------------------------------------------------------------------------------
    def claim(self, key: str, now: dt.datetime, attempts: int = 1) -> bool:
        with self._connection() as conn:
            inserted = conn.execute(
                "INSERT INTO tm_claims (key, status, attempts, claimed_at) VALUES (%s, 'sending', 1, %s) "
                "ON CONFLICT (key) DO NOTHING",
                (key, now),
            ).rowcount
            if inserted == 1:
                return True
            retaken = conn.execute(
                "UPDATE tm_claims SET status = 'sending', attempts = attempts + 1, claimed_at = %s, "
                "error = NULL WHERE key = %s AND status = 'failed' AND attempts < %s",
                (now, key, attempts),
            ).rowcount
            return bool(retaken == 1)

    def finish(self, key: str, now: dt.datetime, error: str | None = None) -> None:
        with self._connection() as conn:
            if error is None:
                conn.execute(
                    "UPDATE tm_claims SET status = 'sent', sent_at = %s, error = NULL WHERE key = %s",
                    (now, key),
                )
            else:
                conn.execute(
                    "UPDATE tm_claims SET status = 'failed', error = %s WHERE key = %s", (error[:500], key)
                )

    def forget_claims(self, prefix: str, before: dt.datetime) -> int:
        with self._connection() as conn:
            return int(
                conn.execute(
                    "DELETE FROM tm_claims WHERE left(key, %s) = %s AND claimed_at < %s",
                    (len(prefix), prefix, before),
                ).rowcount
            )

    def claims(self, prefix: str = "") -> list[dict[str, Any]]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT key, status, attempts, claimed_at, sent_at, error FROM tm_claims "
                'WHERE left(key, %s) = %s ORDER BY claimed_at, key COLLATE "C"',
                (len(prefix), prefix),
            ).fetchall()
        names = ("key", "status", "attempts", "claimed_at", "sent_at", "error")
        return [dict(zip(names, (_stamp(v) for v in row), strict=True)) for row in rows]

    # -- records --------------------------------------------------------------------------------
    def put(self, table: str, key: str, value: Any) -> None:
        self.put_many(table, [(key, value)])

    def put_many(self, table: str, pairs: Iterable[tuple[str, Any]]) -> None:
        with self._transaction() as conn:
            for key, value in pairs:
                conn.execute(
                    "INSERT INTO tm_records (tbl, key, value) VALUES (%s, %s, %s) "
                    "ON CONFLICT (tbl, key) DO UPDATE SET value = EXCLUDED.value",
                    (table, key, Jsonb(value)),
                )

    def get(self, table: str, key: str, default: Any = None) -> Any:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT value FROM tm_records WHERE tbl = %s AND key = %s", (table, key)
            ).fetchone()
        return default if row is None else row[0]

    def items(self, table: str) -> list[tuple[str, Any]]:
        with self._connection() as conn:
            rows = conn.execute(
                'SELECT key, value FROM tm_records WHERE tbl = %s ORDER BY key COLLATE "C"', (table,)
            ).fetchall()
        return [(str(k), v) for k, v in rows]

    def delete_many(self, table: str, keys: Iterable[str]) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM tm_records WHERE tbl = %s AND key = ANY(%s)", (table, list(keys)))

    def close(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.close()
