"""Runs the Slack app: `serve` (HTTP on waitress, POST /slack/events and GET /healthz) or `socket`.

Both check their settings first (a missing token is named), open the store (SQLite, or PostgreSQL
with TOIMINTAMALLI_DATABASE_URL) and the knowledge base once, and start the reminder scheduler in
the same process. On PostgreSQL any number of these processes can share one database.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.channels import open_store, senders
from bot.process import stop_on_sigterm
from bot.settings import Settings, load_settings
from bot.storage import Storage
from dialogs.context import Context, default_context

HTTP_THREADS = 16
log = logging.getLogger(__name__)


class Stoppable(Protocol):
    def stop(self) -> None: ...


def _event(is_set: bool) -> threading.Event:
    event = threading.Event()
    if is_set:
        event.set()
    return event


@dataclass
class SlackHttpServer:
    """A waitress server for the Slack app: `run()` serves until `close()` (from any thread)."""

    server: Any
    app: Any
    poll_seconds: float = 0.2
    _stopping: threading.Event = field(default_factory=threading.Event)
    _stopped: threading.Event = field(default_factory=lambda: _event(is_set=True))

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def run(self) -> None:
        """Serve requests (waitress's own loop, polled so that `close()` can end it cleanly)."""
        self._stopped.clear()
        try:
            while not self._stopping.is_set():
                self.server.asyncore.loop(
                    timeout=self.poll_seconds,
                    map=self.server._map,
                    use_poll=self.server.adj.asyncore_use_poll,
                    count=1,
                )
        finally:
            self._stopped.set()

    def close(self, timeout: float = 5.0) -> None:
        from bot.slack.app import close_app

        self._stopping.set()
        self._stopped.wait(timeout)
        self.server.close()
        self.server.task_dispatcher.shutdown()
        close_app(self.app)


def create_http_server(
    settings: Settings,
    store: Storage,
    ctx: Context,
    host: str = "0.0.0.0",
    port: int | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> SlackHttpServer:
    """A waitress server for the Slack app, bound but not yet running."""
    from waitress.server import create_server

    from bot.slack.app import create_app
    from bot.slack.wsgi import MAX_BODY_BYTES, create_wsgi_app

    app = create_app(settings, store, ctx, clock)
    wsgi = create_wsgi_app(app, settings.slack_signing_secret)
    server = create_server(
        wsgi,
        host=host,
        port=settings.port if port is None else port,
        threads=HTTP_THREADS,
        max_request_body_size=2 * MAX_BODY_BYTES,
        ident="toimintamalli",
    )
    return SlackHttpServer(server=server, app=app)


def _start_scheduler(store: Storage, settings: Settings, ctx: Context, client: Any) -> Stoppable:
    """The reminder scheduler, sharing the app's Web API client (SLACK_API_BASE_URL, 429 retries)."""
    from bot.scheduler import ReminderScheduler

    return ReminderScheduler(store, ctx, senders(settings, slack_client=client)).start()


def _setup(settings_names: tuple[str, ...]) -> tuple[Settings, Storage, Context]:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    settings.require(*settings_names)
    store = open_store(settings)
    return settings, store, default_context(settings.tz, channel="slack")


def run_serve(port: int | None = None) -> int:
    """`toimintamalli serve`: needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET."""
    from bot.slack.app import check_token

    settings, store, ctx = _setup(("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"))
    scheduler: Stoppable | None = None
    try:
        server = create_http_server(settings, store, ctx, port=port)
        check_token(server.app.client)
        scheduler = _start_scheduler(store, settings, ctx, server.app.client)
        stop_on_sigterm()
        log.info("serving Slack on http://0.0.0.0:%s/slack/events", server.port)
        try:
            server.run()
        except KeyboardInterrupt:
            log.info("stopping")
        finally:
            server.close()
    finally:
        if scheduler is not None:
            scheduler.stop()
        store.close()
    return 0


def run_socket() -> int:
    """`toimintamalli socket`: needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN."""
    from bot.slack.app import check_token, close_app, create_app
    from bot.slack.socket_mode import connect_socket_mode

    settings, store, ctx = _setup(("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"))
    scheduler: Stoppable | None = None
    stop = threading.Event()
    try:
        app = create_app(settings, store, ctx)
        check_token(app.client)
        handler = connect_socket_mode(app, settings.slack_app_token)
        scheduler = _start_scheduler(store, settings, ctx, app.client)
        stop_on_sigterm()
        log.info("connected to Slack over Socket Mode")
        try:
            while not stop.wait(3600):
                pass
        except KeyboardInterrupt:
            log.info("stopping")
        finally:
            handler.close()
            close_app(app)
    finally:
        if scheduler is not None:
            scheduler.stop()
        store.close()
    return 0
