"""How the shared scorers judge an answer against a case (../shared/eval/score.py), for the tests that
score question sets in-process."""

from __future__ import annotations

import re
from typing import Any

DASHES = dict.fromkeys(map(ord, "\u2013\u2014\u2011\u2010\u2212"), "-")


def norm(text: str) -> str:
    """Case, dashes, Slack emphasis markers and spaces around , ( ) do not matter."""
    text = text.translate(DASHES).replace("\u00a0", " ").replace("\u00ad", "")
    text = re.sub(r"[*_`~]", "", text.lower())
    return re.sub(r"\s*([,()])\s*", r"\1", re.sub(r"\s+", " ", text)).strip()


def passes(case: dict[str, Any], answer: str, confident: bool) -> bool:
    """A context turn passes; out of scope must not be confident; else confident, every "all" group
    matched and no "none" text present."""
    if case.get("context"):
        return True
    if case.get("oos"):
        return not confident
    shown = norm(answer)
    return (
        confident
        and all(any(norm(alt) in shown for alt in group) for group in case.get("all", []))
        and not any(norm(bad) in shown for bad in case.get("none", []))
    )
