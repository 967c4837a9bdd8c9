"""Routes one user input: a command, a turn of the active dialog, or a guidance question.

A turn is pure: `respond(state, text, now, ctx) -> (new_state, replies)`. The caller loads the
state before and saves it after; nothing here touches a store or a channel.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

from dialogs import perustiedot, reminders
from dialogs.answers import answer_reply, help_reply
from dialogs.context import Context
from dialogs.replies import Reply
from knowledge.rules import default_rules
from knowledge.text import clean, fold

MAX_INPUT_CHARS = 4000


def _words(command: str) -> frozenset[str]:
    return default_rules().words_for(command)


def respond(
    state: dict[str, Any],
    text: str,
    now: dt.datetime,
    ctx: Context,
    conversation: str = "",
    session: str = "",
    private: bool = True,
    clicked_step: str | None = None,
) -> tuple[dict[str, Any], list[Reply]]:
    """One turn. `state` is not modified; the new state is returned.

    `conversation` names where the turn happens (a thread, a DM, the terminal session): a follow-up
    question leans on that conversation's earlier questions only. `session` names one run of the
    terminal (or one app session): a check draft from another session is offered for resuming first.
    `private` is False where others read the replies (a channel): there the input is a question, the
    check dialog, saved perustiedot and reminders are not shown, and an open dialog is left as it is.
    `clicked_step` says that `text` is a clicked choice of the question for that step: a click on an
    older question's choice, or a value the question did not offer, is refused and nothing changes.
    """
    if not private:  # first: nothing of the dialog (not even a stale click's prompt) goes public
        return _in_public(state, text, now, ctx, conversation)
    if clicked_step is not None:
        refused = perustiedot.stale_click(state, clicked_step, text, ctx)
        if refused is not None:
            return copy.deepcopy(state) if state else {}, refused
    return _route(state, text, now, ctx, conversation, session, dialog=True)


def _route(
    state: dict[str, Any],
    text: str,
    now: dt.datetime,
    ctx: Context,
    conversation: str,
    session: str,
    dialog: bool,
) -> tuple[dict[str, Any], list[Reply]]:
    """The turn; with `dialog` False an open check dialog is neither advanced nor closed."""
    new_state = copy.deepcopy(state) if state else {}
    raw = clean(text)
    if len(raw) > MAX_INPUT_CHARS:
        too_long = default_rules().dialog.too_long.format(length=len(raw), max=MAX_INPUT_CHARS)
        return new_state, [Reply(too_long, kind="error")]
    command = fold(raw).strip(" .!")
    first = command.split(" ", 1)[0] if command else ""
    dialog_command, argument = perustiedot.dialog_command(raw)

    if dialog and perustiedot.hands_off(new_state, raw, now):
        new_state = perustiedot.close(new_state, now)
    if dialog and perustiedot.is_active(new_state):
        # the dialog keeps the user's own characters (the guide's en dash in a name)
        return perustiedot.turn(new_state, clean(text, unify_dashes=False), now, ctx, session)
    if command in _words("help") or command in _words("greetings"):
        return new_state, [help_reply(ctx, now)]
    if dialog_command == "yhteenveto" or (dialog_command == "check" and argument in _words("show")):
        return new_state, [perustiedot.saved_summary(new_state, ctx)]
    if command in _words("check") or (dialog_command == "check" and not argument):
        started, replies = perustiedot.start(new_state, now, ctx)
        return started, [dataclasses.replace(r, needs_private=True) for r in replies]
    if command in _words("deadlines"):
        return new_state, reminders.deadlines_reply(now, ctx)
    if first in _words("reminders"):
        args = raw.split(None, 1)[1] if " " in raw.strip() else ""
        return reminders.command(new_state, args, now, ctx)
    return new_state, [answer_reply(raw, ctx, new_state, now, conversation)]


def _in_public(
    state: dict[str, Any], text: str, now: dt.datetime, ctx: Context, conversation: str
) -> tuple[dict[str, Any], list[Reply]]:
    """A turn in a channel: questions, help and the deadlines; nothing of the user's own."""
    texts = default_rules().dialog
    raw = clean(text)
    command = fold(raw).strip(" .!")
    private_command = perustiedot.dialog_command(raw)[0] is not None or command.split(" ", 1)[0] in _words(
        "reminders"
    )
    if command in _words("check"):  # the dialog needs a place where every reply reaches the bot
        return copy.deepcopy(state) if state else {}, [Reply(texts.private_only, needs_private=True)]
    if private_command:
        return copy.deepcopy(state) if state else {}, [Reply(texts.private_only)]
    new_state, replies = _route(state, text, now, ctx, conversation, "", dialog=False)
    if perustiedot.is_active(state):
        replies = [*replies, Reply(texts.dialog_elsewhere)]
    return new_state, replies
