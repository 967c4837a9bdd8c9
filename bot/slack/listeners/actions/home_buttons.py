"""App Home buttons: start the check in the user's DM, or open the check form (modal)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.check_in_dm import start_check_in_dm
from bot.slack.clicks import clicked_user
from bot.slack.guard import FORM_OPENING_KEY
from bot.slack.modal import open_check_modal
from bot.slack.services import services_of


def handle_home_check(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    start_check_in_dm(services_of(context), client, context.team_id or "", clicked_user(body), "check", None)


def handle_home_form(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    if context.get(FORM_OPENING_KEY):
        return  # bot.slack.guard opens it at once, before its trigger_id expires
    services = services_of(context)
    state = services.turns.state(context.team_id or "", clicked_user(body))
    open_check_modal(client, str(body.get("trigger_id") or ""), state, services.ctx)
