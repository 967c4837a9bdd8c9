"""What a conversation remembers between questions: the last topic and its entities, and what the user stated.

Plain data with a JSON form, so that the turn pipeline can keep it in the conversation's state.
`last` is what a follow-up leans on ("entä I4?"); `stated` is what the user told about themselves
("Olen Pirkanmaalta", "Teemme I2-mallia"), used for later questions until it expires or is replaced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from knowledge.models import INVESTMENT_CODES, InvestmentCode

REMEMBER_FOR = dt.timedelta(minutes=45)  # after this long without a question the context is forgotten


@dataclass(frozen=True)
class Slots:
    """The entities a turn is about."""

    investments: tuple[InvestmentCode, ...] = ()
    county: str | None = None  # County.name
    area: str | None = None
    valmennus: bool = False

    @property
    def empty(self) -> bool:
        return not (self.investments or self.county or self.area or self.valmennus)

    def as_json(self) -> dict[str, Any]:
        return {
            "investments": list(self.investments),
            "county": self.county,
            "area": self.area,
            "valmennus": self.valmennus,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Slots:
        if not isinstance(raw, dict):
            return cls()
        codes = tuple(c for c in raw.get("investments") or () if c in INVESTMENT_CODES)
        county = raw.get("county") if isinstance(raw.get("county"), str) else None
        area = raw.get("area") if isinstance(raw.get("area"), str) else None
        return cls(codes, county, area, bool(raw.get("valmennus")))


@dataclass(frozen=True)
class ConversationContext:
    topic: str | None = None
    last: Slots = field(default_factory=Slots)
    stated: Slots = field(default_factory=Slots)
    at: dt.datetime | None = None

    def fresh(self, now: dt.datetime) -> ConversationContext:
        """This context as seen at `now`: empty when it has not been used for a while."""
        if self.at is None or now - self.at > REMEMBER_FOR or now < self.at - dt.timedelta(minutes=5):
            return ConversationContext()
        return self

    def with_turn(
        self, topic: str | None, last: Slots, stated: Slots, now: dt.datetime
    ) -> ConversationContext:
        return replace(self, topic=topic, last=last, stated=stated, at=now)

    def as_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "last": self.last.as_json(),
            "stated": self.stated.as_json(),
            "at": self.at.isoformat() if self.at else None,
        }

    @classmethod
    def from_json(cls, raw: Any) -> ConversationContext:
        if not isinstance(raw, dict):
            return cls()
        try:
            at = dt.datetime.fromisoformat(raw["at"]) if isinstance(raw.get("at"), str) else None
        except ValueError:
            at = None
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        topic = raw.get("topic") if isinstance(raw.get("topic"), str) else None
        return cls(topic, Slots.from_json(raw.get("last")), Slots.from_json(raw.get("stated")), at)
