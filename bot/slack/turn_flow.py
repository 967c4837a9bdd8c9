"""The path every Slack input takes: a turn through bot.turns, then the rendered replies to a destination;
or, for the check dialog asked where the next answers cannot reach the bot, on to the user's DM."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import texts
from bot.slack.deliver import ChannelDestination, Destination, deliver, notify, open_dm
from bot.slack.render import render_replies
from bot.slack.services import Services, slack_address

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
    address = slack_address(team, user)
    turn = services.turns.run(address, text, destination.conversation, destination.private, clicked_step)
    if turn.needs_private and not destination.holds_dialog:  # `check` where the next answers cannot
        services.turns.take_back(turn)  # reach the bot: the dialog runs in the DM
        return start_check_in_dm(services, client, team, user, text, note_to=destination)
    delivered = deliver(client, destination, render_replies(turn.replies), user, services.outbox)
    if not delivered and services.turns.take_back(turn):
        log.warning("the replies did not reach %s; the turn was taken back", user)
    services.prompts.after_turn(client, team, user, destination)
    return delivered


def start_check_in_dm(
    services: Services, client: WebClient, team: str, user: str, text: str, note_to: Destination | None
) -> bool:
    """Open the DM, run the turn `text` there and leave a short note at `note_to` (if given)."""
    try:
        dm = open_dm(client, user)
    except (SlackApiError, KeyError) as exc:
        error = exc.response.get("error", "?") if isinstance(exc, SlackApiError) else "no channel"
        log.warning("conversations.open for %s failed: %s", user, error)
        if note_to is not None:
            notify(client, note_to, texts.DM_FAILED.format(error=error))
        return False
    delivered = converse(services, client, ChannelDestination(client, dm), team, user, text)
    if delivered and note_to is not None:
        notify(client, note_to, texts.CHECK_IN_DM)
    return delivered
