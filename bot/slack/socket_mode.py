"""Socket Mode: the same Bolt app over Slack's WebSocket (no public URL), with the builtin client."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler


def connect_socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """Connect `app` with the app-level token (xapp-…); the caller keeps the process alive and closes it."""
    handler = SocketModeHandler(app, app_token, web_client=app.client)
    handler.connect()
    return handler
