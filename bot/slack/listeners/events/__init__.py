"""Events API listeners: mentions, direct messages, the App Home tab, and other messages ignored."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.guard import guarded
from bot.slack.listeners.events.app_home_opened import handle_app_home_opened
from bot.slack.listeners.events.app_mention import handle_app_mention
from bot.slack.listeners.events.direct_message import handle_direct_message, is_direct_user_message
from bot.slack.listeners.events.ignored import ignore_event


def register(app: App) -> None:
    app.event("app_mention")(guarded(handle_app_mention))
    app.event("message", matchers=[is_direct_user_message])(guarded(handle_direct_message))
    app.event("message")(guarded(ignore_event))  # bots, edits, deletions, channel chatter: acknowledged only
    app.event("app_home_opened")(guarded(handle_app_home_opened))
