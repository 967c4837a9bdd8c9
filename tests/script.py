"""Conversation scripts in a few lines: `talk.send("check").expect("investointiin", kind="question")`.

A `Talk` is one user in one conversation, through the channel-neutral turn pipeline (bot.turns) on a
real store, so a script tests what every channel shares: the router, the dialog and the saved state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.state import Address
from bot.storage import Storage
from bot.turns import Turn, TurnPipeline
from dialogs.context import Context
from dialogs.replies import Reply


@dataclass
class Said:
    turn: Turn

    @property
    def replies(self) -> list[Reply]:
        return self.turn.replies

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def expect(
        self,
        *contains: str,
        kind: str | None = None,
        topic: str | None = None,
        confident: bool | None = None,
        absent: tuple[str, ...] = (),
        needs_private: bool | None = None,
        step: str | None = None,
    ) -> Said:
        """Assert what the turn's replies say (all of `contains`, none of `absent`), the last reply's kind,
        the answer's topic and confidence, and the dialog step the state is at afterwards."""
        shown = self.text
        for part in contains:
            assert part in shown, f"{part!r} not in {shown[:400]!r}"
        for part in absent:
            assert part not in shown, f"{part!r} in {shown[:400]!r}"
        if kind is not None:
            assert self.replies[-1].kind == kind, [r.kind for r in self.replies]
        answers = [r for r in self.replies if r.kind == "answer"]
        if topic is not None:
            assert answers and answers[0].topic == topic, [(r.kind, r.topic) for r in self.replies]
        if confident is not None:
            assert answers and answers[0].confident is confident
        if needs_private is not None:
            assert self.turn.needs_private is needs_private
        if step is not None:
            assert (self.turn.after.get("dialog") or {}).get("step") == step, self.turn.after.get("dialog")
        return self


class Talk:
    def __init__(
        self,
        storage: Storage,
        ctx: Context,
        address: Address,
        conversation: str = "D1",
        private: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.pipeline = TurnPipeline(storage, ctx, clock=clock)
        self.address = address
        self.conversation = conversation
        self.private = private

    def send(self, text: str, clicked_step: str | None = None) -> Said:
        return Said(self.pipeline.run(self.address, text, self.conversation, self.private, clicked_step))

    def state(self) -> dict[str, Any]:
        return self.pipeline.state(self.address)

    def elsewhere(self, conversation: str, private: bool = True) -> Talk:
        """The same user in another conversation (same store and clock)."""
        other = Talk(self.pipeline.storage, self.pipeline.ctx, self.address, conversation, private)
        other.pipeline = self.pipeline
        return other
