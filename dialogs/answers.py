"""Turns knowledge answers and the help text into replies; keeps each conversation's context in the state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dialogs.context import Context
from dialogs.replies import Choice, Reply, Source
from knowledge.conversation import ConversationContext

CONVERSATIONS_KEPT = 20  # contexts of a user's most recent conversations (threads, DMs, the terminal)


def conversation_context(state: dict[str, Any], conversation: str) -> ConversationContext:
    raw = (state.get("conversations") or {}).get(conversation)
    return ConversationContext.from_json(raw)


def _keep(state: dict[str, Any], conversation: str, context: ConversationContext) -> None:
    kept = dict(state.get("conversations") or {})
    kept[conversation] = context.as_json()
    if len(kept) > CONVERSATIONS_KEPT:  # forget the conversations used longest ago
        newest = sorted(kept, key=lambda k: str((kept[k] or {}).get("at") or ""), reverse=True)
        kept = {k: kept[k] for k in newest[:CONVERSATIONS_KEPT]}
    state["conversations"] = kept


def answer_reply(
    question: str,
    ctx: Context,
    state: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    conversation: str = "",
) -> Reply:
    """The answer to a guidance question as a reply (with suggestions when not confident).

    With `state`, the answer leans on the conversation's context and the new context is stored
    in `state` (which the caller saves once at the end of the turn).
    """
    context = conversation_context(state, conversation) if state is not None else None
    turn = ctx.answerer.reply(question, now, context)
    if state is not None:
        _keep(state, conversation, turn.context)
    result = turn.answer
    return Reply(
        text=result.answer,
        kind="answer",
        sources=tuple(Source(s.dia, s.title) for s in result.sources),
        suggestions=tuple(result.suggestions),
        choices=tuple(Choice(label=s, value=s) for s in result.suggestions),
        confident=result.confident,
        topic=result.topic,
        question=question,
    )


def help_reply(ctx: Context, now: dt.datetime | None = None) -> Reply:
    from knowledge.render import render_help

    today = (now or dt.datetime.now(dt.UTC)).astimezone(ctx.tz).date()
    return Reply(text=render_help(ctx.kb, ctx.channel, today), kind="help")
