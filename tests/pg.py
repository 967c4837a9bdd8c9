"""PostgreSQL for the tests: a fresh schema per test on the machine's server (127.0.0.1:5432, user
postgres, database test, unless TOIMINTAMALLI_TEST_PG says otherwise). Without a server the
PostgreSQL tests skip with the reason; under CI=true they fail instead, since CI has one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

BASE_URL = os.environ.get("TOIMINTAMALLI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def available() -> str | None:
    """None if the server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(BASE_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {BASE_URL} does not answer: {str(exc).strip().splitlines()[0]}"
    return None


def require() -> None:
    reason = available()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}: the PostgreSQL tests must run in CI")
    pytest.skip(reason)


def schema_url(schema: str) -> str:
    return f"{BASE_URL}?options={quote(f'-csearch_path={schema}')}"


def fresh_schema() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; dropped afterwards."""
    import psycopg

    require()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema_url(schema)
    finally:
        with psycopg.connect(BASE_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
