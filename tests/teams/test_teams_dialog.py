"""Teams: the check dialog to its summary across turns of one conversation (typed, and by card submits),
`check` in a channel moving to a personal chat, and a reminder sent once through the fake Bot
Connector across a restart."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.scheduler import ReminderScheduler
from dialogs.reading import plain
from dialogs.schedule import reminder_time
from tests.fake_connector import FakeConnector
from tests.personas import PERSONAS, Persona, mismatches
from tests.teams.conftest import PERSONAL, TENANT, USER, TeamsClient, TeamsFactory, actions, cards

HKI = ZoneInfo("Europe/Helsinki")


def summary_json(activity: dict[str, Any]) -> dict[str, Any]:
    for card in cards(activity):
        for block in card.get("body") or []:
            if block["type"] == "RichTextBlock":
                return json.loads(block["inlines"][0]["text"])  # shown as is, never as Markdown
    raise AssertionError("no summary card")


def run_persona(client: TeamsClient, persona: Persona, click: bool) -> list[dict[str, Any]]:
    last: list[dict[str, Any]] = []
    submits = 0
    for line in persona.script:
        if line.startswith("<"):
            continue
        submit = _matching_submit(last, line, persona) if click else None
        answer = client.submit(submit) if submit is not None else client.say(line)
        submits += submit is not None
        assert answer.status == 200 and answer.activities, line
        last = answer.activities
    if click:
        assert submits >= 3  # the persona's choices were clicked, not typed
    return last


def _matching_submit(activities: list[dict[str, Any]], line: str, persona: Persona) -> dict[str, Any] | None:
    for activity in activities:
        for action in actions(activity):
            data = dict(action["data"])
            if data.get("toimintamalli") != "choice":
                continue
            if data.get("input") and plain(data["input"]) == plain(line):
                return data
            if not data.get("input"):  # a ChoiceSet with Valmis: pick what the persona types
                picker = next(b for c in cards(activity) for b in c["body"] if b["type"] == "Input.ChoiceSet")
                values = {o["value"] for o in picker["choices"]}
                wanted = [v for v in persona.expected.get("investoinnit", []) if v in values]
                if wanted and plain(line) in {plain(v) for v in ("I4", "I1", "I2", "I3", "P3", "P4I4")}:
                    return {**data, "picked": ",".join(wanted)}
    return None


@pytest.mark.parametrize("click", [False, True], ids=["typed", "clicked"])
def test_the_check_dialog_runs_to_its_summary(client: TeamsClient, teams: TeamsFactory, click: bool) -> None:
    persona = PERSONAS[0]
    run_persona(client, persona, click)
    exported = teams.running[0].store.user_state("teams", TENANT, USER["id"])["perustiedot"]["last"]
    assert mismatches(persona, exported) == {}


def test_the_summary_is_a_card_with_the_perustiedot_json(client: TeamsClient) -> None:
    persona = PERSONAS[0]
    script = [line for line in persona.script if line != "valmis"]
    for line in script:
        answer = client.say(line)
    summaries = [
        a for a in answer.activities if any(b["type"] == "RichTextBlock" for c in cards(a) for b in c["body"])
    ]
    assert summaries, [a["text"][:80] for a in answer.activities]
    data = summary_json(summaries[0])
    assert data["nimi"] == persona.expected["nimi"]
    assert "{" not in summaries[0]["text"]  # the JSON is in the card, not in the text


def test_check_in_a_channel_moves_to_a_personal_chat(client: TeamsClient, connector: FakeConnector) -> None:
    answer = client.mention("check")
    (note,) = answer.activities
    assert "henkilökohtaisessa" in note["text"]
    created = [p for p in connector.posts if p.path.rstrip("/") == "/v3/conversations"]
    assert (
        created
        and created[0].body["members"] == [{"id": USER["id"]}]
        and created[0].body["tenantId"] == TENANT
    )
    opened = connector.wait_for(1)
    assert {p.conversation for p in opened} == {created[0].body.get("id") or opened[0].conversation}
    assert opened[0].conversation.startswith("a:personal-")
    assert "investoin" in " ".join(json.dumps(p.body, ensure_ascii=False) for p in opened).lower()
    client.conversation = opened[0].conversation  # the user answers in the new personal chat
    county = client.say("I4")
    assert "hyvinvointialue" in county.text.lower()


def test_a_reminder_goes_out_once_through_the_connector_across_a_restart(
    teams: TeamsFactory, connector: FakeConnector
) -> None:
    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=HKI)
    deadline = now.date() + dt.timedelta(days=20)
    shown = f"{deadline.day}.{deadline.month}.{deadline.year}"
    first = teams.start(clock=lambda: now)
    reply = first.client.say(f"muistutus {shown} Valmis-tila")
    assert "Lisäsin oman määräajan" in reply.text
    first.stop()
    teams.running.remove(first)

    due = reminder_time(deadline, 14, HKI)
    for attempt in range(2):  # a restart: the second process finds the claim and sends nothing
        running = teams.start(clock=lambda: due)
        scheduler = ReminderScheduler(running.store, teams.ctx, {"teams": running.server.sender()})
        assert scheduler.send_due(due + dt.timedelta(minutes=attempt)) == (1 if attempt == 0 else 0)
        running.stop()
        teams.running.remove(running)
    (sent,) = connector.messages()
    assert sent.conversation == PERSONAL and sent.body["textFormat"] == "plain"
    assert "Valmis-tila" in sent.body["text"] and "14 päivän päästä" in sent.body["text"]
    assert sent.body["recipient"]["id"] == USER["id"]


def test_a_reminder_the_connector_refuses_is_tried_again(
    teams: TeamsFactory, connector: FakeConnector
) -> None:
    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=HKI)
    deadline = now.date() + dt.timedelta(days=20)
    running = teams.start(clock=lambda: now)
    running.client.say(f"muistutus {deadline.day}.{deadline.month}.{deadline.year} Valmis-tila")
    due = reminder_time(deadline, 14, HKI)
    scheduler = ReminderScheduler(running.store, teams.ctx, {"teams": running.server.sender()})
    connector.fail(times=10)  # the SDK's client does not retry a 503 by itself
    assert scheduler.send_due(due) == 0 and scheduler.last_failures == 1
    connector.fail(times=0)
    assert scheduler.send_due(due + dt.timedelta(minutes=1)) == 1
    assert len(connector.messages()) == 1


def test_check_in_a_channel_says_so_when_the_personal_chat_cannot_be_written_to(
    client: TeamsClient, connector: FakeConnector, teams: TeamsFactory
) -> None:
    connector.fail_messages(times=10)
    (note,) = client.mention("check").activities
    assert "En saanut aloitettua" in note["text"]
    assert "dialog" not in teams.running[0].store.user_state("teams", TENANT, USER["id"])  # taken back


def test_a_click_on_an_older_questions_card_is_refused_and_changes_nothing(
    client: TeamsClient, teams: TeamsFactory
) -> None:
    first = client.say("check").activities
    old = next(a["data"] for act in first for a in actions(act) if a["data"].get("step") == "investoinnit")
    client.say("I4")  # the dialog moves on to the county
    stale = client.submit({**old, "picked": "P3"})
    assert "kuului aiempaan kysymykseen" in stale.text
    dialog = teams.running[0].store.user_state("teams", TENANT, USER["id"])["dialog"]
    assert dialog["step"] == "hyvinvointialue" and dialog["answers"]["investoinnit"] == ["P4I4"]
