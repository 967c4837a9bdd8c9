"""What the listeners share (settings, store, turn runner, feedback log), handed to them in Bolt's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context import BoltContext

from bot.settings import Settings
from bot.slack.dedupe import EventDeduper
from bot.slack.feedback import FeedbackLog
from bot.slack.outbox import Outbox
from bot.slack.prompts import PromptTracker
from bot.slack.turns import TurnRunner
from bot.store import Store
from dialogs.context import Context

CONTEXT_KEY = "toimintamalli_services"


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    ctx: Context
    turns: TurnRunner
    feedback: FeedbackLog
    deduper: EventDeduper
    prompts: PromptTracker
    outbox: Outbox


def services_of(context: BoltContext) -> Services:
    services = context[CONTEXT_KEY]
    assert isinstance(services, Services)
    return services


def services_middleware(services: Services) -> Callable[..., Any]:
    """A Bolt global middleware putting `services` into every request's context."""

    def provide_services(context: BoltContext, next: Callable[[], None]) -> None:
        context[CONTEXT_KEY] = services
        next()

    return provide_services
