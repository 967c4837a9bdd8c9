"""Chooses the entry that answers a question, or decides to decline, from a search analysis."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.loader import KnowledgeBase
from knowledge.models import Entry, OutOfScope
from knowledge.search import Analysis, Hit, Searcher

MAX_UNKNOWN_RATIO = 0.5
DEFAULT_SUGGESTIONS = ("nimeaminen", "kokonaisuudet", "aikataulu")
SECOND_TOPIC_RATIO = 0.6
MIN_SUGGESTION_SCORE = 1.5
QUESTION_WORDS = re.compile(
    r"(?<![a-zåäö])(?:miten|mikä|mitkä|mitä|mihin|milloin|kuka|ketkä|keneen|kenelle|montako|kuinka|koska|missä|"
    r"how|what|when|who|which|where)(?![a-zåäö])"
)


@dataclass(frozen=True)
class Decision:
    entry: Entry | None
    confident: bool
    reason: str  # "match", "entity", "out_of_scope", "unknown", "empty"
    suggestions: list[Entry] = field(default_factory=list)
    out_of_scope: OutOfScope | None = None
    also: Entry | None = None  # a second topic the same question asks about


def _suggestions(
    kb: KnowledgeBase, analysis: Analysis, exclude: Entry | None = None, related: bool = True
) -> list[Entry]:
    """Up to three topics to offer: the closest ones when related, else the most asked ones."""
    chosen: list[Entry] = []
    for hit in analysis.hits if related else []:
        if hit.score < MIN_SUGGESTION_SCORE:
            break
        if hit.entry is not exclude and hit.entry not in chosen:
            chosen.append(hit.entry)
        if len(chosen) == 3:
            return chosen
    for entry_id in DEFAULT_SUGGESTIONS:
        entry = kb.entry(entry_id)
        if entry not in chosen and entry is not exclude:
            chosen.append(entry)
    return chosen[:3]


def _second_topic(analysis: Analysis, best: Hit) -> Entry | None:
    """A second entry for a question that asks two things ("milloin … ja mikä aihealue …")."""
    if len(analysis.hits) < 2 or len(QUESTION_WORDS.findall(analysis.folded)) < 2:
        return None
    second = analysis.hits[1]
    if second.score >= max(Searcher.MIN_SCORE, SECOND_TOPIC_RATIO * best.score):
        return second.entry
    return None


def decide(kb: KnowledgeBase, analysis: Analysis) -> Decision:
    ent = analysis.entities
    if analysis.out_of_scope:
        item = next(o for o in kb.out_of_scope if o.id == analysis.out_of_scope)
        return Decision(None, False, "out_of_scope", _suggestions(kb, analysis, related=False), item)
    if not analysis.content_tokens and not ent.any:
        return Decision(None, False, "empty", _suggestions(kb, analysis, related=False))
    unknown_ratio = len(analysis.unknown_tokens) / max(1, len(analysis.content_tokens))
    best = analysis.hits[0] if analysis.hits else None
    # half of the words unknown is enough only with a clearly strong match
    needed = Searcher.MIN_SCORE * (2 if unknown_ratio >= MAX_UNKNOWN_RATIO else 1)
    if unknown_ratio <= MAX_UNKNOWN_RATIO:
        if best and best.score >= needed:
            entry = best.entry
            return Decision(
                entry, True, "match", _suggestions(kb, analysis, entry), also=_second_topic(analysis, best)
            )
        if ent.investments and ent.explicit_investment:
            return Decision(kb.entry("investointi"), True, "entity", _suggestions(kb, analysis))
        if ent.area or ent.county:
            return Decision(kb.entry("kehittamispaallikot"), True, "entity", _suggestions(kb, analysis))
    return Decision(None, False, "unknown", _suggestions(kb, analysis))
