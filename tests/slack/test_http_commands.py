"""`/toimintamalli` over real HTTP: help, check in the DM, deadlines, reminders, questions, guards."""

from __future__ import annotations

from tests.fake_slack import FakeSlack
from tests.slack.slack_requests import USER, SlackSender


def test_empty_and_help_words_give_help(sender: SlackSender, fake_slack: FakeSlack) -> None:
    for n, text in enumerate(("", "apua", "help"), start=1):
        answer = sender.command(text, fake_slack.response_url_for(f"help{n}"))
        assert answer.status == 200
        call = fake_slack.wait_for("response_url", n)[-1]
        assert call.path == f"/response/help{n}"
        assert call.params["response_type"] == "ephemeral"
        assert "Komennot" in call.all_text()


def test_check_starts_the_dialog_in_the_dm_with_a_note(sender: SlackSender, fake_slack: FakeSlack) -> None:
    assert sender.command("check", fake_slack.response_url_for("check")).status == 200
    (opened,) = fake_slack.wait_for("conversations.open", 1)
    assert opened.params["users"] == USER
    (dm,) = fake_slack.wait_for("chat.postMessage", 1)
    assert dm.params["channel"] == "D0USER1"
    assert "investointi" in dm.all_text().lower()
    (note,) = fake_slack.wait_for("response_url", 1)
    assert note.params["response_type"] == "ephemeral"
    assert "yksityisviesti" in note.all_text()
    assert fake_slack.calls()[-1].method == "response_url"  # the note comes after the DM


def test_tarkista_is_check_too(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.command("tarkista", fake_slack.response_url_for("t"))
    fake_slack.wait_for("conversations.open", 1)
    fake_slack.wait_for("chat.postMessage", 1)


def test_check_when_the_dm_cannot_be_opened(sender: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.fail("conversations.open", "user_disabled")
    sender.command("check", fake_slack.response_url_for("nodm"))
    (note,) = fake_slack.wait_for("response_url", 1)
    assert "user_disabled" in note.all_text()
    assert not fake_slack.calls("chat.postMessage")


def test_deadlines(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.command("määräajat", fake_slack.response_url_for("dl"))
    (call,) = fake_slack.wait_for("response_url", 1)
    assert call.params["response_type"] == "ephemeral"
    assert "2026" in call.all_text() or "2027" in call.all_text()


def test_reminder_command_is_routed(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.command("muistutus I2", fake_slack.response_url_for("rem"))
    (call,) = fake_slack.wait_for("response_url", 1)
    assert "muistut" in call.all_text().lower()
    sender.command("muistutus", fake_slack.response_url_for("rem2"))
    (_, listing) = fake_slack.wait_for("response_url", 2)
    assert "I2" in listing.all_text() or "P4" in listing.all_text()


def test_question_is_answered_ephemerally_with_feedback_buttons(
    sender: SlackSender, fake_slack: FakeSlack
) -> None:
    sender.command("miten nimeän I2-toimintamallin?", fake_slack.response_url_for("q"))
    (call,) = fake_slack.wait_for("response_url", 1)
    assert call.params["response_type"] == "ephemeral"
    assert "RRP" in call.all_text()
    action_ids = [e.get("action_id") for b in call.blocks() for e in b.get("elements", [])]
    assert "feedback:up" in action_ids and "feedback:down" in action_ids
    assert not fake_slack.calls("chat.postMessage")


def test_text_saying_payload_is_still_a_command(sender: SlackSender, fake_slack: FakeSlack) -> None:
    answer = sender.command("mikä on payload", fake_slack.response_url_for("payload"))
    assert answer.status == 200
    (call,) = fake_slack.wait_for("response_url", 1)
    assert call.params["response_type"] == "ephemeral"
    assert "Tarkoititko" in call.all_text()  # answered as a question, not dropped as interactivity


def test_command_text_is_escaped_when_echoed(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.command("check", fake_slack.response_url_for("c"))
    fake_slack.wait_for("chat.postMessage", 1)
    sender.direct_message("P4I2")
    fake_slack.wait_for("chat.postMessage", 2)
    sender.command("<!channel> &lt;!here&gt; Pirkanmaa", fake_slack.response_url_for("echo"))
    fake_slack.wait_for("response_url", 2)
    for call in fake_slack.calls():
        text = call.all_text()
        assert "<!channel>" not in text and "<!here>" not in text


def test_rate_limited_response_url_is_retried(sender: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit("response_url", retry_after=1, times=1)
    sender.command("apua", fake_slack.response_url_for("limited"))
    (call,) = fake_slack.wait_for("response_url", 1, timeout=10)
    assert "Komennot" in call.all_text()
    assert [c.status for c in fake_slack.calls("response_url")] == [429, 200]


def test_a_deadline_question_says_the_deadline_has_passed(sender: SlackSender, fake_slack: FakeSlack) -> None:
    """The server answers with today's date: every deadline of the guide is behind us (dec 2026 or later)."""
    assert sender.command("Mikä on I3:n määräaika?", fake_slack.response_url_for("dl")).status == 200
    (call,) = fake_slack.wait_for("response_url", 1)
    text = call.all_text()
    assert "31.12.2025" in text and "määräaika on mennyt" in text
