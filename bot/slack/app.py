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
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import Settings
from bot.slack.dedupe import EventDeduper, dedupe_middleware
from bot.slack.deliver import redact_webhook_logs
from bot.slack.feedback import FeedbackLog
from bot.slack.guard import early_ack_middleware
from bot.slack.listeners import register_listeners
from bot.slack.prompts import PromptTracker
from bot.slack.services import Services, services_middleware
from bot.slack.turns import TurnRunner
from bot.store import Store
from dialogs.context import Context

LISTENER_THREADS = 32
_services: weakref.WeakKeyDictionary[App, Services] = weakref.WeakKeyDictionary()
_executors: weakref.WeakKeyDictionary[App, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
RATE_LIMIT_RETRIES = 3
log = logging.getLogger(__name__)


def create_client(settings: Settings) -> WebClient:
    """A WebClient for `settings` (SLACK_API_BASE_URL honoured) that waits and retries on HTTP 429."""
    client = WebClient(token=settings.slack_bot_token or None, base_url=settings.slack_api_base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


def create_app(
    settings: Settings, store: Store, ctx: Context, clock: Callable[[], dt.datetime] | None = None
) -> App:
    """The Bolt App for `settings`, keeping state in `store` and answering with `ctx`."""
    redact_webhook_logs()
    feedback = FeedbackLog(store)
    services = Services(
        settings=settings,
        store=store,
        ctx=ctx,
        turns=TurnRunner(store, ctx, feedback, clock),
        feedback=feedback,
        deduper=EventDeduper(store),
        prompts=PromptTracker(),
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
    app.use(dedupe_middleware(services.deduper))
    app.use(early_ack_middleware)
    register_listeners(app)
    _services[app] = services
    _executors[app] = executor
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
        services.deduper.close()
