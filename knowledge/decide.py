"""Second step of answering: from an analysis and the conversation so far, choose what to answer.

The decision names the topic (and any second topic the question also asks), the entities the answer is
filled in with (from the question, else from a follow-up's previous turn or what the user stated), and
whether the assistant is sure enough to answer; otherwise it declines with suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from knowledge.analyse import Analysis
from knowledge.classify import OOS, Scored
from knowledge.conversation import ConversationContext, Slots
from knowledge.entities import Entities
from knowledge.loader import KnowledgeBase
from knowledge.models import INVESTMENT_CODES, Entry, OutOfScope

CONFIDENT = 0.34  # blended score a topic needs to be answered
OOS_MARGIN = 0.1  # ... and it must beat the nearest not-in-the-guide example by this much
UNKNOWN_FACTOR = 1.25  # a question with mostly unknown words needs a clearer match
FOLLOWUP_CONFIDENT = 0.15  # a short, unclear question this near the previous topic continues it
NEW_TOPIC_IN_FOLLOWUP = 0.45  # "entä …" starts another topic only when that topic is this clear
SHORT_QUESTION = 4  # content words
NEW_TOPIC_MARGIN = 0.08  # "entä ilmiöt?" starts another topic when it beats the previous one by this much
REFERS_BACK_MARGIN = 0.15  # … and "kuka sinne liittää?" (a pronoun for the previous answer) by this much
UNCOVERED_SHARE = 0.7  # when this share of a question's words is foreign to its best topic …
UNCOVERED_CLEAR = 0.6  # … the topic must match at least this clearly (else it is a near miss)
PART_CONFIDENT = 0.36  # a part of a two-part question must be this clear to add its topic
MAX_TOPICS = 3
EXCEPT_CLEAR = 0.5  # a declined category's except_topic answers when it is this clear
FITS_ENTITY_MARGIN = 0.12  # a topic that uses the question's investment wins over one this much ahead
SUGGESTION_FLOOR = 0.15
DEFAULT_SUGGESTIONS = ("nimeaminen", "kokonaisuudet", "aikataulu")


@dataclass(frozen=True)
class Decision:
    entry: Entry | None
    confident: bool
    reason: str  # "match", "followup", "entity", "context", "out_of_scope", "unknown", "empty"
    slots: Slots = field(default_factory=Slots)
    remembered: frozenset[str] = frozenset()  # slot kinds filled from what the user stated earlier
    also: tuple[Entry, ...] = ()  # further topics the same question asks about
    suggestions: tuple[Entry, ...] = ()
    out_of_scope: OutOfScope | None = None
    context: ConversationContext = field(default_factory=ConversationContext)
    places: tuple[Slots, ...] = ()  # the other counties a question names, each answered too


def slots_of(entities: Entities) -> Slots:
    return Slots(
        investments=tuple(entities.investments),
        county=entities.county.name if entities.county else None,
        area=entities.area,
        valmennus=entities.valmennus,
    )


def _merge(base: Slots, new: Slots) -> Slots:
    """`base` with whatever `new` names replaced (a county brings its own area)."""
    county = new.county if new.county else (None if new.area and new.area != base.area else base.county)
    return Slots(
        investments=new.investments or base.investments,
        county=county,
        area=new.area or base.area,
        valmennus=new.valmennus or (base.valmennus and not new.investments),
    )


def _fill(entry: Entry, own: Slots, fallback: Slots) -> tuple[Slots, set[str]]:
    """The entities an entry is answered with: the question's own, then `fallback` for what it needs."""
    used: set[str] = set()
    investments, county, area, valmennus = own.investments, own.county, own.area, own.valmennus
    needs = set(entry.needs)
    if "investment" in needs and not investments and fallback.investments:
        investments, used = fallback.investments, used | {"investment"}
    if "valmennus" in needs and not valmennus and fallback.valmennus and not own.investments:
        valmennus, used = True, used | {"valmennus"}
    if needs & {"county", "area"} and not (county or area) and (fallback.county or fallback.area):
        county, area, used = fallback.county, fallback.area, used | {"place"}
    return Slots(investments, county, area, valmennus), used


def _best(ranked: list[Scored]) -> Scored | None:
    return next((s for s in ranked if s.label != OOS), None)


def _other_entity(kb: KnowledgeBase, label: str, own: Slots, last: Slots) -> bool:
    """A topic that exists for one entity only (the valmennus' own kokonaisuus) when the question, or
    the conversation it continues, is about another investment."""
    if label == OOS or kb.entry(label).needs != ["valmennus"] or own.valmennus:
        return False
    investments = own.investments or last.investments
    return bool(investments) and "P4I1" not in investments


def _fitting(
    kb: KnowledgeBase, analysis: Analysis, ranked: list[Scored], best: Scored | None, known: Slots
) -> Scored | None:
    """A question that names an investment ("milloin I2:n piti olla valmis?"), or is asked after the
    user told theirs, is about a topic the investment changes, when such a topic is nearly as close."""
    named = analysis.entities.investments and analysis.entities.explicit_investment
    if best is None or not (named or known.investments):
        return best
    if "investment" in kb.entry(best.label).needs:
        return best
    for scored in ranked:
        if scored.score < best.score - FITS_ENTITY_MARGIN:
            break
        if scored.label != OOS and "investment" in kb.entry(scored.label).needs:
            return scored
    return best


def decide(kb: KnowledgeBase, analysis: Analysis, ctx: ConversationContext) -> Decision:
    """`ctx` is the conversation as seen at this turn (already emptied if it was too old).

    The returned context has no time stamp; the answerer, which knows the time, adds it.
    """
    own = slots_of(analysis.entities)
    earlier = ctx.last.investments or ctx.stated.investments
    if analysis.adds and own.investments and earlier and not analysis.corrects:
        joined = {*earlier, *own.investments}
        own = replace(own, investments=tuple(c for c in INVESTMENT_CODES if c in joined))
    stated = _merge(ctx.stated, own) if analysis.states_context or analysis.corrects else ctx.stated

    def declined(reason: str, item: OutOfScope | None = None, related: bool = True) -> Decision:
        kept = ConversationContext(ctx.topic, ctx.last, stated)
        return Decision(
            None,
            False,
            reason,
            suggestions=_suggestions(kb, analysis, related),
            out_of_scope=item,
            context=kept,
        )

    ranked = [s for s in analysis.ranked if not _other_entity(kb, s.label, own, ctx.last)]
    best = _fitting(kb, analysis, ranked, _best(ranked), stated)
    oos = analysis.score(OOS)
    if analysis.out_of_scope:
        item = next(o for o in kb.out_of_scope if o.id == analysis.out_of_scope)
        covered = (
            best is not None
            and best.label in item.except_topics
            and best.score >= EXCEPT_CLEAR
            and best.score >= oos + OOS_MARGIN
        )
        if not covered:
            return declined("out_of_scope", item, related=False)
    unknown_ratio = len(analysis.unknown_tokens) / max(1, len(analysis.content_tokens))
    needed = CONFIDENT * (UNKNOWN_FACTOR if unknown_ratio >= 0.5 else 1.0)
    foreign = analysis.foreign
    own_sure = (
        best is not None
        and best.score >= needed
        and best.score >= oos + OOS_MARGIN
        and not (foreign >= UNCOVERED_SHARE and best.score < UNCOVERED_CLEAR)
    )
    tells = analysis.tells and not own_sure and not analysis.states_context
    if tells:
        stated = _merge(ctx.stated, own)
    chosen: Entry | None = kb.entry(best.label) if own_sure and best else None
    reason = "match"
    previous = kb.entry(ctx.topic) if ctx.topic else None
    if previous is not None:
        kept_score = analysis.score(previous.id)
        short = len(analysis.content_tokens) <= SHORT_QUESTION
        leans_back = (
            analysis.followup
            or analysis.refers_back
            or not analysis.topic_words
            or (short and not own_sure and kept_score >= FOLLOWUP_CONFIDENT and kept_score > oos)
        )
        if leans_back:
            margin = (
                REFERS_BACK_MARGIN if analysis.refers_back and not analysis.followup else NEW_TOPIC_MARGIN
            )
            new_topic = (
                own_sure
                and best is not None
                and best.label != previous.id
                and bool(analysis.topic_words)
                and best.score >= kept_score + margin
                and (best.score >= NEW_TOPIC_IN_FOLLOWUP or not analysis.followup)
            )
            if not new_topic and not (oos >= CONFIDENT and oos > kept_score):
                chosen, reason = previous, "followup"
    if chosen is None and (analysis.states_context or tells) and not own_sure and not analysis.asks:
        return Decision(
            None, True, "context", slots=stated, context=ConversationContext(ctx.topic, ctx.last, stated)
        )
    if chosen is None and not analysis.topic_words and analysis.entities.any:
        if analysis.entities.investments and analysis.entities.explicit_investment:
            chosen, reason = kb.entry("investointi"), "entity"
        elif analysis.entities.county or analysis.entities.area:
            chosen, reason = kb.entry("kehittamispaallikot"), "entity"
    also = _also(kb, analysis, chosen)
    if chosen is None and also:
        chosen, also = also[0], also[1:]
    if chosen is None:
        if not analysis.content_tokens and not analysis.entities.any:
            return declined("empty", related=False)
        return declined("unknown")

    if analysis.numbered is not None and not {chosen.id, *(e.id for e in also)} & analysis.numbered:
        return declined("no_number")  # "kuinka monta merkkiä…": the topic has no number to give
    # "ja mikä aihealue siihen valitaan?": a new topic about what the previous turn was about
    leans_on_last = reason == "followup" or (analysis.refers_back and own.empty)
    fallback = _merge(stated, ctx.last) if leans_on_last else stated
    if reason == "followup":
        own = _merge(ctx.last, own) if own.empty or analysis.followup else own
    slots, used = _fill(chosen, own, fallback)
    remembered = frozenset(used) if not leans_on_last else frozenset(u for u in used if _from(stated, u))
    new_context = ConversationContext(chosen.id, slots, stated)
    # e.g. the development manager of a region the guide names nobody for: answered, but not known
    known = _known(kb, chosen, slots)
    places = (
        tuple(
            Slots(slots.investments, c.name, c.area, slots.valmennus)
            for c in analysis.entities.other_counties
        )
        if set(chosen.needs) & {"county", "area"}
        else ()
    )
    known = known and all(_known(kb, chosen, place) for place in places)
    return Decision(chosen, known, reason, slots, remembered, tuple(also), (), None, new_context, places)


def _known(kb: KnowledgeBase, chosen: Entry, slots: Slots) -> bool:
    """False when the answer rests on a fact the guide leaves out for these entities."""
    if "manager" in chosen.requires and slots.area and not kb.contacts.region(slots.area).manager:
        return False
    if "contact" in chosen.requires and slots.investments and not (slots.valmennus or slots.area):
        return any(kb.investments[code].contacts for code in slots.investments)
    return True


def _from(stated: Slots, kind: str) -> bool:
    return bool(
        (kind == "investment" and stated.investments)
        or (kind == "place" and (stated.county or stated.area))
        or (kind == "valmennus" and stated.valmennus)
    )


def _also(kb: KnowledgeBase, analysis: Analysis, chosen: Entry | None) -> list[Entry]:
    """Topics of the other parts of a question that asks several things."""
    found: list[Entry] = []
    for part in analysis.parts:
        best = _best(part.ranked)
        oos = next((s.score for s in part.ranked if s.label == OOS), 0.0)
        if best is None or best.score < PART_CONFIDENT or best.score < oos + OOS_MARGIN:
            continue
        entry = kb.entry(best.label)
        if entry is not chosen and entry not in found:
            found.append(entry)
    return found[: MAX_TOPICS - 1]


def _suggestions(kb: KnowledgeBase, analysis: Analysis, related: bool) -> tuple[Entry, ...]:
    chosen: list[Entry] = []
    for scored in analysis.ranked if related else []:
        if scored.score < SUGGESTION_FLOOR:
            break
        if scored.label != OOS:
            chosen.append(kb.entry(scored.label))
        if len(chosen) == 3:
            return tuple(chosen)
    for entry_id in DEFAULT_SUGGESTIONS:
        entry = kb.entry(entry_id)
        if entry not in chosen:
            chosen.append(entry)
    return tuple(chosen[:3])
