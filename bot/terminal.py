"""`toimintamalli chat`: the assistant in the terminal (questions, check dialog, reminders) without Slack."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
import uuid
from typing import TextIO

from bot.channels import open_store
from bot.settings import load_settings
from bot.state import Address
from bot.texts import text as bot_text
from bot.turns import TurnPipeline
from dialogs import perustiedot
from dialogs.context import default_context
from dialogs.replies import Reply, without_bold
from knowledge.rules import default_rules

CHANNEL = "terminal"
CONVERSATION = "terminal"  # one conversation: the terminal session's questions follow each other


def render_reply(reply: Reply) -> str:
    """Plain-text rendering of one reply: text, numbered choices and suggestions."""
    lines = [without_bold(reply.text)]
    if reply.choices:
        hint = " (voit valita useamman pilkulla erotettuna)" if reply.multi else ""
        lines.append("")
        lines.extend(f"  {i}) {choice.label}" for i, choice in enumerate(reply.choices, start=1))
        if hint:
            lines.append(hint.strip())
    if reply.kind == "summary" and reply.data is not None and "{" not in reply.text:
        lines.append(json.dumps(reply.data, ensure_ascii=False, indent=2))
    return "\n".join(lines)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "terminal"


def turn_json(replies: list[Reply]) -> dict[str, object]:
    """One turn as the `chat --json` object: all text shown, and the answer's confidence, topic and slides."""
    answers = [r for r in replies if r.kind == "answer"]
    summary = next((r for r in replies if r.kind == "summary" and r.data is not None), None)
    shown = [render_reply(r) for r in replies]
    result: dict[str, object] = {
        "answer": "\n\n".join(shown),
        "confident": all(r.confident for r in answers),
        "topic": next((r.topic for r in answers if r.topic), None),
        "sources": [{"dia": s.dia, "title": s.title} for r in answers for s in r.sources],
        "suggestions": [s for r in answers for s in r.suggestions],
    }
    if summary is not None:
        result["data"] = summary.data
    return result


def run_chat(stdin: TextIO | None = None, stdout: TextIO | None = None, as_json: bool = False) -> int:
    """The terminal conversation; with `as_json`, exactly one JSON line for every input line."""
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    settings = load_settings()
    ctx = default_context(settings.tz, channel="terminal")
    address = Address(channel=CHANNEL, user=_user())
    session = uuid.uuid4().hex  # a check draft from an earlier run is offered for resuming first
    interactive = source.isatty() and not as_json
    with open_store(settings) as store:
        turns = TurnPipeline(store, ctx, clock=lambda: dt.datetime.now(dt.UTC))
        if not as_json:
            out.write(bot_text("terminal", "welcome") + "\n")
        while True:
            if interactive:
                out.write("\n> ")
                out.flush()
            line = source.readline()
            if not line:
                break
            text = line.rstrip("\n")
            if text.strip().lower() in default_rules().words_for("exit"):
                kept = perustiedot.draft_kept(turns.state(address))
                goodbye = bot_text("terminal", "goodbye")
                bye = f"{kept}\n{goodbye}" if kept else goodbye
                if as_json:
                    out.write(
                        json.dumps({"answer": bye, "confident": True, "topic": None}, ensure_ascii=False)
                        + "\n"
                    )
                elif kept:
                    out.write(kept + "\n")
                break
            replies = turns.run(address, text, CONVERSATION, session=session).replies
            if as_json:
                out.write(json.dumps(turn_json(replies), ensure_ascii=False) + "\n")
            else:
                for reply in replies:
                    out.write(render_reply(reply) + "\n\n")
            out.flush()
        if not as_json:
            out.write(bot_text("terminal", "goodbye") + "\n")
    return 0
