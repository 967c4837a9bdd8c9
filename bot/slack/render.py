"""Replies (dialogs.replies.Reply) as Slack messages: escaped text, Block Kit, limits respected.

The whole reply text is escaped here, once, so user text inside a reply can never become
markup. A section holds at most 3000 characters and a message at most 50 blocks; longer
replies are split over several messages (`MESSAGE_CHAR_BUDGET` characters of text each).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block

from bot.slack import blocks as bk
from bot.slack import ids, texts
from bot.slack.mrkdwn import escape, split_text, truncate
from dialogs.replies import Choice, Reply

MESSAGE_BLOCK_LIMIT = 50
MESSAGE_CHAR_BUDGET = 12000
FALLBACK_LIMIT = 3000
MAX_SUGGESTIONS = 3


@dataclass
class Outgoing:
    """One message to post: `text` is the escaped notification text, `blocks` its content."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    chars: int = 0

    def block_dicts(self) -> list[dict[str, Any]]:
        return bk.as_dicts(self.blocks)


def render_replies(replies: Sequence[Reply], first_block: int = 0) -> list[Outgoing]:
    """Every reply of one turn, packed into as few messages as the limits allow."""
    messages: list[Outgoing] = []
    current = Outgoing(text="")
    texts_in_current: list[str] = []

    def close() -> None:
        nonlocal current, texts_in_current
        if current.blocks:
            current.text = truncate("\n\n".join(t for t in texts_in_current if t), FALLBACK_LIMIT)
            messages.append(current)
        current = Outgoing(text="")
        texts_in_current = []

    for n, reply in enumerate(replies, start=first_block):
        for block, size, text in _reply_units(reply, n):
            if current.blocks and (
                len(current.blocks) + 1 > MESSAGE_BLOCK_LIMIT or current.chars + size > MESSAGE_CHAR_BUDGET
            ):
                close()
            current.blocks.append(block)
            current.chars += size
            if text:
                texts_in_current.append(text)
    close()
    return messages


def _reply_units(reply: Reply, n: int) -> list[tuple[Block, int, str]]:
    """(block, characters of text, fallback text) for one reply, in display order."""
    units: list[tuple[Block, int, str]] = []
    before, data, after = _split_summary(reply)
    units += _text_units(before, f"text-{n}")
    if data is not None:
        # a ``` inside a field would end the code block early: a zero-width space keeps it shut
        fenced = re.sub(r"`(?=`)", "`\u200b", escape(data))
        for i, piece in enumerate(split_text(fenced, bk.SECTION_LIMIT - 6)):
            units.append((bk.code(piece, f"data-{n}-{i}"), len(piece), ""))
    units += _text_units(after, f"after-{n}")
    # the slides an answer rests on are cited in its own text ("Lähde: ohje, dia 16"): not again here
    suggestions = tuple(dict.fromkeys(reply.suggestions))[:MAX_SUGGESTIONS]
    if suggestions:
        units.append((bk.section(texts.DID_YOU_MEAN, f"didyoumean-{n}"), len(texts.DID_YOU_MEAN), ""))
        buttons = [bk.button(escape(s), f"{ids.SUGGESTION}:{i}", s) for i, s in enumerate(suggestions)]
        units.append((bk.actions(f"suggestions-{n}", buttons), 0, ""))
    choices = [c for c in reply.choices if c.value not in reply.suggestions]
    for block in choice_blocks(choices, reply.multi, n, reply.step):
        units.append((block, 0, ""))
    if reply.kind == "answer":
        units.append(
            (
                bk.context(texts.FEEDBACK_PROMPT, feedback_prompt_id(f"feedback-{n}")),
                len(texts.FEEDBACK_PROMPT),
                "",
            )
        )
        units.append((feedback_block(reply, n), 0, ""))
    return units


def _text_units(text: str, prefix: str) -> list[tuple[Block, int, str]]:
    units: list[tuple[Block, int, str]] = []
    for i, piece in enumerate(split_text(escape(text.strip("\n")), bk.SECTION_LIMIT)):
        if piece.strip():
            units.append((bk.section(piece, f"{prefix}-{i}"), len(piece), piece))
    return units


def _split_summary(reply: Reply) -> tuple[str, str | None, str]:
    """(text before, perustiedot JSON for a code block, text after) of a summary; others: (text, None, "")."""
    if reply.kind != "summary" or reply.data is None:
        return reply.text, None, ""
    payload = reply.data.get("perustiedot", reply.data)
    dumped = json.dumps(payload, ensure_ascii=False, indent=2)
    if dumped in reply.text:
        before, after = reply.text.split(dumped, 1)
        return before, dumped, after
    return reply.text, dumped, ""


def choice_blocks(choices: Sequence[Choice], multi: bool, n: int, step: str | None = None) -> list[Block]:
    """Buttons for up to five choices, else selects; several picks: checkboxes or multi-select + Valmis.
    The block ids carry the dialog step the choices answer (ids.choice_block_id), so a click on an old
    prompt is recognised as such even after a restart."""
    if not choices:
        return []
    options = [bk.option(escape(c.label), c.value) for c in choices]
    if multi:
        if len(choices) <= bk.CHECKBOXES_LIMIT:
            elements: list[Any] = [bk.checkboxes(f"{ids.CHOICE_MULTI}:0", options)]
        else:
            elements = [
                bk.multi_select(f"{ids.CHOICE_MULTI}:{k}", chunk, texts.SELECT_MANY)
                for k, chunk in enumerate(_chunks(options, bk.OPTIONS_LIMIT))
            ]
        elements.append(bk.button(texts.DONE, ids.CHOICE_DONE, "done", "primary"))
        return [bk.actions(ids.choice_block_id(n, step), elements)]
    long_values = any(len(c.value) > bk.OPTION_VALUE_LIMIT for c in choices)
    if len(choices) <= bk.BUTTONS_LIMIT or long_values:
        buttons = [
            bk.button(escape(c.label), f"{ids.CHOICE_BUTTON}:{i}", c.value, c.style)
            for i, c in enumerate(choices)
        ]
        return [
            bk.actions(ids.choice_block_id(n, step, k), chunk)
            for k, chunk in enumerate(_chunks(buttons, bk.ACTIONS_ELEMENTS_LIMIT))
        ]
    selects = [
        bk.static_select(f"{ids.CHOICE_SELECT}:{k}", chunk, texts.SELECT_ONE)
        for k, chunk in enumerate(_chunks(options, bk.OPTIONS_LIMIT))
    ]
    return [bk.actions(ids.choice_block_id(n, step), selects)]


def feedback_value(reply: Reply) -> str:
    """The 👍/👎 button value: the question (escaped), topic and confidence, within 2000 characters."""
    question = escape(reply.question or "")
    while True:
        value = json.dumps({"q": question, "t": reply.topic, "c": reply.confident}, ensure_ascii=False)
        if len(value) <= bk.VALUE_LIMIT:
            return value
        question = truncate(question, len(question) - (len(value) - bk.VALUE_LIMIT) - 1)


def feedback_prompt_id(feedback_block_id: str) -> str:
    """The block id of the question above the 👍/👎 buttons of that block."""
    return f"{feedback_block_id}-q"


def feedback_block(reply: Reply, n: int) -> Block:
    value = feedback_value(reply)
    return bk.actions(
        f"feedback-{n}",
        [
            bk.button(texts.FEEDBACK_UP, f"{ids.FEEDBACK}:up", value),
            bk.button(texts.FEEDBACK_DOWN, f"{ids.FEEDBACK}:down", value),
        ],
    )


def replace_block(
    message_blocks: Sequence[dict[str, Any]], block_id: str, note: str, drop: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The blocks of a posted message with the block `block_id` swapped for a context note (escaped),
    and the blocks `drop` left out."""
    result: list[dict[str, Any]] = []
    for block in message_blocks:
        if block.get("block_id") in drop:
            continue
        if block.get("block_id") == block_id:
            result.append(bk.context(escape(note), block_id).to_dict())
        else:
            result.append(block)
    return result


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
