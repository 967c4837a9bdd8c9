"""Replies as plain data that each channel (terminal, Slack) renders in its own way.

Text is plain: the only markup is *bold*; URLs are written out in full. A channel escapes the
whole text for its medium (Slack: & < >), so user text inside a reply can never become markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

_BOLD = re.compile(r"\*(\S(?:[^*\n]*\S)?)\*")  # *bold*; a lone star ("tähdellä *") stays


def without_bold(text: str) -> str:
    """`text` with its *bold* markers dropped, for a channel that shows plain text."""
    return _BOLD.sub(r"\1", text)


ReplyKind = Literal["text", "answer", "question", "summary", "error", "help"]


@dataclass(frozen=True)
class Choice:
    """One option the user can pick: `value` is fed back as the user's input when picked."""

    label: str
    value: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Source:
    dia: int
    title: str


@dataclass(frozen=True)
class Reply:
    text: str
    kind: ReplyKind = "text"
    choices: tuple[Choice, ...] = ()
    multi: bool = False  # choices may be picked several at once (comma-separated values)
    sources: tuple[Source, ...] = ()
    suggestions: tuple[str, ...] = ()  # "Tarkoititko…?" questions for low-confidence answers
    confident: bool = True
    topic: str | None = None
    question: str | None = None  # the user's question an answer replies to (for feedback)
    step: str | None = None  # the dialog step (or pending question) the choices answer; a click says it back
    data: dict[str, Any] | None = field(default=None, compare=False)  # e.g. the perustiedot JSON of a summary
    # the reply needs a conversation whose next messages reach the bot (the check dialog): a channel
    # that cannot offer one where the input came (a channel thread, a slash command) runs it in one
    needs_private: bool = False
