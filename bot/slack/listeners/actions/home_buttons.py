"""App Home buttons: start the check in the user's DM, or open the check form (modal)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.clicks import clicked_user
from bot.slack.services import services_of
from bot.slack.turn_flow import start_check_in_dm


def handle_home_check(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    start_check_in_dm(services_of(context), client, context.team_id or "", clicked_user(body), "check", None)


def handle_home_form(ack: Ack) -> None:
    ack()  # bot.slack.guard opened the form at once, before its trigger_id could expire
