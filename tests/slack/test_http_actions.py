"""Interactivity over real HTTP: the check dialog by clicks, suggestions, 👍/👎 stored, App Home button."""

from __future__ import annotations

from typing import Any

from bot.feedback import records, summarise
from tests.fake_slack import FakeSlack
from tests.slack.conftest import RunningServer
from tests.slack.slack_requests import SlackSender, as_posted, button_action, find_element


def _start_check(sender: SlackSender, fake: FakeSlack) -> dict[str, Any]:
    sender.direct_message("check")
    (call,) = fake.wait_for("chat.postMessage", 1)
    return as_posted(call)


def test_check_dialog_driven_by_clicks(sender: SlackSender, fake_slack: FakeSlack) -> None:
    message = _start_check(sender, fake_slack)
    block, checkboxes = find_element(message["blocks"], "choice_multi")
    assert checkboxes["type"] == "checkboxes"
    assert [o["value"] for o in checkboxes["options"]] == ["P3", "P4I1", "P4I2", "P4I3", "P4I4"]
    _, done = find_element(message["blocks"], "choice_done")
    ticked = [o for o in checkboxes["options"] if o["value"] == "P4I1"]
    state = {block["block_id"]: {checkboxes["action_id"]: {"type": "checkboxes", "selected_options": ticked}}}
    answer = sender.click(button_action(block, done), message, state=state)
    assert answer.status == 200

    (update,) = fake_slack.wait_for("chat.update", 1)  # the checkboxes become "Valitsit: …"
    assert "Valitsit" in update.all_text()
    assert not any(b.get("block_id") == block["block_id"] and b["type"] == "actions" for b in update.blocks())

    second = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert second.params["channel"] == "D0DM0001"
    assert "valmennu" in second.all_text().lower()  # P4I1 asks about coaching next, with choice buttons
    posted = as_posted(second)
    yes_block, yes = find_element(posted["blocks"], "choice:0")
    sender.click(button_action(yes_block, yes), posted)
    third = fake_slack.wait_for("chat.postMessage", 3)[-1]
    assert "hyvinvointialue" in third.all_text().lower()

    sender.direct_message("Etelä-Savon hyvinvointialue")
    fourth = fake_slack.wait_for("chat.postMessage", 4)[-1]
    assert "prosessi" in fourth.all_text().lower()


def test_nothing_ticked_asks_again(sender: SlackSender, fake_slack: FakeSlack) -> None:
    message = _start_check(sender, fake_slack)
    block, _ = find_element(message["blocks"], "choice_multi")
    _, done = find_element(message["blocks"], "choice_done")
    sender.click(button_action(block, done), message, state={})
    second = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert "Valitse ensin" in second.all_text()
    assert not fake_slack.calls("chat.update")


def test_suggestion_button_asks_the_suggested_question(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.direct_message("Mikä on huomisen sääennuste Kuopiossa?")  # not in the guide
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    assert "Tarkoititko" in call.all_text()
    message = as_posted(call)
    suggestion_ids = [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert 1 <= sum(i.startswith("suggest:") for i in suggestion_ids) <= 3
    assert not any(i.startswith("choice") for i in suggestion_ids)  # suggestions are not repeated as choices
    block, suggestion = find_element(message["blocks"], "suggest:")
    sender.click(button_action(block, suggestion), message)
    second = fake_slack.wait_for("chat.postMessage", 2)[-1]
    assert second.params["channel"] == "D0DM0001"
    assert second.all_text() != call.all_text()
    assert "Tarkoititko" not in second.all_text()  # the suggested question is one the guide answers


def test_feedback_votes_are_stored_and_listed(server: RunningServer, fake_slack: FakeSlack) -> None:
    sender = server.sender
    sender.mention("miten nimeän I2-toimintamallin?", ts="1700000700.000100")
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    message = as_posted(call)
    block, down = find_element(message["blocks"], "feedback:down")
    sender.click(button_action(block, down), message, channel="C0CHAN1")
    (update,) = fake_slack.wait_for("chat.update", 1)
    assert "Kiitos palautteesta" in update.all_text()
    assert update.params["ts"] == message["ts"] == call.response["ts"]
    summary = summarise(records(server.store))
    assert summary["votes"] == {"up": 0, "down": 1}
    assert summary["disliked"][0]["question"] == "miten nimeän I2-toimintamallin?"


def test_unconfident_answers_are_logged_as_unanswered(server: RunningServer, fake_slack: FakeSlack) -> None:
    server.sender.direct_message("Mikä on huomisen sääennuste Kuopiossa?")
    fake_slack.wait_for("chat.postMessage", 1)
    server.sender.direct_message("miten nimeän I2-toimintamallin?")  # confident: not logged
    fake_slack.wait_for("chat.postMessage", 2)
    summary = summarise(records(server.store))
    assert [e["question"] for e in summary["unanswered"]] == ["Mikä on huomisen sääennuste Kuopiossa?"]
    assert summary["disliked"] == []


def test_home_button_starts_the_check_in_the_dm(sender: SlackSender, fake_slack: FakeSlack) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "U0USER1", "team_id": "T0001"},
        "api_app_id": "A0APP",
        "trigger_id": "1.2.3",
        "container": {"type": "view", "view_id": "V0001"},
        "view": {"id": "V0001", "type": "home"},
        "actions": [
            {"type": "button", "action_id": "home_check", "block_id": "home-actions", "value": "check"}
        ],
    }
    assert sender.interaction(payload).status == 200
    fake_slack.wait_for("conversations.open", 1)
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    assert call.params["channel"] == "D0USER1"
    assert "investointi" in call.all_text().lower()


class DialogDriver:
    """Drives the check dialog in the DM: typed answers and button clicks, one reply at a time."""

    def __init__(self, sender: SlackSender, fake: FakeSlack) -> None:
        self.sender = sender
        self.fake = fake
        self.posted = 0

    def _next(self) -> Any:
        self.posted += 1
        call = self.fake.wait_for("chat.postMessage", self.posted)[-1]
        assert call.params["channel"] == "D0DM0001"
        return call

    def type(self, text: str) -> Any:
        self.sender.direct_message(text)
        return self._next()

    def click(self, call: Any, value: str) -> Any:
        message = as_posted(call)
        for block in message["blocks"]:
            for element in block.get("elements", []):
                if element.get("value") == value and element["action_id"].startswith("choice:"):
                    self.sender.click(button_action(block, element), message)
                    return self._next()
        raise AssertionError(f"no button with value {value!r}")


def test_whole_check_dialog_to_the_summary(server: RunningServer, fake_slack: FakeSlack) -> None:
    dialog = DialogDriver(server.sender, fake_slack)
    first = dialog.type("check")
    block, checkboxes = find_element(as_posted(first)["blocks"], "choice_multi")
    _, done = find_element(as_posted(first)["blocks"], "choice_done")
    ticked = [o for o in checkboxes["options"] if o["value"] == "P4I2"]
    server.sender.click(
        button_action(block, done),
        as_posted(first),
        state={block["block_id"]: {checkboxes["action_id"]: {"selected_options": ticked}}},
    )
    assert "hyvinvointialue" in dialog._next().all_text().lower()
    assert "prosessi" in dialog.type("Etelä-Savon hyvinvointialue").all_text().lower()
    name_prompt = dialog.type("Monialainen asiakas- ja palveluohjaus")
    assert "Monialainen asiakas- ja palveluohjaus, Etelä-Savon HVA (RRP, P4, I2)" in name_prompt.all_text()
    assert "lyhyt kuvaus" in dialog.click(name_prompt, "ok").all_text().lower()
    dialog.type("Asiakasohjaus kokoaa palvelut yhden yhteydenoton taakse.")
    dialog.type("Etelä-Savon hyvinvointialue")
    prompt = dialog.type("Paljon palveluja tarvitsevat asiakkaat")
    for _ in range(4):  # kokonaisuudet, rahoittajat, aihealueet, ilmiöt: the guide's pre-fill accepted
        prompt = dialog.click(prompt, "ok")
    assert "ylläpitäjä" in prompt.all_text().lower()
    summary = dialog.type("<mailto:maija@esavo.fi|maija@esavo.fi>, <mailto:matti@esavo.fi|matti@esavo.fi>")
    text = summary.all_text()
    assert "```" in text and '"maija@esavo.fi"' in text and "mailto" not in text
    assert server.store.user_state("slack", "T0001", "U0USER1")["dialog"]["step"] == "summary"
    finished = dialog.type("valmis")
    assert "dialog" not in server.store.user_state("slack", "T0001", "U0USER1")
    assert finished.all_text()


def test_clicks_on_an_ephemeral_answer_reply_through_its_response_url(
    server: RunningServer, fake_slack: FakeSlack
) -> None:
    sender = server.sender
    sender.command("Mikä on huomisen sääennuste Kuopiossa?", fake_slack.response_url_for("q"))
    (answer,) = fake_slack.wait_for("response_url", 1)
    blocks = answer.blocks()
    block, suggestion = find_element(blocks, "suggest:")
    payload_url = fake_slack.response_url_for("click")

    def click(block: dict[str, Any], element: dict[str, Any]) -> None:
        sender.interaction(
            {
                "type": "block_actions",
                "team": {"id": "T0001"},
                "user": {"id": "U0USER1", "team_id": "T0001"},
                "api_app_id": "A0APP",
                "container": {
                    "type": "message",
                    "message_ts": "1.2",
                    "channel_id": "C0CHAN1",
                    "is_ephemeral": True,
                },
                "channel": {"id": "C0CHAN1"},
                "response_url": payload_url,
                "actions": [button_action(block, element)],
            }
        )

    click(block, suggestion)
    second = fake_slack.wait_for("response_url", 2)[-1]
    assert second.path == "/response/click" and second.params["response_type"] == "ephemeral"
    assert "Tarkoititko" not in second.all_text()
    feedback_block, down = find_element(second.blocks(), "feedback:down")
    click(feedback_block, down)
    thanks = fake_slack.wait_for("response_url", 3)[-1]
    assert "Kiitos palautteesta" in thanks.all_text()
    assert not fake_slack.calls("chat.postMessage") and not fake_slack.calls("chat.update")
    assert summarise(records(server.store))["votes"]["down"] == 1


def test_check_by_mention_moves_to_the_dm(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.mention("check", ts="1700000800.000100")
    fake_slack.wait_for("conversations.open", 1)
    dm, note = fake_slack.wait_for("chat.postMessage", 2)
    assert dm.params["channel"] == "D0USER1" and "investointi" in dm.all_text().lower()
    assert note.params["channel"] == "C0CHAN1" and note.params["thread_ts"] == "1700000800.000100"


def test_a_select_option_is_fed_back_as_input(sender: SlackSender, fake_slack: FakeSlack) -> None:
    from bot.slack.render import render_replies
    from dialogs.replies import Choice, Reply

    choices = tuple(Choice(f"Vaihtoehto {i}", "apua" if i == 7 else f"v{i}") for i in range(8))
    (rendered,) = render_replies([Reply("Valitse", kind="question", choices=choices)])
    message = {
        "type": "message",
        "ts": "1700000900.000100",
        "text": "Valitse",
        "blocks": rendered.block_dicts(),
    }
    block, select = find_element(message["blocks"], "choice_select")
    option = select["options"][7]
    action = {
        "type": "static_select",
        "action_id": select["action_id"],
        "block_id": block["block_id"],
        "selected_option": option,
        "action_ts": "1.1",
    }
    assert sender.click(action, message).status == 200
    (update,) = fake_slack.wait_for("chat.update", 1)
    assert "Valitsit: Vaihtoehto 7" in update.all_text()
    (reply,) = fake_slack.wait_for("chat.postMessage", 1)
    assert "Komennot" in reply.all_text()  # "apua" answered with the help


def test_typing_instead_of_clicking_retires_the_old_buttons(
    sender: SlackSender, fake_slack: FakeSlack
) -> None:
    sender.direct_message("check")
    (prompt,) = fake_slack.wait_for("chat.postMessage", 1)
    assert any(b["block_id"].startswith("choices-") for b in prompt.blocks())
    sender.direct_message("P4I2")  # typed, not clicked
    fake_slack.wait_for("chat.postMessage", 2)
    (update,) = fake_slack.wait_for("chat.update", 1)
    assert update.params["channel"] == "D0DM0001"
    assert update.params["text"] == prompt.params["text"]
    assert not any(b["block_id"].startswith("choices-") for b in update.blocks())
    assert update.blocks()[0] == prompt.blocks()[0]  # the text stays
    sender.direct_message(
        "Etelä-Savon hyvinvointialue"
    )  # the county prompt had no buttons: nothing to retire
    fake_slack.wait_for("chat.postMessage", 3)
    assert len(fake_slack.calls("chat.update")) == 1


def test_a_double_click_counts_once(sender: SlackSender, fake_slack: FakeSlack) -> None:
    for n, text in enumerate(
        ("check", "P4I2", "Etelä-Savon hyvinvointialue", "Monialainen asiakas- ja palveluohjaus"), start=1
    ):
        sender.direct_message(text)
        prompt = fake_slack.wait_for("chat.postMessage", n)[-1]
    message = as_posted(prompt)
    block, ok = find_element(message["blocks"], "choice:")
    assert sender.click(button_action(block, ok), message).status == 200
    assert sender.click(button_action(block, ok), message).status == 200
    fake_slack.wait_for("chat.postMessage", 5)
    sender.direct_message("apua")  # a marker: the dialog's help for the step after the name
    marker = fake_slack.wait_for("chat.postMessage", 6)[-1]
    assert len(fake_slack.calls("chat.postMessage")) == 6
    assert "lyhyt kuvaus" in marker.all_text().lower()  # still at the step after the name: one click counted
