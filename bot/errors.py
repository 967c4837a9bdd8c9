"""Turns start-up and data errors into one Finnish line for the user."""

from __future__ import annotations


def describe(exc: BaseException) -> str:
    from bot.settings import SettingsError
    from bot.storage import StorageError
    from bot.texts import text
    from knowledge.loader import KnowledgeError

    if isinstance(exc, SettingsError | StorageError):
        return text("cli", "error", message=exc)
    if isinstance(exc, KnowledgeError):
        return text("cli", "knowledge_error", message=exc)
    return text("cli", "unexpected_error", kind=type(exc).__name__, message=exc)
