"""👍/👎 on an answer: stored with the question, topic and confidence; the buttons become a thank-you."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, Respond
from slack_bolt.context import BoltContext
from slack_sdk import WebClient

from bot.slack import ids, texts
from bot.slack.clicks import clicked_user, mark_block
from bot.slack.deliver import ResponseUrlDestination, notify
from bot.slack.mrkdwn import unescape
from bot.slack.render import feedback_prompt_id
from bot.slack.services import services_of, slack_address


def _button_value(value: str) -> dict[str, Any]:
    """The answer a vote button carries (JSON with q, t, c); {} for anything else."""
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def handle_feedback(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    services = services_of(context)
    vote = "up" if str(action.get("action_id")) == f"{ids.FEEDBACK}:up" else "down"
    container = body.get("container") or {}
    block_id = str(action.get("block_id") or "")
    if not services.prompts.first_click(body, block_id):
        return  # one vote and one thank-you per answer, however often it is clicked
    user = clicked_user(body)
    where = f"{container.get('channel_id', '')}:{container.get('message_ts', '')}:{block_id}"
    data = _button_value(str(action.get("value") or ""))
    services.feedback.record_vote(
        slack_address(context.team_id or "", user),
        where,
        vote,
        unescape(str(data.get("q") or "")),
        str(data["t"]) if data.get("t") else None,
        bool(data.get("c", True)),
        services.turns.clock(),
    )
    if container.get("is_ephemeral") and body.get("response_url"):
        notify(client, ResponseUrlDestination(respond.response_url), texts.FEEDBACK_THANKS[vote], user)
    else:
        drop = (feedback_prompt_id(block_id),)
        mark_block(body, client, block_id, texts.FEEDBACK_THANKS[vote], services.prompts, drop)
