"""`toimintamalli teams`: POST /api/messages (the Microsoft 365 Agents SDK on aiohttp) and GET /healthz.

With MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID set, incoming requests are
JWT-validated and replies authenticated (the SDK's MSAL connection manager). Without them it runs in
local mode: anonymous, bound to 127.0.0.1 only, with a warning (tests, the Agents Playground).

Before the SDK sees a request: a body over 1 MB is answered 413, one that is not a JSON object 400,
and an activity type the assistant does not handle 200 with nothing done. The SDK's own error
handler (which would show the exception to the user) is replaced by a Finnish message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import ClaimsIdentity, RestChannelServiceClientFactory, TurnContext

from bot.process import stop_on_sigterm
from bot.settings import Settings, SettingsError
from bot.storage import Storage
from bot.teams.agent import TeamsAgent
from bot.teams.cards import message
from bot.teams.sender import TeamsSender
from bot.texts import text as bot_text
from bot.turns import TurnPipeline
from dialogs.context import Context
from knowledge.rules import default_rules

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
HANDLED = frozenset({"message", "conversationUpdate"})
DEFAULT_PORT = 3978


def credentials(settings: Settings) -> bool:
    """True with all three credentials, False with none; a partial set is a SettingsError naming the rest."""
    given = {
        "MICROSOFT_APP_ID": settings.microsoft_app_id,
        "MICROSOFT_APP_PASSWORD": settings.microsoft_app_password,
        "MICROSOFT_APP_TENANT_ID": settings.microsoft_app_tenant_id,
    }
    missing = [name for name, value in given.items() if not value]
    if missing and len(missing) < len(given):
        raise SettingsError(bot_text("teams", "credentials_partial", missing=", ".join(missing)))
    return not missing


class LocalCloudAdapter(CloudAdapter):
    """Local mode: outgoing calls (proactive messages, new chats) go out anonymously, as incoming ones
    come in; with credentials the SDK's own identity is used."""

    def __init__(self, *, anonymous: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.anonymous = anonymous

    def create_claims_identity(self, agent_app_id: str = "") -> ClaimsIdentity:
        if self.anonymous:
            return ClaimsIdentity({}, authentication_type="anonymous")
        return super().create_claims_identity(agent_app_id)


class AnonymousClientFactory(RestChannelServiceClientFactory):
    """Local mode: every outgoing connector client is anonymous (the SDK decides per call otherwise,
    and a new 1:1 chat would ask MSAL for a token it cannot have)."""

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> Any:
        return await super().create_connector_client(
            context, claims_identity, service_url, audience, scopes, use_anonymous=True
        )

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> Any:
        return await super().create_user_token_client(context, claims_identity, use_anonymous=True)


def connection_manager(settings: Settings) -> MsalConnectionManager:
    connection: dict[str, Any]
    if credentials(settings):
        connection = {
            "AUTHTYPE": "ClientSecret",
            "CLIENTID": settings.microsoft_app_id,
            "CLIENTSECRET": settings.microsoft_app_password,
            "TENANTID": settings.microsoft_app_tenant_id,
        }
    else:
        connection = {"ANONYMOUS_ALLOWED": True}
    return MsalConnectionManager(CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": connection}})


def create_adapter(settings: Settings) -> tuple[LocalCloudAdapter, MsalConnectionManager]:
    manager = connection_manager(settings)
    if credentials(settings):
        adapter = LocalCloudAdapter(anonymous=False, connection_manager=manager)
    else:
        adapter = LocalCloudAdapter(
            anonymous=True, channel_service_client_factory=AnonymousClientFactory(manager)
        )

    async def on_error(context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s: %s", type(error).__name__, error)
        try:
            await context.send_activity(message(default_rules().dialog.not_saved))
        except Exception:  # the channel is gone as well: the log has it
            log.warning("could not tell the user about the failed turn")

    adapter.on_turn_error = on_error
    return adapter, manager


def create_teams_app(
    settings: Settings, storage: Storage, ctx: Context, clock: Callable[[], dt.datetime] | None = None
) -> tuple[web.Application, LocalCloudAdapter]:
    adapter, manager = create_adapter(settings)
    agent = TeamsAgent(TurnPipeline(storage, ctx, clock=clock), storage, adapter, settings.microsoft_app_id)

    @jwt_authorization_decorator
    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"error": "body over 1 MB"}, status=413)
        try:
            activity = json.loads(body)
        except ValueError:
            return web.json_response({"error": "not JSON"}, status=400)
        if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
            return web.json_response({"error": "not an activity"}, status=400)
        if activity["type"] not in HANDLED:
            return web.json_response({}, status=200)  # typing, reactions, invokes…: nothing to do
        try:
            response = await adapter.process(request, agent)
        except (ValueError, TypeError) as exc:  # an activity the SDK's models refuse
            log.info("refused activity: %s", type(exc).__name__)
            return web.json_response({"error": "invalid activity"}, status=400)
        return response if response is not None else web.Response(status=202)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    with warnings.catch_warnings():  # the SDK's middleware reads this plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = manager.get_default_connection_configuration()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app, adapter


class TeamsServer:
    """The aiohttp app on its own event loop in a thread: `start()` returns the port, `stop()` ends it."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        ctx: Context,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.app, self.adapter = create_teams_app(settings, storage, ctx, clock)
        self.settings = settings
        self.host = host
        self.port = port
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="teams-server", daemon=True)

    def start(self) -> int:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self.port

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    def sender(self) -> TeamsSender:
        return TeamsSender(self.adapter, self.settings.microsoft_app_id, self.loop)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self.loop.close()


def run_teams(port: int | None = None) -> int:
    """`toimintamalli teams [--port P]`: the Teams endpoint and the reminder scheduler in one process."""
    from bot.channels import open_store, senders
    from bot.scheduler import ReminderScheduler
    from bot.settings import load_settings
    from dialogs.context import default_context

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    secured = credentials(settings)
    host = "0.0.0.0" if secured else "127.0.0.1"
    if not secured:
        log.warning(bot_text("teams", "local_mode"))
    store = open_store(settings)
    try:
        ctx = default_context(settings.tz, channel="teams")
        server = TeamsServer(settings, store, ctx, host, port or DEFAULT_PORT)
        scheduler = ReminderScheduler(store, ctx, {**senders(settings), "teams": server.sender()})
        try:
            bound = server.start()
            scheduler.start()
            stop_on_sigterm()
            log.info("serving Teams on http://%s:%s/api/messages", host, bound)
            threading.Event().wait()
        except KeyboardInterrupt:
            log.info("stopping")
        finally:
            scheduler.stop()
            server.stop()
    finally:
        store.close()
    return 0
