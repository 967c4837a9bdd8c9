"""Renders answers, declines, help and command messages from the jinja2 templates in templates/."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from knowledge.answering import Answer, AnswerSource
from knowledge.loader import KnowledgeBase
from knowledge.models import Entry, Investment
from knowledge.rules import combined_tag

if TYPE_CHECKING:
    from knowledge.decide import Decision
    from knowledge.search import Analysis

TEMPLATES = Path(__file__).parent / "templates"
MAX_SLIDES_IN_TEXT = 4


def fmt_date(value: dt.date) -> str:
    """31.12.2025 (the guide's format, no leading zeros)."""
    return f"{value.day}.{value.month}.{value.year}"


def join_fi(items: list[str]) -> str:
    """'a', 'a ja b', 'a, b ja c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " ja " + items[-1]


def slides_line(slides: list[int]) -> str:
    shown = slides[:MAX_SLIDES_IN_TEXT]
    if len(shown) == 1:
        return f"Lähde: ohje, dia {shown[0]}"
    return "Lähde: ohje, diat " + join_fi([str(s) for s in shown])


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
        counts: dict[int, int] = {}
        for sources in [*(i.sources for i in kb.investments.values()), kb.common.valmennus.sources]:
            for dia in set(sources):
                counts[dia] = counts.get(dia, 0) + 1
        self._specific_slides = {dia for dia, n in counts.items() if n == 1}  # one investment's own slides

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one renderer per process
    def _template(self, entry_id: str) -> jinja2.Template:
        entry = self.kb.entry(entry_id)
        if entry.template:
            return self.env.get_template(entry.template)
        return self.env.from_string(entry.answer or "")

    def _context(self, analysis: Analysis | None) -> dict[str, Any]:
        kb = self.kb
        ent = analysis.entities if analysis else None
        codes = list(ent.investments) if ent else []
        invs: list[Investment] = [kb.investments[c] for c in codes]
        area = ent.area if ent else None
        region = kb.contacts.region(area) if area else None
        return {
            "kb": kb,
            "common": kb.common,
            "contacts": kb.contacts,
            "invs": invs,
            "codes": codes,
            "all_invs": list(kb.investments.values()),
            "valmennus": bool(ent and ent.valmennus),
            "county": ent.county if ent else None,
            "area": area,
            "region": region,
            "explicit": bool(ent and ent.explicit_investment),
        }

    def _sources(self, entry: Entry, analysis: Analysis) -> list[int]:
        ent = analysis.entities
        if "investment" not in entry.needs or not ent.investments:
            return list(entry.sources)
        relevant: set[int] = set()
        for code in ent.investments:
            relevant.update(self.kb.investments[code].sources)
        if ent.valmennus:
            relevant.update(self.kb.common.valmennus.sources)
        # keep common slides and the asked investments' slides; drop slides of other investments
        narrowed = [s for s in entry.sources if s in relevant or s not in self._specific_slides]
        return narrowed or list(entry.sources)

    def render_entry(self, entry: Entry, analysis: Analysis | None = None) -> str:
        return self._template(entry.id).render(**self._context(analysis)).strip()

    def render(self, question: str, analysis: Analysis, decision: Decision) -> Answer:
        suggestions = [s.questions[0] if s.questions else s.title for s in decision.suggestions]
        if decision.entry is None:
            text = self.env.get_template("decline.j2").render(
                reason=decision.reason,
                out_of_scope=decision.out_of_scope,
                suggestions=suggestions,
                contacts=self.kb.contacts,
            )
            return Answer(answer=text.strip(), confident=False, topic=None, suggestions=suggestions)
        entry = decision.entry
        body = self.render_entry(entry, analysis)
        slides = self._sources(entry, analysis)
        if decision.also is not None:
            body += "\n\n" + self.render_entry(decision.also, analysis)
            slides += [s for s in self._sources(decision.also, analysis) if s not in slides]
        text = self.env.get_template("answer.j2").render(
            body=body, slides=slides_line(slides), link=entry.link
        )
        return Answer(
            answer=text.strip(),
            confident=decision.confident,
            topic=entry.id,
            sources=[AnswerSource(dia=s, title=self.kb.slide_title(s)) for s in slides],
            suggestions=suggestions if not decision.confident else [],
        )


def render_help(kb: KnowledgeBase, channel: str) -> str:
    return environment().get_template("help.j2").render(channel=channel, kb=kb).strip()
