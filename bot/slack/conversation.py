"""The path every user input takes: a turn through the router, then the rendered replies to a destination."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.slack.deliver import Destination, deliver
from bot.slack.render import render_replies
from bot.slack.services import Services

log = logging.getLogger(__name__)


def converse(
    services: Services,
    client: WebClient,
    destination: Destination,
    team: str,
    user: str,
    text: str,
    clicked_step: str | None = None,
) -> bool:
    """Run one turn for `user` with `text` and post the replies; True when they were delivered.
    `clicked_step`: `text` is a clicked choice of that dialog step's question."""
    turn = services.turns.run(team, user, text, destination.conversation, destination.private, clicked_step)
    delivered = deliver(client, destination, render_replies(turn.replies), user, services.outbox)
    if not delivered and services.turns.take_back(team, user, turn):
        log.warning("the replies did not reach %s; the turn was taken back", user)
    services.prompts.after_turn(client, team, user, destination)
    return delivered
