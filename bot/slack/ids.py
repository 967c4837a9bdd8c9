"""Action ids and block id prefixes shared by the renderer and the action listeners."""

from __future__ import annotations

import re

CHOICE_BUTTON = "choice"  # "choice:<i>", value is fed back as input
CHOICE_SELECT = "choice_select"  # "choice_select:<k>", the selected option's value is fed back
CHOICE_MULTI = "choice_multi"  # "choice_multi:<k>", picked values are read when DONE is clicked
CHOICE_DONE = "choice_done"
SUGGESTION = "suggest"  # "suggest:<i>", value is a question
FEEDBACK = "feedback"  # "feedback:up" / "feedback:down", value is JSON (question, topic, confident)
HOME_CHECK = "home_check"
HOME_FORM = "home_form"
CHECK_MODAL = "check_modal"  # callback_id of the perustiedot modal

CHOICE_BUTTON_RE = re.compile(rf"^{CHOICE_BUTTON}:\d+$")
CHOICE_SELECT_RE = re.compile(rf"^{CHOICE_SELECT}:\d+$")
CHOICE_MULTI_RE = re.compile(rf"^{CHOICE_MULTI}:\d+$")
SUGGESTION_RE = re.compile(rf"^{SUGGESTION}:\d+$")
FEEDBACK_RE = re.compile(rf"^{FEEDBACK}:(up|down)$")


def choice_block_id(n: int, step: str | None, k: int = 0) -> str:
    """The block id "choices-<n>[-<k>][.<step>]": reply number, chunk, and the dialog step answered."""
    return f"choices-{n}" + (f"-{k}" if k else "") + (f".{step}" if step else "")


def step_of(block_id: str) -> str | None:
    """The dialog step a choice block answers (None for choices outside the dialog)."""
    return block_id.split(".", 1)[1] if block_id.startswith("choices-") and "." in block_id else None
