"""Answer feedback in the store's "feedback" table: 👍/👎 votes and questions answered without confidence.

A record is `{"kind": "vote"|"unanswered", "vote": "up"|"down"|None, "question", "topic",
"confident", "team", "user", "at"}`. A vote is keyed by the message and the user, so voting
again replaces the earlier vote.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable
from typing import Any

from bot.slack.text import unescape
from bot.store import Store
from dialogs.replies import Reply

TABLE = "feedback"
_counter = itertools.count()


class FeedbackLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record_unanswered(self, team: str, user: str, reply: Reply, now: dt.datetime) -> None:
        key = f"unanswered:{team}:{user}:{now.isoformat()}:{next(_counter)}"
        self.store.put(
            TABLE,
            key,
            {
                "kind": "unanswered",
                "vote": None,
                "question": reply.question or "",
                "topic": reply.topic,
                "confident": False,
                "team": team,
                "user": user,
                "at": now.isoformat(),
            },
        )

    def record_vote(self, team: str, user: str, where: str, vote: str, value: str, now: dt.datetime) -> None:
        """Store a 👍/👎 vote; `value` is the button value (JSON with q, t, c), `where` the message."""
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        self.store.put(
            TABLE,
            f"vote:{team}:{user}:{where}",
            {
                "kind": "vote",
                "vote": vote,
                "question": unescape(str(data.get("q") or "")),
                "topic": data.get("t"),
                "confident": bool(data.get("c", True)),
                "team": team,
                "user": user,
                "at": now.isoformat(),
            },
        )


def records(store: Store) -> list[dict[str, Any]]:
    return [v for _, v in store.items(TABLE) if isinstance(v, dict)]


def summarise(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Unanswered and disliked questions, most frequent first, plus vote counts."""
    unanswered: dict[str, dict[str, Any]] = {}
    disliked: dict[str, dict[str, Any]] = {}
    up = down = 0
    for item in items:
        question = str(item.get("question") or "").strip()
        if item.get("kind") == "vote":
            if item.get("vote") == "up":
                up += 1
                continue
            down += 1
            target = disliked
        elif item.get("kind") == "unanswered":
            target = unanswered
        else:
            continue
        if not question:
            continue
        entry = target.setdefault(
            question.casefold(), {"question": question, "topic": item.get("topic"), "count": 0, "last": ""}
        )
        entry["count"] += 1
        entry["last"] = max(entry["last"], str(item.get("at") or ""))

    def ordered(group: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(group.values(), key=lambda e: (-e["count"], e["question"].casefold()))

    return {
        "unanswered": ordered(unanswered),
        "disliked": ordered(disliked),
        "votes": {"up": up, "down": down},
    }
