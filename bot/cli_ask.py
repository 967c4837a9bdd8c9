"""`toimintamalli ask`: answers one question, or one per stdin line; `--json` gives the DESIGN.md object."""

from __future__ import annotations

import json
import sys

from bot.settings import load_settings
from knowledge.answering import Answerer
from knowledge.loader import default_knowledge


def run_ask(words: list[str], as_json: bool) -> int:
    answerer = Answerer(default_knowledge(), load_settings().tz)

    def emit(question: str) -> None:
        result = answerer.answer(question)
        if as_json:
            sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(result.answer + "\n\n")
        sys.stdout.flush()

    if words:
        emit(" ".join(words))
        return 0
    for line in sys.stdin:
        emit(line.rstrip("\n"))
    return 0
