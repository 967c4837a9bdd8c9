"""A dialog choice picked (button, select, or several ticked then "Valmis"): its value is the user's input."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack import ids, texts
from bot.slack.clicks import click_destination, clicked_user, mark_block, picked, picked_many
from bot.slack.deliver import notify
from bot.slack.services import services_of
from bot.slack.turn_flow import converse


def handle_choice(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    services = services_of(context)
    block_id = str(action.get("block_id") or "")
    if not services.prompts.first_click(body, block_id):
        return
    value, label = picked(action)
    user = clicked_user(body)
    destination = click_destination(body, client, respond)
    mark_block(body, client, block_id, texts.PICKED.format(label=label), services.prompts)
    converse(services, client, destination, context.team_id or "", user, value, ids.step_of(block_id))


def handle_multi_change(ack: Ack) -> None:
    ack()  # ticks are read from the message state when "Valmis" is clicked


def handle_multi_done(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    services = services_of(context)
    block_id = str(action.get("block_id") or "")
    values, labels = picked_many(body, block_id, ids.CHOICE_MULTI)
    user = clicked_user(body)
    destination = click_destination(body, client, respond)
    if not values:
        notify(client, destination, texts.NOTHING_PICKED.format(done=texts.DONE), user)
        return
    if not services.prompts.first_click(body, block_id):
        return
    mark_block(body, client, block_id, texts.PICKED.format(label=", ".join(labels)), services.prompts)
    converse(
        services, client, destination, context.team_id or "", user, ", ".join(values), ids.step_of(block_id)
    )
