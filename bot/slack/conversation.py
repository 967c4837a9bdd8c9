"""The path every user input takes: a turn through the router, then the rendered replies to a destination."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.deliver import Destination, deliver
from bot.slack.render import render_replies
from bot.slack.services import Services


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
    replies = services.turns.run(
        team, user, text, destination.conversation, destination.private, clicked_step
    )
    delivered = deliver(client, destination, render_replies(replies), user)
    services.prompts.after_turn(client, team, user, destination)
    return delivered
