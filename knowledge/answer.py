"""The result of answering one question: the text, whether it is confident, its topic and slides."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AnswerSource:
    dia: int
    title: str


@dataclass(frozen=True)
class Answer:
    answer: str
    confident: bool
    topic: str | None
    sources: list[AnswerSource] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "confident": self.confident,
            "topic": self.topic,
            "sources": [{"dia": s.dia, "title": s.title} for s in self.sources],
            "suggestions": list(self.suggestions),
        }
