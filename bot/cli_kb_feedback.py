"""`toimintamalli kb feedback [--json]`: questions the assistant could not answer and answers voted 👎.

Reads the store's "feedback" records (written by the channels, see bot.feedback) so the
maintainers of the guidance know what to add or fix. The store file is never created here.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bot.channels import open_store
from bot.feedback import records, summarise
from bot.settings import Settings, load_settings
from bot.texts import text


def _read(settings: Settings) -> dict[str, Any]:
    if not settings.database_url and not settings.db_path.exists():
        return summarise([])  # no store yet: none is created here
    with open_store(settings) as store:
        return summarise(records(store))


def _lines(title: str, entries: list[dict[str, Any]]) -> list[str]:
    lines = [f"{title} ({len(entries)}):"]
    if not entries:
        lines.append("  –")
    for entry in entries:
        topic = f" [{entry['topic']}]" if entry.get("topic") else ""
        lines.append(f"  {entry['count']:>3} × {entry['question']}{topic}  (viimeksi {entry['last'][:16]})")
    return lines


def run_feedback(as_json: bool) -> int:
    settings = load_settings()
    summary = _read(settings)
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return 0
    votes = summary["votes"]
    lines = [
        *_lines(text("cli", "feedback_unanswered"), summary["unanswered"]),
        "",
        *_lines(text("cli", "feedback_disliked"), summary["disliked"]),
        "",
        text("cli", "feedback_votes", up=votes["up"], down=votes["down"]),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
