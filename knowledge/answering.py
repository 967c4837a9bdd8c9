"""The answerer: analyse -> decide -> render, one way, with the conversation's context and today's date.

`answer(question)` answers a question on its own; `reply(question, now, context)` answers a turn of
a conversation and returns the context to keep for the next one.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from knowledge.analyse import Analyser
from knowledge.answer import Answer
from knowledge.conversation import ConversationContext
from knowledge.decide import decide
from knowledge.loader import KnowledgeBase
from knowledge.render import Renderer

DEFAULT_TZ = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class Turn:
    answer: Answer
    context: ConversationContext


class Answerer:
    """Answers questions from one knowledge base; built once per process."""

    def __init__(self, kb: KnowledgeBase, tz: ZoneInfo | None = None) -> None:
        self.kb = kb
        self.tz = tz or DEFAULT_TZ
        self.renderer = Renderer(kb)
        # topics are also searched by the text they render to (templates included), without entities
        self.analyser = Analyser(kb, {e.id: self.renderer.render_entry(e) for e in kb.entries})
        # what is built here lives as long as the process: keep the collector from walking it again
        gc.freeze()

    def reply(
        self, question: str, now: dt.datetime | None = None, context: ConversationContext | None = None
    ) -> Turn:
        moment = now or dt.datetime.now(dt.UTC)
        seen = (context or ConversationContext()).fresh(moment)
        analysis = self.analyser.analyse(question)
        decision = decide(self.kb, analysis, seen)
        answer = self.renderer.render(decision, moment.astimezone(self.tz).date())
        return Turn(answer, replace(decision.context, at=moment))

    def answer(self, question: str, now: dt.datetime | None = None) -> Answer:
        return self.reply(question, now).answer
