"""The six personas of the check dialog (tests/personas.py) through the running Slack server: typed in
the DM, with the offered buttons clicked wherever the persona's answer is one, and through the form
(modal) for the steps it has; the exported perustiedot must be the same as in the terminal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from dialogs import perustiedot
from dialogs.context import Context
from dialogs.reading import plain
from dialogs.router import respond
from tests.fake_slack import FakeSlack
from tests.personas import NEW_SESSION, PERSONAS, Persona, mismatches
from tests.slack.conftest import RunningServer
from tests.slack.slack_requests import TEAM, USER, as_posted, button_action

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


class DmDriver:
    """One persona in the DM: each input waits for its turn's message before the next is sent."""

    def __init__(self, server: RunningServer, fake: FakeSlack) -> None:
        self.sender = server.sender
        self.fake = fake
        self.posted = 0
        self.last: Any = None
        self.clicks = 0

    def _next(self) -> None:
        self.posted = len(self.fake.wait_for("chat.postMessage", self.posted + 1))
        self.last = self.fake.calls("chat.postMessage")[-1]
        assert self.last.params["channel"] == "D0DM0001"  # the dialog stays in the DM

    def type(self, text: str) -> None:
        assert self.sender.direct_message(text)[0].status == 200
        self._next()

    def click_or_type(self, text: str, investments: list[str]) -> None:
        message = as_posted(self.last) if self.last is not None else None
        for block in (message or {}).get("blocks", []):
            elements = block.get("elements") or []
            boxes = [e for e in elements if e.get("action_id", "").startswith("choice_multi")]
            done = [e for e in elements if e.get("action_id", "").startswith("choice_done")]
            if boxes and done:  # the investments: tick the persona's and press the done button
                ticked = [o for o in boxes[0]["options"] if o["value"] in investments]
                state = {block["block_id"]: {boxes[0]["action_id"]: {"selected_options": ticked}}}
                return self._click(button_action(block, done[0]), message, state)
            for element in elements:
                if element.get("action_id", "").startswith("choice:") and plain(element["value"]) == plain(
                    text
                ):
                    return self._click(button_action(block, element), message)
        self.type(text)

    def _click(self, action: dict[str, Any], message: Any, state: dict[str, Any] | None = None) -> None:
        assert self.sender.click(action, message, state=state).status == 200
        self.clicks += 1
        self._next()


def _exported(server: RunningServer) -> dict[str, Any]:
    return server.store.user_state("slack", TEAM, USER)["perustiedot"]["last"]


@pytest.mark.parametrize("clicking", [False, True], ids=["typed", "clicked"])
@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.id)
def test_persona_in_the_dm(
    server: RunningServer, fake_slack: FakeSlack, persona: Persona, clicking: bool
) -> None:
    dm = DmDriver(server, fake_slack)
    for text in persona.script:
        if text == NEW_SESSION:  # in Slack the next message after `lopeta` is the coming back
            continue
        if clicking:
            dm.click_or_type(text, persona.expected.get("investoinnit", []))
        else:
            dm.type(text)
    assert mismatches(persona, _exported(server)) == {}
    if clicking:
        assert dm.clicks >= 3  # the buttons were really used, not typed past


def _typed_at_each_step(persona: Persona, ctx: Context) -> dict[str, str]:
    """What the persona typed at each step (its last value there, not a keep-word), by the router."""
    state: dict[str, Any] = {}
    typed: dict[str, str] = {}
    session = "s1"
    for i, text in enumerate(persona.script):
        if text == NEW_SESSION:
            session = "s2"
            continue
        step = (state.get("dialog") or {}).get("step")
        state, _ = respond(state, text, NOW + dt.timedelta(minutes=i), ctx, session=session)
        if step in perustiedot.STEP_BY_NAME and plain(text) not in KEEP:
            typed[step] = text
    return typed


KEEP = {"ok", "kylla", "joo", "1", ""}


FORM_PERSONAS = [p for p in PERSONAS if not any(w in p.script for w in ("takaisin", "lopeta"))]


@pytest.mark.parametrize("persona", FORM_PERSONAS, ids=lambda p: p.id)
def test_persona_through_the_form(
    server: RunningServer, fake_slack: FakeSlack, slack_ctx: Context, persona: Persona
) -> None:
    """Text fields hold what the persona typed (a keep-word leaves the field empty, as a form user
    would); choices are ticked as the persona chose. Then `valmis` in the DM exports the same."""
    assert server.sender.command("lomake", fake_slack.response_url_for("form")).status == 200
    (opened,) = fake_slack.wait_for("views.open", 1)
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    typed = _typed_at_each_step(persona, slack_ctx)
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        name, element = block["block_id"], block["element"]
        if element["type"] == "checkboxes":
            chosen = [o for o in element["options"] if o["value"] in persona.expected["investoinnit"]]
            values[name] = {"value": {"type": "checkboxes", "selected_options": chosen}}
        elif element["type"] == "radio_buttons":
            wanted = persona.expected.get("valmennus", False)
            picked = element["options"][0 if wanted else 1]
            values[name] = {"value": {"type": "radio_buttons", "selected_option": picked}}
        else:
            values[name] = {"value": {"type": "plain_text_input", "value": typed.get(name, "")}}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": "1.2.3",
        "view": {"id": "V0001", "type": "modal", "callback_id": "check_modal", "private_metadata": "",
                 "state": {"values": values}},
    }  # fmt: skip
    answer = server.sender.interaction(payload)
    if answer.text:  # an inline error: a typo'd county gets its guess, and the user takes it
        errors = answer.json()["errors"]
        assert list(errors) == ["hyvinvointialue"], errors
        guess = persona.expected["hyvinvointialue"]
        assert f"Tarkoititko {guess}?" in errors["hyvinvointialue"]
        values["hyvinvointialue"]["value"]["value"] = guess
        answer = server.sender.interaction(payload)
    assert answer.status == 200 and answer.text == "", answer.text  # no inline errors: the form closes
    fake_slack.wait_for("chat.postMessage", 1)
    assert server.sender.direct_message("valmis")[0].status == 200
    fake_slack.wait_for("chat.postMessage", 2)
    assert mismatches(persona, _exported(server)) == {}
