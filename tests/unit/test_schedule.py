"""Pure reminder schedule: offsets, 09:00 local time across DST, catch-up window, subscription time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from dialogs.schedule import (
    CATCH_UP,
    OFFSETS,
    due_reminders,
    reminder_time,
    tracked_deadlines,
    upcoming_reminders,
)
from knowledge.loader import DATA_DIR
from knowledge.models import Deadline

HKI = ZoneInfo("Europe/Helsinki")
UTC = dt.UTC
CREATED = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def guide_deadlines() -> list[Deadline]:
    """The packaged deadlines file alone (independent of the other data files)."""
    raw = yaml.safe_load((DATA_DIR / "deadlines.yaml").read_text(encoding="utf-8"))
    return [Deadline.model_validate(item) for item in raw]


def personal(
    date: str, text: str = "Valmis-tila", created_at: str = CREATED, pid: str = "oma-1"
) -> dict[str, Any]:
    return {"reminders": {"personal": [{"id": pid, "date": date, "text": text, "created_at": created_at}]}}


def investment(code: str, created_at: str = CREATED) -> dict[str, Any]:
    return {"reminders": {"investments": {code: {"created_at": created_at}}}}


def deadline(date: str, investments: list[str] | None = None, did: str = "uusi") -> Deadline:
    return Deadline.model_validate(
        {
            "id": did,
            "date": date,
            "title": "Uusi määräaika",
            "what": "Kuvaus valmiiksi.",
            "investments": investments or [],
            "sources": [9],
        }
    )


def due(
    state: dict[str, Any], now: dt.datetime, deadlines: list[Deadline] | None = None
) -> list[tuple[str, int]]:
    return [(r.deadline_id, r.offset) for r in due_reminders([("T1:U1", state)], deadlines or [], now, HKI)]


@pytest.mark.parametrize("offset", OFFSETS)
def test_each_offset_is_due_at_nine_local(offset: int) -> None:
    state = personal("2026-12-20")
    at = dt.datetime.combine(dt.date(2026, 12, 20) - dt.timedelta(days=offset), dt.time(9), tzinfo=HKI)
    assert due(state, at) == [("oma-1", offset)]
    assert due(state, at - dt.timedelta(minutes=1)) == []
    assert reminder_time(dt.date(2026, 12, 20), offset, HKI) == at


def test_catch_up_window_is_three_days() -> None:
    state = personal("2026-12-20")
    at = reminder_time(dt.date(2026, 12, 20), 30, HKI)
    assert due(state, at + dt.timedelta(days=2)) == [("oma-1", 30)]
    assert due(state, at + dt.timedelta(days=2, hours=23, minutes=59)) == [("oma-1", 30)]
    assert due(state, at + CATCH_UP) == []
    assert due(state, at + dt.timedelta(days=3, minutes=1)) == []


def test_catch_up_windows_of_offsets_do_not_overlap() -> None:
    state = personal("2026-12-20")
    for offset in OFFSETS:
        at = reminder_time(dt.date(2026, 12, 20), offset, HKI)
        found = due(state, at + dt.timedelta(days=2, hours=12))
        assert found == [("oma-1", offset)] or (offset == 1 and found == [])


def test_no_reminder_after_the_deadline_day() -> None:
    state = personal("2026-12-20")
    one_day = reminder_time(dt.date(2026, 12, 20), 1, HKI)
    assert due(state, one_day + dt.timedelta(hours=14)) == [("oma-1", 1)]  # 23:00 on the 19th
    assert due(state, dt.datetime(2026, 12, 21, 0, 30, tzinfo=HKI)) == []


def test_spring_dst_change_keeps_nine_local() -> None:
    # EU summer time starts 29.3.2026: 27.3. is UTC+2, 3.4. is UTC+3.
    before = reminder_time(dt.date(2026, 4, 10), 14, HKI)
    after = reminder_time(dt.date(2026, 4, 10), 7, HKI)
    assert before == dt.datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    assert after == dt.datetime(2026, 4, 3, 6, 0, tzinfo=UTC)
    assert before.astimezone(HKI).hour == after.astimezone(HKI).hour == 9
    state = personal("2026-04-10")
    assert due(state, dt.datetime(2026, 4, 3, 6, 0, tzinfo=UTC)) == [("oma-1", 7)]
    assert due(state, dt.datetime(2026, 4, 3, 5, 59, tzinfo=UTC)) == []
    # 30 days before 29.4. is the 30.3., the first full summer-time day
    assert reminder_time(dt.date(2026, 4, 29), 30, HKI) == dt.datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def test_autumn_dst_change_keeps_nine_local() -> None:
    # EU summer time ends 25.10.2026: 18.10. is UTC+3, 31.10. is UTC+2.
    assert reminder_time(dt.date(2026, 11, 1), 14, HKI) == dt.datetime(2026, 10, 18, 6, 0, tzinfo=UTC)
    assert reminder_time(dt.date(2026, 11, 1), 1, HKI) == dt.datetime(2026, 10, 31, 7, 0, tzinfo=UTC)
    assert reminder_time(dt.date(2026, 11, 1), 7, HKI) == dt.datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    state = personal("2026-11-01")
    assert due(state, dt.datetime(2026, 10, 31, 6, 59, tzinfo=UTC)) == []
    assert due(state, dt.datetime(2026, 10, 31, 7, 0, tzinfo=UTC)) == [("oma-1", 1)]


def test_other_time_zone_setting() -> None:
    tz = ZoneInfo("America/New_York")
    assert reminder_time(dt.date(2026, 12, 20), 1, tz) == dt.datetime(2026, 12, 19, 14, 0, tzinfo=UTC)


def test_subscription_after_reminder_time_gets_no_reminder() -> None:
    at = reminder_time(dt.date(2026, 12, 20), 14, HKI)
    late = personal("2026-12-20", created_at=(at + dt.timedelta(minutes=5)).isoformat())
    assert due(late, at + dt.timedelta(hours=1)) == []
    early = personal("2026-12-20", created_at=(at - dt.timedelta(minutes=5)).isoformat())
    assert due(early, at + dt.timedelta(hours=1)) == [("oma-1", 14)]


def test_personal_deadline_fifteen_days_ahead_skips_thirty_day_reminder() -> None:
    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=HKI)
    state = personal("2026-12-13", created_at=now.isoformat())
    ahead = upcoming_reminders(state, [], now, HKI)
    assert [u.offset for u in ahead] == [14, 7, 1]
    assert ahead[0].at == dt.datetime(2026, 11, 29, 9, 0, tzinfo=HKI)
    found = due_reminders([("T1:U1", state)], [], ahead[0].at, HKI)
    assert len(found) == 1
    assert "13.12.2026" in found[0].text
    assert "Valmis-tila" in found[0].text
    assert "huomenna" not in found[0].text and "14 päivän päästä" in found[0].text
    assert "https://innokyla.fi/" in found[0].text


def test_investment_subscription_covers_deadlines_added_later() -> None:
    state = investment("P4I2")
    later = deadline("2027-03-31", ["P4I2"])
    other = deadline("2027-03-31", ["P4I4"], did="muu")
    everyone = deadline("2027-03-31", [], did="kaikille")
    at = reminder_time(dt.date(2027, 3, 31), 7, HKI)
    assert sorted(due(state, at, [later, other, everyone])) == [("kaikille", 7), ("uusi", 7)]


def test_knowledge_deadlines_are_followed_by_investment(guide_deadlines: list[Deadline]) -> None:
    ids = [t.deadline_id for t in tracked_deadlines(investment("P4I2"), guide_deadlines)]
    assert ids == ["vaihe1-kokonaisuudet", "kuvaukset-2024"]
    ids = [t.deadline_id for t in tracked_deadlines(investment("P4I3"), guide_deadlines)]
    assert ids == ["vaihe1-kokonaisuudet", "kuvaukset-2025"]
    # all guide deadlines are past in late 2026: nothing due, nothing ahead
    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=HKI)
    assert due_reminders([("T1:U1", investment("P3"))], guide_deadlines, now, HKI) == []
    assert upcoming_reminders(investment("P3"), guide_deadlines, now, HKI) == []


def test_guide_deadline_reminder_text_names_date_and_what(guide_deadlines: list[Deadline]) -> None:
    at = reminder_time(dt.date(2025, 12, 31), 7, HKI)
    (found,) = due_reminders(
        [("T1:U1", investment("P4I1", "2025-01-01T00:00:00+00:00"))], guide_deadlines, at, HKI
    )
    assert found.deadline_id == "kuvaukset-2025"
    assert found.deadline_date == dt.date(2025, 12, 31)
    assert "31.12.2025" in found.text and "7 päivän päästä" in found.text
    assert "dia 9" in found.text


def test_two_subscriptions_to_one_deadline_give_one_reminder(guide_deadlines: list[Deadline]) -> None:
    since = "2025-01-01T00:00:00+00:00"
    state = {"reminders": {"investments": {"P4I1": {"created_at": since}, "P4I3": {"created_at": since}}}}
    at = reminder_time(dt.date(2025, 12, 31), 30, HKI)
    found = due_reminders([("T1:U1", state)], guide_deadlines, at, HKI)
    assert [(r.deadline_id, r.offset) for r in found] == [("kuvaukset-2025", 30)]


def test_broken_state_reads_as_no_subscriptions() -> None:
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=HKI)
    for state in ({}, {"reminders": "x"}, {"reminders": {"personal": [1, {"date": "bad"}]}}):
        assert due_reminders([("T1:U1", state)], [], now, HKI) == []


def test_naive_now_is_read_in_local_time() -> None:
    state = personal("2026-12-20")
    assert due(state, dt.datetime(2026, 12, 19, 9, 0)) == [("oma-1", 1)]


def test_deadline_data_is_consistent(guide_deadlines: list[Deadline]) -> None:
    ids = [d.id for d in guide_deadlines]
    assert len(ids) == len(set(ids))
    dates = {d.date for d in guide_deadlines}
    assert {dt.date(2022, 6, 30), dt.date(2024, 12, 31), dt.date(2025, 12, 31)} <= dates
    raw = yaml.safe_load((DATA_DIR / "investments.yaml").read_text(encoding="utf-8"))
    for investment_data in raw:
        code, date = investment_data["code"], dt.date.fromisoformat(str(investment_data["deadline"]))
        own = [d for d in guide_deadlines if code in d.investments]
        assert [d.date for d in own] == [date], code
