"""The outbox of kept replies on a shared store: per destination in order, whichever process sends, and
each try sent by one process only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bot.slack.outbox import DeliveryError, Outbox
from bot.slack.render import Outgoing
from bot.storage.sqlite import SqliteStorage

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


class Recorder:
    """A destination that records what it is given and refuses while `refusing` (as a 503 would)."""

    def __init__(self, posted: list[tuple[str, str]], refusing: set[str]) -> None:
        self.posted = posted
        self.refusing = refusing

    def __call__(self, address: dict[str, Any]) -> Any:
        recorder = self

        class Destination:
            def post(self, message: Outgoing) -> None:
                if address["channel"] in recorder.refusing:
                    raise DeliveryError("service_unavailable", retryable=True, retry_after=1)
                recorder.posted.append((address["channel"], message.text))

        return Destination()


def test_kept_replies_go_out_in_order_per_destination_and_once(tmp_path: Path) -> None:
    store = SqliteStorage(tmp_path / "store.sqlite")
    first, second = Outbox(store), Outbox(store)  # two processes' outboxes on one store
    for n, channel in enumerate(["D1", "D1", "D2"]):
        first.keep({"kind": "channel", "channel": channel}, [Outgoing(text=f"{channel}-{n}")], 0, NOW)
    posted: list[tuple[str, str]] = []
    refusing = {"D1"}
    later = NOW + dt.timedelta(seconds=1)
    assert first.send_due(Recorder(posted, refusing), later) == 1  # D2 goes; D1's first is refused
    assert second.send_due(Recorder(posted, set()), later) == 0  # D1's second waits for its first
    refusing.clear()
    much_later = NOW + dt.timedelta(minutes=5)
    sent = second.send_due(Recorder(posted, refusing), much_later) + first.send_due(
        Recorder(posted, refusing), much_later
    )
    assert sent == 2 and posted == [("D2", "D2-2"), ("D1", "D1-0"), ("D1", "D1-1")]
    assert store.items("outbox") == []
    store.close()
