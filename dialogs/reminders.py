"""Reminder commands and schedule (placeholder; being built)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dialogs.context import Context
from dialogs.replies import Reply


def deadlines_reply(now: dt.datetime, ctx: Context) -> list[Reply]:
    return [Reply("Määräajat: rakenteilla.")]


def command(state: dict[str, Any], args: str, now: dt.datetime, ctx: Context) -> tuple[dict[str, Any], list[Reply]]:
    return state, [Reply("Muistutukset: rakenteilla.")]
