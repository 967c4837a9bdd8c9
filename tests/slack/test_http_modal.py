"""The perustiedot form as a modal: opened from the command and the App Home, inline errors, summary."""

from __future__ import annotations

import json
from typing import Any

from tests.fake_slack import FakeSlack
from tests.slack.conftest import RunningServer
from tests.slack.slack_requests import TEAM, USER, SlackSender


def _view(call_params: dict[str, Any]) -> dict[str, Any]:
    view = call_params["view"]
    return json.loads(view) if isinstance(view, str) else view


def _submission(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": "check_modal",
            "private_metadata": "",
            "state": {"values": values},
        },
    }


def _text(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def _form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "investoinnit": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "P4I2", "text": {"text": "P4I2"}}]}
        },
        "hyvinvointialue": _text("Etelä-Savon hyvinvointialue"),
        "prosessi": _text("Monialainen asiakas- ja palveluohjaus"),
        "nimi": _text(""),
        "lyhyt_kuvaus": _text("Asiakasohjaus kokoaa palvelut yhden yhteydenoton taakse."),
        "toteutuspaikka": _text("Etelä-Savon hyvinvointialue"),
        "kohderyhma": _text("Paljon palveluja tarvitsevat asiakkaat"),
        "kokonaisuudet": _text(""),
        "rahoittajat": _text(""),
        "aihealueet": _text(""),
        "ilmiot": _text(""),
        "yllapitajat": _text("maija.meikalainen@esavo.fi\nmatti.virtanen@esavo.fi"),
    }
    values.update(overrides)
    return values


def test_command_opens_the_form_built_from_the_steps(sender: SlackSender, fake_slack: FakeSlack) -> None:
    assert sender.command("lomake", fake_slack.response_url_for("form")).status == 200
    (call,) = fake_slack.wait_for("views.open", 1)
    assert call.params["trigger_id"] == "1.2.3"
    view = _view(call.params)
    assert view["type"] == "modal" and view["callback_id"] == "check_modal"
    assert len(view["title"]["text"]) <= 24
    block_ids = [b["block_id"] for b in view["blocks"]]
    assert block_ids[:3] == ["investoinnit", "valmennus", "hyvinvointialue"]
    assert "yllapitajat" in block_ids
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds["investoinnit"] == "checkboxes"
    assert kinds["valmennus"] == "radio_buttons"
    assert kinds["lyhyt_kuvaus"] == "plain_text_input"


def test_home_button_opens_the_form(sender: SlackSender, fake_slack: FakeSlack) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": USER, "team_id": TEAM},
        "api_app_id": "A0APP",
        "trigger_id": "9.9.9",
        "container": {"type": "view", "view_id": "V0001"},
        "view": {"id": "V0001", "type": "home"},
        "actions": [
            {"type": "button", "action_id": "home_form", "block_id": "home-actions", "value": "form"}
        ],
    }
    assert sender.interaction(payload).status == 200
    (call,) = fake_slack.wait_for("views.open", 1)
    assert call.params["trigger_id"] == "9.9.9"


def test_form_failure_to_open_is_reported(sender: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.fail("views.open", "expired_trigger_id")
    sender.command("lomake", fake_slack.response_url_for("late"))
    (note,) = fake_slack.wait_for("response_url", 1)
    assert "expired_trigger_id" in note.all_text()


def test_invalid_answers_come_back_as_inline_errors(sender: SlackSender, fake_slack: FakeSlack) -> None:
    values = _form(
        hyvinvointialue=_text("Atlantis <!channel>"),
        lyhyt_kuvaus=_text("x" * 300),
        yllapitajat=_text("yksin@esavo.fi"),
    )
    answer = sender.interaction(_submission(values))
    assert answer.status == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"hyvinvointialue", "lyhyt_kuvaus", "yllapitajat"}
    assert "250" in body["errors"]["lyhyt_kuvaus"]
    assert "<!channel>" not in body["errors"]["hyvinvointialue"]
    assert not fake_slack.calls("chat.postMessage")


def test_valid_form_posts_the_summary_and_keeps_the_draft(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    answer = server.sender.interaction(_submission(_form()))
    assert answer.status == 200
    assert answer.text == ""  # closes the modal
    fake_slack.wait_for("conversations.open", 1)
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    assert call.params["channel"] == "D0USER1"
    text = call.all_text()
    assert "```" in text and "Etelä-Savon HVA (RRP, P4, I2)" in text
    state = server.store.user_state("slack", TEAM, USER)
    assert state["dialog"]["step"] == "summary"
    assert state["dialog"]["answers"]["investoinnit"] == ["P4I2"]
    assert state["dialog"]["answers"]["rahoittajat"]  # the guide's pre-fill
    server.sender.direct_message("valmis")  # the dialog carries on in the DM
    fake_slack.wait_for("chat.postMessage", 2)
    assert "dialog" not in server.store.user_state("slack", TEAM, USER)


def test_the_form_requires_the_publication_fields_without_a_default(
    sender: SlackSender, fake_slack: FakeSlack
) -> None:
    assert sender.command("lomake", fake_slack.response_url_for("form")).status == 200
    (call,) = fake_slack.wait_for("views.open", 1)
    optional = {b["block_id"]: b.get("optional", False) for b in _view(call.params)["blocks"]}
    required = {name for name, is_optional in optional.items() if not is_optional}
    assert required == {"investoinnit", "hyvinvointialue", "toteutuspaikka", "kohderyhma"}
    assert optional["nimi"] and optional["rahoittajat"] and optional["aihealueet"]  # built or pre-filled
