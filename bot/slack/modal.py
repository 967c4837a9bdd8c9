"""The perustiedot check as a modal, built from the dialog's step definitions (dialogs.perustiedot.STEPS).

Each step becomes one input block (block_id = step name): checkboxes for a multi-choice, radio
buttons for a yes/no choice, text inputs otherwise (a list is one item per line). On
submission every answer is parsed by the step's own parser and checked with
`validate_answer`; problems go back as inline errors (`response_action: errors`). Valid
answers become the user's dialog draft at its summary step, and the summary is posted in the DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

from bot.slack import blocks as bk
from bot.slack import ids, texts
from bot.slack.mrkdwn import escape, truncate
from dialogs.context import Context
from dialogs.perustiedot import STEPS, Step, current_value, draft_answers, form_error, validate_answer

VALUE = "value"
ERROR_LIMIT = 1000
log = logging.getLogger(__name__)


def _options(step: Step, answers: dict[str, Any], ctx: Context) -> list[Option]:
    choices = step.choices(answers, ctx) if step.choices else []
    return [bk.option(escape(c.label), c.value) for c in choices]


def _as_text(value: Any) -> str | None:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value) or None
    if isinstance(value, str):
        return value or None
    return None


def required_in_form(step: Step, ctx: Context) -> bool:
    """A field the form does not accept empty: the investments (everything rests on them) and the
    publication fields of slide 20 that have no default (the name is built, the topics and funders
    are pre-filled when left empty)."""
    publication = {p.field for p in ctx.kb.common.julkaisukentat}
    has_default = step.suggested or step.prefill is not None
    return step.required or (step.field in publication and not has_default)


def _step_block(step: Step, answers: dict[str, Any], ctx: Context) -> Block:
    label = step.text.label
    optional = not required_in_form(step, ctx)
    if step.kind == "multi":
        options = _options(step, answers, ctx)
        chosen = [o for o in options if o.value in (answers.get(step.name) or [])]
        return bk.input_block(
            step.name, label, bk.input_checkboxes(VALUE, options, chosen), optional=optional
        )
    if step.kind == "choice" and not step.suggested:
        options = _options(step, answers, ctx)
        previous = answers.get(step.name)
        picked = None
        if isinstance(previous, bool) and len(options) == 2:
            picked = options[0] if previous else options[1]
        return bk.input_block(
            step.name, label, bk.radio_buttons(VALUE, options, picked), hint=texts.MODAL_VALMENNUS_HINT
        )
    if step.kind == "list":
        initial = _as_text(answers.get(step.name))
        list_hint = texts.MODAL_LIST_HINT if step.prefill is not None else texts.MODAL_PLAIN_LIST_HINT
        return bk.input_block(
            step.name, label, bk.text_input(VALUE, initial, multiline=True), hint=list_hint, optional=optional
        )
    hint = texts.MODAL_NAME_HINT if step.suggested else None
    multiline = step.multiline
    initial = _as_text(answers.get(step.name))
    return bk.input_block(
        step.name, label, bk.text_input(VALUE, initial, multiline=multiline), hint=hint, optional=optional
    )


def check_modal(answers: dict[str, Any], ctx: Context) -> View:
    """The form, pre-filled with a draft's answers (if any)."""
    return View(
        type="modal",
        callback_id=ids.CHECK_MODAL,
        title=texts.MODAL_TITLE,
        submit=texts.MODAL_SUBMIT,
        close=texts.MODAL_CLOSE,
        blocks=[_step_block(step, answers, ctx) for step in STEPS][:100],
    )


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else an empty one (a payload part of an unexpected shape)."""
    return value if isinstance(value, dict) else {}


def _raw(values: dict[str, Any], step: Step) -> str:
    """The text of one field as submitted; an element of an unexpected shape reads as empty."""
    element = as_dict(as_dict(values.get(step.name)).get(VALUE))
    options = element.get("selected_options")
    if isinstance(options, list):
        return ", ".join(str(as_dict(o).get("value") or "") for o in options)
    if "selected_option" in element:
        return str(as_dict(element.get("selected_option")).get("value") or "")
    value = element.get("value")
    return value.strip() if isinstance(value, str) else ""


def read_form(values: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """(answers, skipped step names, errors by block id) of a submitted form, step by step in order."""
    answers: dict[str, Any] = {}
    skipped: list[str] = []
    errors: dict[str, str] = {}
    for step in STEPS:
        if not step.applies(answers):
            continue
        raw = _raw(values, step)
        accept = (
            step.choices(answers, ctx)[0].value if step.choices and step.kind in ("choice", "list") else ""
        )
        defaulted = False
        if not raw and (step.suggested or step.prefill is not None) and accept:
            raw, defaulted = accept, True  # empty: take the suggested name / the guide's pre-fill
            if step.prefill is not None and not current_value(step, answers, ctx):
                raw = ""
        if not raw:
            skipped.append(step.name)
            continue
        value, error = step.parse(raw, answers, ctx)
        if error is None and step.field is not None:
            error = validate_answer(step.field, value, answers, ctx)
        if error is not None and defaulted:  # a default that earlier answers could not fill in
            skipped.append(step.name)
            continue
        if error is not None:
            errors[step.name] = truncate(escape(form_error(step, raw, error, ctx)), ERROR_LIMIT)
            continue
        answers[step.name] = value
    return answers, skipped, errors


def open_check_modal(client: WebClient, trigger_id: str, state: dict[str, Any], ctx: Context) -> str | None:
    """Open the form (views.open within the trigger's 3 seconds); the Slack error, if any."""
    try:
        client.views_open(trigger_id=trigger_id, view=check_modal(draft_answers(state), ctx))
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        log.warning("views.open failed: %s", error)
        return error
    except (SlackClientError, OSError) as exc:  # Slack not reachable
        log.warning("views.open failed: %s", type(exc).__name__)
        return type(exc).__name__
    return None
