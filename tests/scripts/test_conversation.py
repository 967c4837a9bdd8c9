"""Conversations: follow-ups lean on the previous question, corrections replace it, what the user says
about themselves is remembered (and said to be), contexts expire, are kept per conversation and survive
a restart of the process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialogs.context import Context
from dialogs.router import respond
from knowledge.answering import Answerer
from knowledge.conversation import REMEMBER_FOR, ConversationContext
from tests.paths import ROOT

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def talk(answerer: Answerer, *questions: str, step: dt.timedelta = dt.timedelta(minutes=1)) -> list[str]:
    context = ConversationContext()
    answers = []
    for i, question in enumerate(questions):
        turn = answerer.reply(question, NOW + i * step, context)
        context = turn.context
        answers.append(turn.answer.answer if turn.answer.confident else "")
    return answers


def test_a_follow_up_keeps_the_topic_with_the_new_investment(answerer: Answerer) -> None:
    first, second = talk(answerer, "Miten nimeän I3:n toimintamallin?", "entä I4?")
    assert "(RRP, P4, I3)" in first
    assert "(RRP, P4, I4)" in second and "(RRP, P4, I3)" not in second


def test_a_follow_up_in_other_words_keeps_the_topic(answerer: Answerer) -> None:
    _, second = talk(answerer, "Mitkä aihealueet valitaan investointi 2:ssa?", "entäs työkykyohjelma?")
    assert "Työkyky" in second and "Hyvinvoinnin ja terveyden edistäminen" not in second


def test_a_correction_replaces_the_investment(answerer: Answerer) -> None:
    _, second = talk(answerer, "Mitkä aihealueet valitaan I2:ssa?", "ei kun tarkoitin pilari 3")
    assert "Työkyky" in second and "Hyvinvoinnin ja terveyden edistäminen" not in second


def test_a_new_question_does_not_inherit_the_previous_topic(answerer: Answerer) -> None:
    _, second = talk(
        answerer, "Miten nimeän I3:n toimintamallin?", "Mikä on Innokylän tuen sähköpostiosoite?"
    )
    assert "toimitus@innokyla.fi" in second and "(RRP, P4, I3)" not in second


def test_what_the_user_says_about_themselves_is_used_and_said_to_be(answerer: Answerer) -> None:
    noted, answer = talk(answerer, "Olen Pirkanmaalta.", "Kuka on meidän kehittämispäällikkö?")
    assert noted  # a statement is acknowledged, not declined
    assert "Unto Raunio" in answer and "kuten kerroit" in answer


def test_the_investment_told_before_fills_a_later_question(answerer: Answerer) -> None:
    _, answer = talk(answerer, "Meillä on I4-hanke.", "miten nimeän mallin?")
    assert "(RRP, P4, I4)" in answer and "(RRP, P4, I1)" not in answer


def test_a_follow_up_after_a_long_pause_does_not_lean_on_the_old_question(answerer: Answerer) -> None:
    first = answerer.reply("Miten nimeän I3:n toimintamallin?", NOW)
    soon = answerer.reply("entä I4?", NOW + REMEMBER_FOR / 2, first.context)
    late = answerer.reply("entä I4?", NOW + REMEMBER_FOR * 2, first.context)
    assert soon.answer.topic == "nimeaminen"
    assert late.answer.topic != "nimeaminen"  # the investment alone: its overview, not the old topic


def test_the_context_survives_its_json_form(answerer: Answerer) -> None:
    turn = answerer.reply("Olen Keski-Suomesta. Miten nimeän I2-mallin?", NOW)
    again = ConversationContext.from_json(json.loads(json.dumps(turn.context.as_json())))
    assert again == turn.context
    assert ConversationContext.from_json({"topic": 5, "last": "x"}) == ConversationContext()


def test_conversations_do_not_share_their_context(ctx: Context) -> None:
    state: dict = {}
    state, _ = respond(state, "Miten nimeän I3:n toimintamallin?", NOW, ctx, conversation="C1:1")
    state, _ = respond(state, "Mitkä aihealueet valitaan I2:ssa?", NOW, ctx, conversation="C2:1")
    _, replies = respond(state, "entä I4?", NOW, ctx, conversation="C1:1")
    assert "(RRP, P4, I4)" in replies[0].text  # naming, the topic of C1, not C2's topics
    _, replies = respond(state, "entä I4?", NOW, ctx, conversation="C2:1")
    assert "Digitaaliset palvelut" in replies[0].text or "digitaaliset" in replies[0].text.lower()
    assert "(RRP, P4, I4)" not in replies[0].text


def chat(lines: list[str], db: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--json"],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "TOIMINTAMALLI_DB": str(db), "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""},
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_chat_json_follows_the_conversation_and_keeps_it_across_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    rows = chat(["Olen Pirkanmaalta.", "Miten nimeän I3:n mallin?", "entä I4?", "lopeta"], db)
    assert len(rows) == 4  # one JSON line per input line, the exit word included
    assert rows[0]["confident"] is True
    assert "(RRP, P4, I3)" in rows[1]["answer"] and "Pirkanmaa" in rows[1]["answer"]
    assert "(RRP, P4, I4)" in rows[2]["answer"] and "(RRP, P4, I3)" not in rows[2]["answer"]
    again = chat(["Kuka on meidän kehittämispäällikkö?"], db)  # a new process, the same store
    assert "Unto Raunio" in again[0]["answer"]


@pytest.mark.parametrize(
    ("follow_up", "deadline"),
    [("entä I4?", "31.12.2025"), ("entäs pilari 3?", "31.12.2024"), ("and for investment 4?", "31.12.2025")],
)
def test_short_follow_ups_in_several_forms(answerer: Answerer, follow_up: str, deadline: str) -> None:
    first = answerer.reply("Mikä on I3:n määräaika?", NOW)
    second = answerer.reply(follow_up, NOW + dt.timedelta(minutes=1), first.context)
    assert second.answer.topic == "aikataulu"
    assert deadline in second.answer.answer
