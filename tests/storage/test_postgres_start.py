"""PostgreSQL at start-up: the schema is created once however many processes start together, and a
database that cannot be used stops the start with one message naming the URL without its password."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from bot.storage import StorageError
from bot.storage.postgres import PostgresStorage, redact, scrub

ROOT = Path(__file__).resolve().parents[2]


def test_the_password_never_shows() -> None:
    assert redact("postgresql://bot:s3kret@db.example:5432/tm") == "postgresql://bot:***@db.example:5432/tm"
    assert redact("postgresql://db.example/tm?password=s3kret&sslmode=require") == (
        "postgresql://db.example/tm?password=***&sslmode=require"
    )
    assert redact("postgresql://bot@db.example/tm") == "postgresql://bot@db.example/tm"
    assert redact("host=db password=s3kret dbname=tm") == "host=db password=*** dbname=tm"  # libpq settings
    assert (
        redact("postgresql://bot:pa/ss?x@127.0.0.1/tm") == "postgresql://bot:***@127.0.0.1/tm"
    )  # unencoded / ?
    driver = 'invalid percent-encoded token: "se%zzcret"'  # libpq repeats a malformed password
    assert "se%zzcret" not in scrub(driver, "postgresql://bot:se%zzcret@h/tm")


def test_an_unreachable_database_is_named_without_its_password() -> None:
    with pytest.raises(StorageError) as refused:
        PostgresStorage("postgresql://bot:s3kret@127.0.0.1:1/tm")
    message = str(refused.value)
    assert "postgresql://bot:***@127.0.0.1:1/tm" in message and "s3kret" not in message
    assert "TOIMINTAMALLI_DATABASE_URL" in message and "\n" not in message


def test_a_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(StorageError) as refused:
        PostgresStorage("mysql://bot:s3kret@127.0.0.1/tm")
    assert "postgresql://" in str(refused.value) and "s3kret" not in str(refused.value)


def test_the_cli_stops_with_one_finnish_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
    env.update(TOIMINTAMALLI_DATABASE_URL="postgresql://bot:s3kret@127.0.0.1:1/tm", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "reminders", "list"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("Virhe: PostgreSQL-tietokantaan postgresql://bot:***@127.0.0.1:1/tm")
    assert "s3kret" not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_a_foreign_table_of_our_name_is_refused_and_left_alone(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE tm_states (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO tm_states VALUES (1, 'Maija')")
    with pytest.raises(StorageError) as refused:
        PostgresStorage(pg_url)
    assert "tm_states" in str(refused.value) and "127.0.0.1" in str(refused.value)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT name FROM tm_states").fetchall() == [("Maija",)]
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = current_schema()")}  # fmt: skip
    assert tables == {"tm_states"}  # nothing added


def test_another_programs_meta_table_is_refused(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE tm_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO tm_meta VALUES ('app', 'someone-else')")
    with pytest.raises(StorageError):
        PostgresStorage(pg_url)


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    PostgresStorage(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE tm_meta SET value = '99' WHERE name = 'schema'")
    with pytest.raises(StorageError) as refused:
        PostgresStorage(pg_url)
    assert "99" in str(refused.value)


def test_processes_starting_together_create_the_schema_once(pg_url: str) -> None:
    def start(_: int) -> int:
        store = PostgresStorage(pg_url, pool_size=1)
        try:
            return store.load("slack:T:U").version
        finally:
            store.close()

    with ThreadPoolExecutor(6) as pool:  # six connections racing the CREATE TABLEs
        assert list(pool.map(start, range(6))) == [0] * 6
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT value FROM tm_meta WHERE name = 'schema'").fetchone() == ("1",)


def test_a_malformed_password_never_shows_in_the_start_up_error() -> None:
    with pytest.raises(StorageError) as refused:
        PostgresStorage("postgresql://bot:se%zzcret@127.0.0.1:1/tm")
    assert "zzcret" not in str(refused.value)
