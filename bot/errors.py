"""Turns start-up and data errors into one Finnish line for the user."""

from __future__ import annotations


def describe(exc: BaseException) -> str:
    from bot.settings import SettingsError
    from bot.storage import StorageError
    from knowledge.loader import KnowledgeError

    if isinstance(exc, SettingsError | StorageError):
        return f"Virhe: {exc}"
    if isinstance(exc, KnowledgeError):
        return f"Tietopohjan virhe: {exc}"
    return f"Odottamaton virhe ({type(exc).__name__}): {exc}"
