"""Finnish-aware search over the knowledge entries (placeholder; being built)."""

from __future__ import annotations

from knowledge.answering import Answer
from knowledge.loader import KnowledgeBase


class Answerer:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def answer(self, question: str) -> Answer:
        return Answer(answer="(rakenteilla)", confident=False, topic=None)
