"""State behind one interface (bot.storage.base.Storage): SQLite embedded, PostgreSQL for many processes."""

from __future__ import annotations

from bot.storage.base import Storage, StorageError, Versioned, Write

__all__ = ["Storage", "StorageError", "Versioned", "Write", "open_storage"]


def open_storage(database_url: str, db_path: object) -> Storage:
    """PostgreSQL when `database_url` is set (TOIMINTAMALLI_DATABASE_URL), else the SQLite file `db_path`."""
    if database_url:
        try:
            from bot.storage.postgres import PostgresStorage
        except ImportError:  # psycopg is the extra [postgres]
            from bot.texts import text

            raise StorageError(text("storage", "pg_missing_driver")) from None
        return PostgresStorage(database_url)
    from pathlib import Path

    from bot.storage.sqlite import SqliteStorage

    return SqliteStorage(Path(str(db_path)))
