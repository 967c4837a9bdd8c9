"""Where a click on a message or the App Home is answered, and marking the clicked block as used."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.deliver import ChannelDestination, Destination, ResponseUrlDestination, open_dm
from bot.slack.prompts import PromptTracker
from bot.slack.render import replace_block

log = logging.getLogger(__name__)


def clicked_user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def click_destination(body: dict[str, Any], client: WebClient, respond: Respond) -> Destination:
    """The clicked message's conversation (and thread); ephemeral: its response_url; App Home: the DM."""
    container = body.get("container") or {}
    if container.get("type") == "message":
        if container.get("is_ephemeral") and body.get("response_url"):
            return ResponseUrlDestination(
                respond.response_url, conversation=str(container.get("channel_id") or "")
            )
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        if channel:
            return ChannelDestination(client, str(channel), message.get("thread_ts"))
    return ChannelDestination(client, open_dm(client, clicked_user(body)))


def mark_block(
    body: dict[str, Any],
    client: WebClient,
    block_id: str,
    note: str,
    prompts: PromptTracker,
    drop: tuple[str, ...] = (),
) -> None:
    """Replace the clicked block of a (non-ephemeral) message with `note` so it is not clicked twice."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if container.get("is_ephemeral") or not message.get("ts") or not channel or not block_id:
        return
    prompts.forget(str(channel), str(message["ts"]))
    try:
        client.chat_update(
            channel=str(channel),
            ts=str(message["ts"]),
            text=str(message.get("text") or ""),
            blocks=replace_block(message.get("blocks") or [], block_id, note, drop),
        )
    except SlackApiError as exc:
        log.warning("chat.update after a click failed: %s", exc.response.get("error"))


def picked(action: dict[str, Any]) -> tuple[str, str]:
    """(value, label) of a clicked button or a chosen select option."""
    if "selected_option" in action:
        option = action.get("selected_option") or {}
        return str(option.get("value") or ""), str((option.get("text") or {}).get("text") or "")
    return str(action.get("value") or ""), str((action.get("text") or {}).get("text") or "")


def picked_many(body: dict[str, Any], block_id: str, prefix: str) -> tuple[list[str], list[str]]:
    """(values, labels) ticked in the checkboxes / multi-selects of block `block_id`."""
    values: list[str] = []
    labels: list[str] = []
    block_state = ((body.get("state") or {}).get("values") or {}).get(block_id) or {}
    for action_id, element in sorted(block_state.items()):
        if not action_id.startswith(prefix):
            continue
        for option in element.get("selected_options") or []:
            values.append(str(option.get("value") or ""))
            labels.append(str((option.get("text") or {}).get("text") or ""))
    return values, labels
