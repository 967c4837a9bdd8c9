"""Renders answers, declines, help and command messages from the jinja2 templates in templates/."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from knowledge.answer import Answer, AnswerSource
from knowledge.conversation import Slots
from knowledge.decide import Decision
from knowledge.loader import KnowledgeBase
from knowledge.models import Entry, Investment
from knowledge.rules import combined_tag

TEMPLATES = Path(__file__).parent / "templates"
MAX_SLIDES_IN_TEXT = 8


def fmt_date(value: dt.date) -> str:
    """31.12.2025 (the guide's format, no leading zeros)."""
    return f"{value.day}.{value.month}.{value.year}"


def join_fi(items: list[str]) -> str:
    """'a', 'a ja b', 'a, b ja c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {_conjunction()} " + items[-1]


@functools.cache
def _conjunction() -> str:
    return render_message("words.j2", "conjunction")


@dataclass(frozen=True)
class _Plain:
    """An answer without template syntax, rendered as it is."""

    text: str

    def render(self, **_values: Any) -> str:
        return self.text


def slides_fi(slides: list[int]) -> str:
    """'dia 9', 'diat 8 ja 9' (inline, in an answer that covers several investments)."""
    return render_message("words.j2", "slides_inline", slides=list(slides))


def slides_line(slides: list[int]) -> str:
    """'Lähde: ohje, dia 9' under an answer."""
    return render_message("words.j2", "source_line", slides=list(slides))


@functools.cache
def environment() -> jinja2.Environment:
    """The one jinja2 environment for every template under knowledge/templates (plain text, strict)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        auto_reload=False,  # templates ship with the package; no file check per answer
        autoescape=False,  # plain text; each channel escapes for its medium
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["date"] = fmt_date
    env.filters["slides"] = slides_fi
    env.globals.update(combined_tag=combined_tag, join_fi=join_fi)
    return env


def render_message(template: str, message: str, /, **values: Any) -> str:
    """One message (a macro) of a template file such as reminders.j2, filled in and stripped."""
    macro = getattr(environment().get_template(template).module, message)
    return str(macro(**values)).strip()


class Renderer:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.env = environment()
        owners: dict[int, set[str]] = {}
        for inv in kb.investments.values():
            for dia in inv.sources:
                owners.setdefault(dia, set()).add(inv.code)
        for dia in kb.common.valmennus.sources:
            owners.setdefault(dia, set()).add("P4I1")  # the valmennus is part of investment 1
        self._owners = owners  # slide -> investments whose own slide it is

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one renderer per process
    def _template(self, entry_id: str) -> jinja2.Template | _Plain:
        entry = self.kb.entry(entry_id)
        if entry.template:
            return self.env.get_template(entry.template)
        text = entry.answer or ""
        if "{" not in text:  # most answers are plain text: no template to compile at start-up
            return _Plain(text)
        return self.env.from_string(text)

    def _context(self, slots: Slots | None, today: dt.date | None) -> dict[str, Any]:
        kb = self.kb
        codes = list(slots.investments) if slots else []
        invs: list[Investment] = [kb.investments[c] for c in codes]
        area = slots.area if slots else None
        return {
            "kb": kb,
            "common": kb.common,
            "contacts": kb.contacts,
            "invs": invs,
            "codes": codes,
            "all_invs": list(kb.investments.values()),
            "valmennus": bool(slots and slots.valmennus),
            "county": kb.county(slots.county) if slots and slots.county else None,
            "area": area,
            "region": kb.contacts.region(area) if area else None,
            "explicit": bool(codes),
            "today": today,
        }

    def _about(self, slots: Slots) -> dict[str, Any]:
        """What the conversation messages need of the entities."""
        values = self._context(slots, None)
        return {k: values[k] for k in ("invs", "county", "area", "valmennus")}

    def _specific(self, dia: int) -> set[str]:
        """The investments a slide belongs to, when it is the slide of one investment only."""
        owners = self._owners.get(dia, set())
        return owners if len(owners) == 1 else set()

    def sources(self, entry: Entry, slots: Slots) -> list[int]:
        """The entry's slides for these entities: the asked investments' own slides first, others dropped."""
        if not set(entry.needs) & {"investment", "valmennus"} or not (slots.investments or slots.valmennus):
            return list(entry.sources)
        asked = set(slots.investments) | ({"P4I1"} if slots.valmennus else set())
        own = [s for s in entry.sources if self._specific(s) & asked]
        if slots.valmennus:
            own = [s for s in entry.sources if s in self.kb.common.valmennus.sources] + own
        shared = [s for s in entry.sources if not self._specific(s)]
        ordered = list(dict.fromkeys(own + shared))
        return ordered or list(entry.sources)

    def render_entry(self, entry: Entry, slots: Slots | None = None, today: dt.date | None = None) -> str:
        return self._template(entry.id).render(**self._context(slots, today)).strip()

    def render(self, decision: Decision, today: dt.date) -> Answer:
        suggestions = [s.questions[0] if s.questions else s.title for s in decision.suggestions]
        if decision.reason == "context":
            text = render_message("conversation.j2", "noted", **self._about(decision.slots))
            return Answer(answer=text, confident=True, topic=None)
        if decision.entry is None:
            text = self.env.get_template("decline.j2").render(
                reason=decision.reason,
                out_of_scope=decision.out_of_scope,
                suggestions=suggestions,
                contacts=self.kb.contacts,
            )
            return Answer(answer=text.strip(), confident=False, topic=None, suggestions=suggestions)
        entry = decision.entry
        bodies = [self.render_entry(entry, slots, today) for slots in (decision.slots, *decision.places)]
        slides = self.sources(entry, decision.slots)[:MAX_SLIDES_IN_TEXT]
        for other in decision.also:
            bodies.append(self.render_entry(other, decision.slots, today))
            slides += [s for s in self.sources(other, decision.slots)[:2] if s not in slides]
        remembered = render_message(
            "conversation.j2",
            "remembered",
            kinds=sorted(decision.remembered),
            **self._about(decision.slots),
        )
        text = self.env.get_template("answer.j2").render(
            remembered=remembered, body="\n\n".join(bodies), slides=slides_line(slides), link=entry.link
        )
        return Answer(
            answer=text.strip(),
            confident=decision.confident,
            topic=entry.id,
            sources=[AnswerSource(dia=s, title=self.kb.slide_title(s)) for s in slides],
            suggestions=[],
        )


def render_help(kb: KnowledgeBase, channel: str, today: dt.date | None = None) -> str:
    return environment().get_template("help.j2").render(channel=channel, kb=kb, today=today).strip()
