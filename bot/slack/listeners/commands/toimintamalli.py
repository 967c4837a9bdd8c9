"""`/toimintamalli [apua | check | lomake | määräajat | muistutus … | question]`.

Everything goes through dialogs.router.respond except opening the DM or the form: `check`
runs in the user's DM (with a short ephemeral note where the command was typed), `lomake`
opens the check form as a modal, the rest is answered ephemerally.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.deliver import ResponseUrlDestination
from bot.slack.mrkdwn import from_slack
from bot.slack.services import services_of
from bot.slack.turn_flow import converse
from knowledge.rules import default_rules
from knowledge.text import fold

COMMAND = "/toimintamalli"


def handle_toimintamalli(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    services = services_of(context)
    team = context.team_id or str(command.get("team_id") or "")
    user = str(command["user_id"])
    text = from_slack(str(command.get("text") or ""))
    here = ResponseUrlDestination(respond.response_url, conversation=str(command.get("channel_id") or ""))
    if fold(text).strip(" .!") in default_rules().words_for("form"):
        return  # bot.slack.guard opened the form at once, before its trigger_id could expire
    converse(services, client, here, team, user, text)  # `check` moves on to the DM there
