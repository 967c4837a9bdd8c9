"""Teams: Activity JSON posted to the running endpoint (`expectReplies`: the replies in the response body)."""

from __future__ import annotations

import json

from bot.storage.sqlite import SqliteStorage
from tests.fake_connector import FakeConnector
from tests.teams.conftest import PERSONAL, TENANT, USER, TeamsClient, TeamsFactory, actions, cards


def test_a_question_in_personal_chat_is_answered_in_plain_text_with_its_slide(client: TeamsClient) -> None:
    answer = client.say("Miten nimeän I2-toimintamallin?")
    assert answer.status == 200
    (reply,) = answer.activities
    assert reply["textFormat"] == "plain" and "dia" in reply["text"] and "*" not in reply["text"]
    assert reply["conversation"]["id"] == PERSONAL and reply["recipient"]["id"] == USER["id"]
    votes = [a for a in actions(reply) if a["data"].get("toimintamalli") == "feedback"]
    assert [v["data"]["vote"] for v in votes] == ["up", "down"]


def test_a_follow_up_leans_on_the_conversation(client: TeamsClient) -> None:
    client.say("Mihin kokonaisuuksiin I4:n toimintamalli liitetään?")
    follow = client.say("entä I2?")
    assert "investointi 2" in follow.text.lower() or "I2" in follow.text


def test_a_mention_in_a_channel_is_answered_in_the_same_conversation(client: TeamsClient) -> None:
    answer = client.mention("Mikä on PDSA?")
    (reply,) = answer.activities
    assert reply["conversation"]["id"].startswith("19:kanava@thread.tacv2")
    assert "PDSA" in reply["text"] and "<at>" not in reply["text"]


def test_user_text_never_becomes_markup(client: TeamsClient) -> None:
    client.say("check")
    client.say("I4")
    answer = client.say("<at>Kaikki</at> **lihava** <b>html</b> [linkki](https://x.example)")
    for activity in answer.activities:
        assert activity["textFormat"] == "plain"
        for card in cards(activity):
            for block in card.get("body") or []:
                assert block["type"] != "TextBlock" or "<at>" not in block.get("text", "")


def test_a_vote_is_stored_and_thanked(client: TeamsClient, teams: TeamsFactory) -> None:
    answer = client.say("Miten nimeän I2-toimintamallin?")
    (down,) = [a for a in actions(answer.activities[0]) if a["data"].get("vote") == "down"]
    thanks = client.submit(down["data"], replyToId="m-1")
    assert "Kiitos palautteesta" in thanks.text
    store: SqliteStorage = teams.running[0].store
    (vote,) = [v for _, v in store.items("feedback") if v["kind"] == "vote"]
    assert vote["vote"] == "down" and vote["question"] == "Miten nimeän I2-toimintamallin?"
    assert vote["channel"] == "teams" and vote["team"] == TENANT


def test_the_same_activity_twice_is_answered_once(client: TeamsClient) -> None:
    activity = client.activity(text="Mikä on PDSA?")
    assert client.post(activity).activities
    again = client.post(activity)
    assert again.status == 200 and again.activities == []


# -- bad input -------------------------------------------------------------------------------------------
def test_malformed_json_is_400(client: TeamsClient) -> None:
    assert client.post_raw(b'{"type": "message", ').status == 400
    assert client.post_raw(b"[1, 2]").status == 400


def test_unknown_activity_types_are_ignored_with_200(client: TeamsClient, connector: FakeConnector) -> None:
    for kind in ("typing", "messageReaction", "invoke", "installationUpdate", "endOfConversation"):
        answer = client.post(client.activity(type=kind))
        assert answer.status == 200 and not answer.activities
    assert connector.posts == []


def test_a_body_over_1_mb_is_413(client: TeamsClient) -> None:
    body = json.dumps(client.activity(text="x" * (1024 * 1024 + 10))).encode()
    assert client.post_raw(body).status == 413


def test_100_kb_of_text_gets_the_finnish_too_long_reply(client: TeamsClient) -> None:
    answer = client.say("miten nimeän " * 8000)
    assert answer.status == 200 and "liian pitkä" in answer.text


def test_an_activity_without_a_conversation_is_400(client: TeamsClient) -> None:
    activity = client.activity(text="hei")
    del activity["conversation"]
    assert client.post(activity).status == 400
