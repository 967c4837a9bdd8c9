"""The Bolt app factory: one App with its client, middleware and listeners; nothing runs at import time.

Ack first, work after: the app runs with `process_before_response=False`, so Bolt hands each
listener to a thread pool. Events are acknowledged before their listener starts; commands and
interactions call `ack()` as their first statement and Bolt answers Slack at that moment while
the turn (router, store, Web API calls) continues in the pool. This keeps every ack well under
3 seconds without lazy listeners (which would re-parse the raw body, see bot.slack.wsgi).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.feedback import FeedbackLog
from bot.settings import Settings, SettingsError
from bot.slack import texts
from bot.slack.dedupe import dedupe_middleware
from bot.slack.deliver import destination_for, redact_webhook_logs
from bot.slack.guard import early_ack_middleware
from bot.slack.listeners import register_listeners
from bot.slack.outbox import Outbox
from bot.slack.prompts import PromptTracker
from bot.slack.services import Services, services_middleware
from bot.storage import Storage
from bot.turns import TurnPipeline
from dialogs.context import Context

LISTENER_THREADS = 32
_services: weakref.WeakKeyDictionary[App, Services] = weakref.WeakKeyDictionary()
_executors: weakref.WeakKeyDictionary[App, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
RATE_LIMIT_RETRIES = 3
log = logging.getLogger(__name__)


def create_client(settings: Settings) -> WebClient:
    """The one WebClient factory: the bot token and SLACK_API_BASE_URL of `settings`, waiting and
    retrying on HTTP 429 (replies; bot.slack.reminder_delivery adds connection retries for reminders)."""
    client = WebClient(token=settings.slack_bot_token or None, base_url=settings.slack_api_base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})


def check_token(client: WebClient) -> None:
    """auth.test once at start-up: a wrong or revoked SLACK_BOT_TOKEN stops the start with a message
    naming the variable (instead of Bolt's English "reinstall" answer on every event). Slack being
    unreachable is only logged: the app starts and delivery retries later."""
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        if error in TOKEN_ERRORS:
            raise SettingsError(texts.TOKEN_REFUSED.format(error=error)) from None
        log.warning("auth.test answered %s at start-up", error)
    except (SlackClientError, OSError) as exc:
        log.warning("Slack did not answer auth.test at start-up (%s); starting anyway", type(exc).__name__)


def create_app(
    settings: Settings, storage: Storage, ctx: Context, clock: Callable[[], dt.datetime] | None = None
) -> App:
    """The Bolt App for `settings`, keeping state in `storage` and answering with `ctx`."""
    redact_webhook_logs()
    feedback = FeedbackLog(storage)
    services = Services(
        settings=settings,
        storage=storage,
        ctx=ctx,
        turns=TurnPipeline(storage, ctx, feedback, clock),
        feedback=feedback,
        prompts=PromptTracker(),
        outbox=Outbox(storage),
    )
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack-listener")
    app = App(
        client=create_client(settings),
        signing_secret=settings.slack_signing_secret,
        token_verification_enabled=False,
        process_before_response=False,
        listener_executor=executor,
    )
    app.use(services_middleware(services))
    app.use(dedupe_middleware(storage))
    app.use(early_ack_middleware)
    register_listeners(app)
    _services[app] = services
    _executors[app] = executor
    client = app.client
    services.outbox.start(lambda address: destination_for(client, address))
    return app


DRAIN_SECONDS = 10.0


def close_app(app: App) -> None:
    """Finish what the app keeps in the background (event ids not yet written); before closing the store."""
    executor = _executors.pop(app, None)
    if executor is not None:  # let acknowledged turns finish (bounded) before the store closes under them
        executor.shutdown(wait=False)
        deadline = time.monotonic() + DRAIN_SECONDS
        for thread in list(getattr(executor, "_threads", ())):
            thread.join(max(0.0, deadline - time.monotonic()))
    services = _services.pop(app, None)
    if services is not None:
        services.outbox.stop()
