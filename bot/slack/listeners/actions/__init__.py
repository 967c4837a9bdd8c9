"""Interactivity listeners: dialog choices, "Tarkoititko…?" suggestions, 👍/👎, App Home buttons."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.guard import guarded
from bot.slack.listeners.actions.choices import handle_choice, handle_multi_change, handle_multi_done
from bot.slack.listeners.actions.feedback import handle_feedback
from bot.slack.listeners.actions.home_buttons import handle_home_check, handle_home_form
from bot.slack.listeners.actions.suggestions import handle_suggestion


def register(app: App) -> None:
    app.action(ids.CHOICE_BUTTON_RE)(guarded(handle_choice))
    app.action(ids.CHOICE_SELECT_RE)(guarded(handle_choice))
    app.action(ids.CHOICE_MULTI_RE)(guarded(handle_multi_change))
    app.action(ids.CHOICE_DONE)(guarded(handle_multi_done))
    app.action(ids.SUGGESTION_RE)(guarded(handle_suggestion))
    app.action(ids.FEEDBACK_RE)(guarded(handle_feedback))
    app.action(ids.HOME_CHECK)(guarded(handle_home_check))
    app.action(ids.HOME_FORM)(guarded(handle_home_form))
