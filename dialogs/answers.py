"""Turns knowledge answers and the help text into replies."""

from __future__ import annotations

from dialogs.context import Context
from dialogs.replies import Choice, Reply, Source


def answer_reply(question: str, ctx: Context) -> Reply:
    """The answer to a guidance question as a reply (with suggestions when not confident)."""
    result = ctx.answerer.answer(question)
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


def help_reply(ctx: Context) -> Reply:
    from knowledge.render import render_help

    return Reply(text=render_help(ctx.kb, ctx.channel), kind="help")
