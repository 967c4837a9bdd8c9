"""Socket Mode uses the same app and honours SLACK_API_BASE_URL (apps.connections.open with the app token)."""

from __future__ import annotations

from pathlib import Path

from bot.slack.app import close_app, create_app
from bot.slack.socket_mode import connect_socket_mode
from bot.store import Store
from dialogs.context import Context
from tests.fake_slack import FakeSlack
from tests.slack.conftest import make_settings


def test_socket_mode_asks_the_configured_api_for_a_connection(
    fake_slack: FakeSlack, tmp_path: Path, slack_ctx: Context
) -> None:
    db = tmp_path / "store.sqlite"
    with Store(db) as store:
        app = create_app(make_settings(fake_slack, db), store, slack_ctx)
        handler = connect_socket_mode(app, "xapp-1-test")
        try:
            call = fake_slack.wait_for("apps.connections.open", 1)[0]  # it may retry at once
            assert call.headers["authorization"] == "Bearer xapp-1-test"
        finally:
            handler.close()
            close_app(app)
