"""The blind sets (tests/data/blind/, written from the guide alone by writers who saw no code) stay at
their floors: questions through the answerer, conversations through the router as `chat --json` runs them.

Their first-run scores, before any tuning on them, are in README; the floors only catch regressions.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from dialogs.context import Context
from dialogs.router import respond
from knowledge.answering import Answerer
from tests.judge import passes
from tests.paths import TEST_DATA

BLIND = TEST_DATA / "blind"
FLOORS = json.loads((TEST_DATA / "floors.json").read_text())
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def cases(name: str) -> list[dict[str, Any]]:
    lines = (BLIND / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("name", [f"set{x}.jsonl" for x in "BCDEFGHIJKL"])
def test_blind_question_sets_stay_at_their_floor(answerer: Answerer, name: str) -> None:
    found = cases(name)
    failed = [c["id"] for c in found if not passes(c, *_answer(answerer, c["q"]))]
    assert 1 - len(failed) / len(found) >= FLOORS["blind_questions"][name.split(".")[0]], failed


def _answer(answerer: Answerer, question: str) -> tuple[str, bool]:
    answer = answerer.answer(question, NOW)
    return answer.answer, answer.confident


@pytest.mark.parametrize(
    "name",
    [f"set{x}_conv.jsonl" for x in "BCDEFGHIJKL"],
)
def test_blind_conversations_stay_at_their_floor(ctx: Context, name: str) -> None:
    right = total = 0
    failed = []
    for conversation in cases(name):
        state: dict[str, Any] = {}
        for i, turn in enumerate(conversation["turns"]):
            state, replies = respond(state, turn["q"], NOW + dt.timedelta(minutes=i), ctx, conversation="t")
            shown = "\n\n".join(r.text for r in replies)
            confident = all(r.confident for r in replies if r.kind == "answer")
            total += 1
            if passes(turn, shown, confident):
                right += 1
            else:
                failed.append(f"{conversation['id']} turn {i + 1}")
    assert right / total >= FLOORS["blind_conversation_turns"][name.split("_")[0]], failed
