"""Starting the perustiedot check in the user's DM (from the slash command or the App Home)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import texts
from bot.slack.conversation import converse
from bot.slack.deliver import ChannelDestination, Destination, notify, open_dm
from bot.slack.services import Services

log = logging.getLogger(__name__)


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
