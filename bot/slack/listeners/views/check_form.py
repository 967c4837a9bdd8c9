"""The perustiedot form submitted: inline errors, or the draft saved and its summary posted in the DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.deliver import ChannelDestination, deliver, open_dm
from bot.slack.guard import FORM_KEY
from bot.slack.render import render_replies
from bot.slack.services import services_of, slack_address
from dialogs.perustiedot import draft_from_answers

log = logging.getLogger(__name__)


def handle_check_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    services = services_of(context)
    ack()  # already acknowledged, with any inline errors, by bot.slack.guard in the request thread
    if FORM_KEY not in context:
        return
    answers, skipped = context[FORM_KEY]
    user = str((body.get("user") or {}).get("id") or "")
    team = context.team_id or ""
    turn = services.turns.apply(
        slack_address(team, user),
        "",
        lambda state, now: draft_from_answers(state, answers, skipped, now, services.ctx),
    )
    try:
        channel = open_dm(client, user)
    except (SlackApiError, SlackClientError, OSError, KeyError) as exc:
        log.warning("could not open a DM with %s for the form's summary: %s", user, type(exc).__name__)
        services.turns.take_back(turn)  # the form closed and nothing was shown
        return
    destination = ChannelDestination(client, channel)
    if not deliver(client, destination, render_replies(turn.replies), user, services.outbox):
        services.turns.take_back(turn)
