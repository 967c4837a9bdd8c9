"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.guard import guarded
from bot.slack.listeners.commands.toimintamalli import COMMAND, handle_toimintamalli


def register(app: App) -> None:
    app.command(COMMAND)(guarded(handle_toimintamalli))
