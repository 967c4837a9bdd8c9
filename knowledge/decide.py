"""Chooses the entry that answers a question, or decides to decline, from a search analysis."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.loader import KnowledgeBase
from knowledge.models import Entry, OutOfScope
from knowledge.search import Analysis, Searcher

MAX_UNKNOWN_RATIO = 0.5
DEFAULT_SUGGESTIONS = ("nimeaminen", "kokonaisuudet", "aikataulu")


@dataclass(frozen=True)
class Decision:
    entry: Entry | None
    confident: bool
    reason: str  # "match", "entity", "out_of_scope", "unknown", "empty"
    suggestions: list[Entry] = field(default_factory=list)
    out_of_scope: OutOfScope | None = None


def _suggestions(kb: KnowledgeBase, analysis: Analysis, exclude: Entry | None = None) -> list[Entry]:
    chosen: list[Entry] = []
    for hit in analysis.hits:
        if hit.entry is not exclude and hit.entry not in chosen:
            chosen.append(hit.entry)
        if len(chosen) == 3:
            return chosen
    for entry_id in DEFAULT_SUGGESTIONS:
        entry = kb.entry(entry_id)
        if entry not in chosen and entry is not exclude:
            chosen.append(entry)
    return chosen[:3]


def _prefer_entity_entry(analysis: Analysis, best_score: float) -> Entry | None:
    """When the question names a region/county, a close entry that uses it wins over a generic one."""
    ent = analysis.entities
    for hit in analysis.hits[:4]:
        if hit.score < best_score * 0.6:
            break
        if (ent.area or ent.county) and ("area" in hit.entry.needs or "county" in hit.entry.needs):
            return hit.entry
    return None


def decide(kb: KnowledgeBase, analysis: Analysis) -> Decision:
    ent = analysis.entities
    if analysis.out_of_scope:
        item = next(o for o in kb.out_of_scope if o.id == analysis.out_of_scope)
        return Decision(None, False, "out_of_scope", _suggestions(kb, analysis), item)
    if not analysis.content_tokens and not ent.any:
        return Decision(None, False, "empty", _suggestions(kb, analysis))
    unknown_ratio = len(analysis.unknown_tokens) / max(1, len(analysis.content_tokens))
    best = analysis.hits[0] if analysis.hits else None
    # half of the words unknown is enough only with a clearly strong match
    needed = Searcher.MIN_SCORE * (2 if unknown_ratio >= MAX_UNKNOWN_RATIO else 1)
    if unknown_ratio <= MAX_UNKNOWN_RATIO:
        if best and best.score >= needed:
            entry = _prefer_entity_entry(analysis, best.score) or best.entry
            return Decision(entry, True, "match", _suggestions(kb, analysis, entry))
        if ent.investments and ent.explicit_investment:
            return Decision(kb.entry("investointi"), True, "entity", _suggestions(kb, analysis))
        if ent.area or ent.county:
            return Decision(kb.entry("kehittamispaallikot"), True, "entity", _suggestions(kb, analysis))
    return Decision(None, False, "unknown", _suggestions(kb, analysis))
