"""The App Home tab: what the assistant does, the user's draft, reminders and the next deadlines."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack import blocks as bk
from bot.slack import ids, texts
from bot.slack.mrkdwn import escape, split_text
from bot.slack.services import Services, slack_address
from dialogs.context import Context
from dialogs.perustiedot import draft_status
from dialogs.reminders import subscriptions_summary

MAX_DEADLINES = 6
HOME_BLOCK_LIMIT = 100  # Slack's limit for a Home tab
log = logging.getLogger(__name__)


def upcoming_deadlines(ctx: Context, today: dt.date, limit: int = MAX_DEADLINES) -> list[str]:
    """Plain lines for the next deadlines on or after `today`."""
    coming = sorted((d for d in ctx.kb.deadlines if d.date >= today), key=lambda d: d.date)[:limit]
    return [f"*{d.date.day}.{d.date.month}.{d.date.year}* {d.title}: {d.what}" for d in coming]


def home_view(state: dict[str, Any], now: dt.datetime, ctx: Context) -> View:
    items: list[Block] = [bk.header(texts.HOME_TITLE), bk.section(escape(texts.HOME_INTRO))]
    items.append(
        bk.actions(
            "home-actions",
            [
                bk.button(texts.HOME_START_CHECK, ids.HOME_CHECK, "check", "primary"),
                bk.button(texts.HOME_OPEN_FORM, ids.HOME_FORM, "form"),
            ],
        )
    )
    items.append(bk.divider())
    items.append(bk.section(texts.HOME_DRAFT))
    items += _sections(draft_status(state) or texts.HOME_NO_DRAFT)
    items.append(bk.section(texts.HOME_SUBSCRIPTIONS))
    items += _sections(subscriptions_summary(state, now, ctx))
    items.append(bk.section(texts.HOME_DEADLINES))
    lines = upcoming_deadlines(ctx, now.date())
    items += _sections("\n".join(lines) if lines else texts.HOME_NO_DEADLINES)
    return View(type="home", blocks=items[:HOME_BLOCK_LIMIT])


def _sections(text: str) -> list[Block]:
    """`text` (escaped here) in as many sections as Slack's 3,000 characters a section need."""
    return [bk.section(piece) for piece in split_text(escape(text), bk.SECTION_LIMIT) if piece.strip()]


def publish_home(services: Services, client: WebClient, team: str, user: str) -> None:
    state = services.turns.state(slack_address(team, user))
    view = home_view(state, services.turns.clock(), services.ctx)
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("views.publish for %s failed: %s", user, exc.response.get("error"))
