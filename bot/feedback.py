"""Answer feedback in the store's "feedback" records: 👍/👎 votes and questions answered without confidence.

A record is `{"kind": "vote"|"unanswered", "vote": "up"|"down"|None, "question", "topic",
"confident", "channel", "team", "user", "at"}`. A vote is keyed by the message and the user, so
voting again replaces the earlier vote. The channel reads its own button values; this log only
stores what it is given.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from bot.state import Address
from bot.storage import Storage
from dialogs.replies import Reply

TABLE = "feedback"


class FeedbackLog:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @staticmethod
    def _who(address: Address) -> dict[str, str]:
        return {"channel": address.channel, "team": address.team, "user": address.user}

    def record_unanswered(self, address: Address, reply: Reply, now: dt.datetime) -> None:
        key = f"unanswered:{address.key}:{now.isoformat()}:{uuid.uuid4().hex[:8]}"
        record = {"kind": "unanswered", "vote": None, "question": reply.question or "", "topic": reply.topic}
        self.storage.put(
            TABLE, key, {**record, "confident": False, **self._who(address), "at": now.isoformat()}
        )

    def record_vote(
        self,
        address: Address,
        where: str,
        vote: str,
        question: str,
        topic: str | None,
        confident: bool,
        now: dt.datetime,
    ) -> None:
        """Store a 👍/👎 vote on the answer to `question` shown at `where` (a message)."""
        record = {"kind": "vote", "vote": vote, "question": question, "topic": topic, "confident": confident}
        self.storage.put(
            TABLE, f"vote:{address.key}:{where}", {**record, **self._who(address), "at": now.isoformat()}
        )


def records(storage: Storage) -> list[dict[str, Any]]:
    return [v for _, v in storage.items(TABLE) if isinstance(v, dict)]


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
