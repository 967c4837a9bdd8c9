"""What a turn may use besides the state and the input: the knowledge base, the answerer, the time zone."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from knowledge.answering import Answerer
from knowledge.loader import KnowledgeBase


@dataclass(frozen=True)
class Context:
    kb: KnowledgeBase
    answerer: Answerer
    tz: ZoneInfo
    channel: str = "terminal"  # "terminal" or "slack": wording of hints may differ


def default_context(tz: ZoneInfo | None = None, channel: str = "terminal") -> Context:
    from knowledge.loader import default_knowledge

    kb = default_knowledge()
    zone = tz or ZoneInfo("Europe/Helsinki")
    return Context(kb=kb, answerer=Answerer(kb, zone), tz=zone, channel=channel)
