"""Modal (view) listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.guard import guarded
from bot.slack.listeners.views.check_form import handle_check_form


def register(app: App) -> None:
    app.view(ids.CHECK_MODAL)(guarded(handle_check_form))
