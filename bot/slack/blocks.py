"""Small typed Block Kit builders (slack_sdk.models.blocks); every text given here is already escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from bot.slack.mrkdwn import truncate

SECTION_LIMIT = 3000
LABEL_LIMIT = 75
VALUE_LIMIT = 2000
OPTION_VALUE_LIMIT = 150
OPTIONS_LIMIT = 100
CHECKBOXES_LIMIT = 10
ACTIONS_ELEMENTS_LIMIT = 25
BUTTONS_LIMIT = 5


def section(text: str, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text), block_id=block_id)


def code(text: str, block_id: str | None = None) -> SectionBlock:
    return section(f"```{text}```", block_id)


def context(text: str, block_id: str | None = None) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)], block_id=block_id)


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=truncate(text, 150)))


def divider() -> DividerBlock:
    return DividerBlock()


def button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=truncate(label, LABEL_LIMIT)),
        action_id=action_id,
        value=value[:VALUE_LIMIT],
        style=style if style in {"primary", "danger"} else None,
    )


def actions(
    block_id: str, elements: Sequence[ButtonElement | StaticSelectElement | CheckboxesElement]
) -> ActionsBlock:
    return ActionsBlock(block_id=block_id, elements=list(elements)[:ACTIONS_ELEMENTS_LIMIT])


def option(label: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=truncate(label, LABEL_LIMIT)), value=value)


def static_select(action_id: str, options: Sequence[Option], placeholder: str) -> StaticSelectElement:
    return StaticSelectElement(
        action_id=action_id,
        options=list(options)[:OPTIONS_LIMIT],
        placeholder=PlainTextObject(text=placeholder),
    )


def multi_select(action_id: str, options: Sequence[Option], placeholder: str) -> StaticMultiSelectElement:
    return StaticMultiSelectElement(
        action_id=action_id,
        options=list(options)[:OPTIONS_LIMIT],
        placeholder=PlainTextObject(text=placeholder),
    )


def checkboxes(action_id: str, options: Sequence[Option]) -> CheckboxesElement:
    return CheckboxesElement(action_id=action_id, options=list(options)[:CHECKBOXES_LIMIT])


def as_dicts(blocks: Sequence[Block | dict[str, Any]]) -> list[dict[str, Any]]:
    return [b if isinstance(b, dict) else b.to_dict() for b in blocks]


def input_block(
    block_id: str, label: str, element: Any, hint: str | None = None, optional: bool = True
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=truncate(label, 2000)),
        element=element,
        hint=PlainTextObject(text=truncate(hint, 2000)) if hint else None,
        optional=optional,
    )


def text_input(action_id: str, initial: str | None = None, multiline: bool = False) -> PlainTextInputElement:
    return PlainTextInputElement(
        action_id=action_id, initial_value=initial[:3000] if initial else None, multiline=multiline
    )


def radio_buttons(
    action_id: str, options: Sequence[Option], initial: Option | None = None
) -> RadioButtonsElement:
    return RadioButtonsElement(
        action_id=action_id, options=list(options)[:CHECKBOXES_LIMIT], initial_option=initial
    )


def input_checkboxes(
    action_id: str, options: Sequence[Option], initial: Sequence[Option]
) -> CheckboxesElement:
    return CheckboxesElement(
        action_id=action_id, options=list(options)[:CHECKBOXES_LIMIT], initial_options=list(initial) or None
    )
