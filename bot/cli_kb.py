"""`toimintamalli kb list|validate|feedback`: the knowledge entries, their sources, data checks, feedback."""

from __future__ import annotations

import json
import sys

from bot.texts import text
from knowledge.loader import load_knowledge


def run_kb(command: str, as_json: bool) -> int:
    if command == "feedback":
        from bot.cli_kb_feedback import run_feedback

        return run_feedback(as_json)
    kb = load_knowledge()  # raises KnowledgeError naming file, entry and field
    if command == "validate":
        from knowledge.answering import Answerer

        answerer = Answerer(kb)
        for entry in kb.entries:  # every template renders with and without entities
            answerer.renderer.render_entry(entry)
        cited = {dia for entry in kb.entries for dia in entry.sources}
        missing = [s.dia for s in kb.slides.values() if s.content and s.dia not in cited]
        sizes = (kb.entries, kb.investments, kb.counties, kb.deadlines, kb.slides)
        counts = dict(
            zip(("entries", "investments", "counties", "deadlines", "slides"), map(len, sizes), strict=True)
        )
        print(text("cli", "kb_ok", **counts))
        if missing:
            print(text("cli", "kb_uncited", slides=", ".join(map(str, missing))), file=sys.stderr)
            return 1
        return 0
    rows = [
        {
            "id": e.id,
            "title": e.title,
            "sources": [{"dia": d, "title": kb.slide_title(d)} for d in e.sources],
        }
        for e in kb.entries
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            dias = ", ".join(str(s["dia"]) for s in row["sources"])  # type: ignore[index]
            print(f"{row['id']:<28} {row['title']}  (diat {dias})")
    return 0
