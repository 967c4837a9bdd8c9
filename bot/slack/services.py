"""What the listeners share (settings, storage, turn pipeline, feedback), handed to them in Bolt's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context import BoltContext

from bot.feedback import FeedbackLog
from bot.settings import Settings
from bot.slack.outbox import Outbox
from bot.slack.prompts import PromptTracker
from bot.state import Address
from bot.storage import Storage
from bot.turns import TurnPipeline
from dialogs.context import Context

CHANNEL = "slack"


def slack_address(team: str, user: str) -> Address:
    """A Slack user's address: the team and user id reach them (a DM is opened when needed)."""
    return Address(channel=CHANNEL, team=team, user=user)


CONTEXT_KEY = "toimintamalli_services"


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: Storage
    ctx: Context
    turns: TurnPipeline
    feedback: FeedbackLog
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
