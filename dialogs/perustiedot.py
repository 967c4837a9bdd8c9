"""The perustiedot dialog (placeholder; being built)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dialogs.context import Context
from dialogs.replies import Reply


def is_active(state: dict[str, Any]) -> bool:
    return bool(state.get("dialog"))


def start(state: dict[str, Any], now: dt.datetime, ctx: Context) -> tuple[dict[str, Any], list[Reply]]:
    return state, [Reply("Tarkistusdialogi on rakenteilla.")]


def turn(state: dict[str, Any], text: str, now: dt.datetime, ctx: Context) -> tuple[dict[str, Any], list[Reply]]:
    return state, [Reply("Tarkistusdialogi on rakenteilla.")]
