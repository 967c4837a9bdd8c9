"""Events API over real HTTP: signatures, mentions, DMs, retries, bots, malformed bodies, escaping, errors."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.fake_slack import BOT_ID, BOT_USER_ID, FakeSlack
from tests.slack.conftest import RunningServer, ServerFactory
from tests.slack.slack_requests import CHANNEL, SlackSender, http, signature


def test_url_verification_echoes_challenge(sender: SlackSender) -> None:
    answer = sender.post_json({"type": "url_verification", "token": "x", "challenge": "abc123"})
    assert answer.status == 200
    assert "abc123" in answer.text


def test_bad_signature_is_refused(sender: SlackSender, fake_slack: FakeSlack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    assert sender.post(body, "application/json", secret="wrong-secret").status == 401
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=00",
    }
    assert http(sender.events_url, body, headers, "POST").status == 401
    assert http(sender.events_url, body, {"Content-Type": "application/json"}, "POST").status == 401


def test_stale_signature_is_refused(sender: SlackSender) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    assert sender.post(body, "application/json", timestamp=int(time.time()) - 600).status == 401
    assert sender.post(body, "application/json", timestamp=int(time.time()) + 600).status == 401


def test_mention_is_answered_in_its_thread(sender: SlackSender, fake_slack: FakeSlack) -> None:
    answer, _ = sender.mention("miten nimeän I2-toimintamallin?", ts="1700000001.000100")
    assert answer.status == 200
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    assert call.params["channel"] == CHANNEL
    assert call.params["thread_ts"] == "1700000001.000100"
    text = call.all_text()
    assert "RRP" in text and "P4" in text
    assert "<@UBOT0001>" not in text
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_mention_inside_a_thread_stays_in_that_thread(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.mention("apua", ts="1700000009.000100", thread_ts="1700000005.000100")
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    assert call.params["thread_ts"] == "1700000005.000100"


def test_direct_message_is_answered_in_the_dm(sender: SlackSender, fake_slack: FakeSlack) -> None:
    answer, _ = sender.direct_message("määräajat")
    assert answer.status == 200
    (call,) = fake_slack.wait_for("chat.postMessage", 1)
    assert call.params["channel"] == "D0DM0001"
    assert not call.params.get("thread_ts")
    assert "2026" in call.all_text() or "2027" in call.all_text()


def test_retry_gets_200_and_no_second_reply(sender: SlackSender, fake_slack: FakeSlack) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0DM0001",
        "user": "U0USER1",
        "text": "apua",
    }
    first, event_id = sender.event({**event, "ts": "1700000100.000100"})
    assert first.status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    for retry in (1, 2, 3):
        again, _ = sender.event({**event, "ts": "1700000100.000100"}, event_id=event_id, retry_num=retry)
        assert again.status == 200
    sender.direct_message("määräajat")  # a later, different event is still answered
    fake_slack.wait_for("chat.postMessage", 2)
    assert len(fake_slack.calls("chat.postMessage")) == 2


def test_retry_after_restart_is_still_skipped(servers: ServerFactory, fake_slack: FakeSlack) -> None:
    first = servers.start()
    answer, event_id = first.sender.direct_message("apua")
    assert answer.status == 200
    fake_slack.wait_for("chat.postMessage", 1)
    first.stop()
    servers.running.remove(first)
    second: RunningServer = servers.start()
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0DM0001",
        "user": "U0USER1",
        "text": "apua",
    }
    again, _ = second.sender.event({**event, "ts": "1700000200.000100"}, event_id=event_id, retry_num=1)
    assert again.status == 200
    second.sender.direct_message("määräajat")
    fake_slack.wait_for("chat.postMessage", 2)
    assert len(fake_slack.calls("chat.postMessage")) == 2


def test_bot_messages_and_edits_are_ignored(sender: SlackSender, fake_slack: FakeSlack) -> None:
    own, _ = sender.direct_message("vastaus", user=BOT_USER_ID, bot_id=BOT_ID)
    other_bot, _ = sender.direct_message("hei", user="U0OTHERBOT", bot_id="B0OTHER")
    subtype, _ = sender.direct_message("botti", subtype="bot_message")
    edited = sender.event(
        {"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D0DM0001"}
    )[0]
    channel_chatter = sender.event(
        {"type": "message", "channel_type": "channel", "channel": CHANNEL, "user": "U0USER1", "text": "hei"}
    )[0]
    assert {own.status, other_bot.status, subtype.status, edited.status, channel_chatter.status} == {200}
    sender.direct_message("apua")  # a marker: once it is answered, the earlier ones had their chance
    fake_slack.wait_for("chat.postMessage", 1)
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_malformed_and_oversized_bodies_get_4xx_and_server_stays_up(
    server: RunningServer, sender: SlackSender
) -> None:
    assert sender.post(b'{"type": "event_callback", ', "application/json").status == 400
    assert sender.post(b"[1, 2, 3]", "application/json").status == 400
    assert sender.post(b"\xff\xfe{", "application/json").status == 400
    assert sender.post(b"payload=%7Bnot-json", "application/x-www-form-urlencoded").status == 400
    assert sender.post(b"payload=%5B%5D", "application/x-www-form-urlencoded").status == 400
    big = json.dumps({"type": "event_callback", "pad": "x" * 1_100_000}).encode()
    assert sender.post(big, "application/json").status == 413
    assert http(server.url + "/healthz").status == 200
    assert http(server.url + "/slack/events").status == 405
    assert http(server.url + "/nothing").status == 404
    assert (
        sender.post_json({"type": "url_verification", "challenge": "still-here"}).text.find("still-here") >= 0
    )


def test_injection_is_escaped_in_every_posted_text(sender: SlackSender, fake_slack: FakeSlack) -> None:
    # what Slack sends when a person types the characters "<!channel>" literally, and a real broadcast
    sender.direct_message("check")
    fake_slack.wait_for("chat.postMessage", 1)
    sender.direct_message("P4I2")
    fake_slack.wait_for("chat.postMessage", 2)
    sender.direct_message("&lt;!channel&gt; Etelä-Savon hyvinvointialue <!everyone> &amp; <@U0OTHER>")
    fake_slack.wait_for("chat.postMessage", 3)
    sender.mention("&lt;!channel&gt; mitä <!here> tarkoittaa? <https://evil.example|klikkaa>")
    fake_slack.wait_for("chat.postMessage", 4)
    for call in fake_slack.calls("chat.postMessage"):
        text = call.all_text()
        for raw in ("<!channel>", "<!everyone>", "<!here>", "<@U0OTHER>", "<https://evil"):
            assert raw not in text
    assert any("&lt;!channel&gt;" in call.all_text() for call in fake_slack.calls("chat.postMessage"))


def test_rate_limited_post_is_retried(sender: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=1, times=1)
    sender.direct_message("apua")
    calls = fake_slack.wait_for("chat.postMessage", 1, timeout=10)
    assert len(calls) == 1
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]


def test_channel_not_found_falls_back_to_a_dm(sender: SlackSender, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "channel_not_found", times=1)
    answer, _ = sender.mention("apua")
    assert answer.status == 200
    fake_slack.wait_for("conversations.open", 1)
    posted = fake_slack.wait_for("chat.postMessage", 2)
    assert all(call.params["channel"] == "D0USER1" for call in posted)
    assert "channel_not_found" in posted[0].all_text()
    assert fake_slack.calls("conversations.open")[0].params["users"] == "U0USER1"


def test_unreachable_user_is_logged_not_crashed(server: RunningServer, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "not_in_channel", times=1)
    fake_slack.fail("conversations.open", "user_not_found", times=1)
    server.sender.mention("apua")
    (refused,) = fake_slack.wait_for("conversations.open", 1, include_failed=True)
    assert not refused.ok
    server.sender.direct_message("apua")
    fake_slack.wait_for("chat.postMessage", 1)
    assert http(server.url + "/healthz").status == 200


def test_app_home_is_published(sender: SlackSender, fake_slack: FakeSlack) -> None:
    sender.event({"type": "app_home_opened", "user": "U0USER1", "channel": "D0DM0001", "tab": "home"})
    (call,) = fake_slack.wait_for("views.publish", 1)
    assert call.params["user_id"] == "U0USER1"
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    text = call.all_text()
    assert "Muistutukset" in text and "määräajat" in text.lower()


def test_signature_function_matches_slack_sdk() -> None:
    from slack_sdk.signature import SignatureVerifier

    body, ts = b"a=1", str(int(time.time()))
    verifier = SignatureVerifier("s")
    assert verifier.is_valid(body, ts, signature(body, ts, "s"))


def test_signed_bodies_bolt_cannot_route_get_4xx_not_5xx(server: RunningServer, sender: SlackSender) -> None:
    odd_json: list[dict[str, Any]] = [
        {"type": "event_callback"},
        {"type": "event_callback", "event": None},
        {"type": "event_callback", "event": "x", "event_id": 5},
        {"type": 7},
        {},
    ]
    odd_payloads = [
        {"type": "block_actions"},
        {"type": "block_actions", "actions": []},
        {"type": "block_actions", "actions": [{"action_id": "choice:0"}]},
        {"type": "view_submission", "view": {"callback_id": "check_modal"}},
        {"type": "shortcut"},
    ]
    statuses = [sender.post_json(body).status for body in odd_json]
    statuses += [
        sender.post(
            urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded"
        ).status
        for body in odd_payloads
    ]
    statuses.append(
        sender.post(
            urlencode({"command": "/toimintamalli"}).encode(), "application/x-www-form-urlencoded"
        ).status
    )
    assert all(400 <= status < 500 for status in statuses), statuses
    assert http(server.url + "/healthz").status == 200


def test_app_home_shows_the_draft_and_the_form_button(sender: SlackSender, fake_slack: FakeSlack) -> None:
    from bot.slack import texts

    sender.direct_message("check")
    fake_slack.wait_for("chat.postMessage", 1)
    sender.event({"type": "app_home_opened", "user": "U0USER1", "channel": "D0DM0001", "tab": "home"})
    (call,) = fake_slack.wait_for("views.publish", 1)
    text = call.all_text()
    assert texts.HOME_NO_DRAFT not in text
    assert texts.HOME_OPEN_FORM in text and texts.HOME_START_CHECK in text
    sender.event({"type": "app_home_opened", "user": "U0OTHER", "channel": "D0DM0002", "tab": "home"})
    other = fake_slack.wait_for("views.publish", 2)[-1]
    assert texts.HOME_NO_DRAFT in other.all_text()
    sender.event({"type": "app_home_opened", "user": "U0OTHER", "channel": "D0DM0002", "tab": "messages"})
    sender.direct_message("apua")  # a marker: the messages tab is not published
    fake_slack.wait_for("chat.postMessage", 2)
    assert len(fake_slack.calls("views.publish")) == 2
