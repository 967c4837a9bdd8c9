"""A "Tarkoititko…?" button: the suggested question is asked as if the user had typed it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack.clicks import click_destination, clicked_user, picked
from bot.slack.services import services_of
from bot.slack.turn_flow import converse


def handle_suggestion(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    question, _ = picked(action)
    destination = click_destination(body, client, respond)
    converse(services_of(context), client, destination, context.team_id or "", clicked_user(body), question)
