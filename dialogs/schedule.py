"""Pure reminder schedule: which reminders fall due when, for the subscriptions held in user states.

A reminder goes out 30, 14, 7 and 1 days before a deadline at 09:00 local time (the time zone is
passed in; wall-clock times are built with zoneinfo, so they stay at 09:00 across DST changes).
A reminder is due from its time until three days after it (catch-up after downtime) and never
later, never for a time before the subscription existed, and never once the deadline day is over.

Subscriptions live in the user state under ``state["reminders"]``::

    {"investments": {"P4I2": {"created_at": "2026-11-28T08:00:00+00:00"}},
     "personal": [{"id": "oma-1", "date": "2026-12-15", "text": "Valmis-tila",
                   "created_at": "2026-11-28T08:00:00+00:00"}],
     "next_personal": 2}

An investment subscription stores the code, not deadline ids, so deadlines that maintainers add
to ``knowledge/data/deadlines.yaml`` later are covered too. Nothing here touches a store or Slack:
sending once and only once is the job of ``bot.scheduler``. The wording of the reminder is in
``knowledge/templates/reminder_dm.j2``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from knowledge.models import Deadline
from knowledge.render import fmt_date, render_message

STATE_KEY = "reminders"
OFFSETS: tuple[int, ...] = (30, 14, 7, 1)
REMIND_AT = dt.time(9, 0)
CATCH_UP = dt.timedelta(days=3)
PERSONAL_PREFIX = "oma-"


@dataclass(frozen=True)
class Tracked:
    """One deadline a user follows: from the knowledge data (via an investment) or their own."""

    deadline_id: str
    date: dt.date
    title: str
    what: str
    created_at: dt.datetime  # when the user started following it (the earliest subscription)
    personal: bool
    sources: tuple[int, ...] = ()


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send now: who, which deadline, how many days before, and the message text."""

    user_key: str
    deadline_id: str
    offset: int
    deadline_date: dt.date
    text: str
    at: dt.datetime  # the scheduled time (aware)


@dataclass(frozen=True)
class Upcoming:
    """A reminder that will fall due later (for listings)."""

    deadline_id: str
    title: str
    deadline_date: dt.date
    offset: int
    at: dt.datetime
    personal: bool


def _aware(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def parse_time(raw: object, default: dt.datetime) -> dt.datetime:
    """A stored ISO time as an aware UTC datetime; `default` when missing or unreadable."""
    if isinstance(raw, str):
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            return default
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    return default


def reminder_time(deadline_date: dt.date, offset: int, tz: ZoneInfo) -> dt.datetime:
    """09:00 local time `offset` days before the deadline, as an aware UTC datetime (DST-correct)."""
    day = deadline_date - dt.timedelta(days=offset)
    return dt.datetime.combine(day, REMIND_AT, tzinfo=tz).astimezone(dt.UTC)


def reminder_state(state: dict[str, Any]) -> dict[str, Any]:
    """The reminder part of a user state, normalised (a missing or broken part reads as empty)."""
    raw = state.get(STATE_KEY) if isinstance(state, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    investments = raw.get("investments")
    personal = raw.get("personal")
    return {
        "investments": dict(investments) if isinstance(investments, dict) else {},
        "personal": [p for p in personal if isinstance(p, dict)] if isinstance(personal, list) else [],
        "next_personal": raw.get("next_personal") if isinstance(raw.get("next_personal"), int) else 1,
    }


def applies_to(deadline: Deadline, code: str) -> bool:
    """Whether a knowledge deadline concerns an investment (an empty list means every investment)."""
    return not deadline.investments or code in deadline.investments


def tracked_deadlines(state: dict[str, Any], deadlines: Iterable[Deadline]) -> list[Tracked]:
    """Every deadline the user follows, in date order, each once (with its earliest subscription time)."""
    part = reminder_state(state)
    epoch = dt.datetime.max.replace(tzinfo=dt.UTC)
    found: dict[str, Tracked] = {}
    for deadline in deadlines:
        times = [
            parse_time(info.get("created_at") if isinstance(info, dict) else None, epoch)
            for code, info in part["investments"].items()
            if applies_to(deadline, code)
        ]
        if times:
            found[deadline.id] = Tracked(
                deadline_id=deadline.id,
                date=deadline.date,
                title=deadline.title,
                what=deadline.what,
                created_at=min(times),
                personal=False,
                sources=tuple(deadline.sources),
            )
    for item in part["personal"]:
        try:
            date = dt.date.fromisoformat(str(item.get("date")))
        except ValueError:
            continue
        deadline_id = str(item.get("id") or "")
        if not deadline_id.startswith(PERSONAL_PREFIX):
            continue
        found[deadline_id] = Tracked(
            deadline_id=deadline_id,
            date=date,
            title=str(item.get("text") or ""),
            what="",
            created_at=parse_time(item.get("created_at"), epoch),
            personal=True,
        )
    return sorted(found.values(), key=lambda t: (t.date, t.personal, t.deadline_id))


def deadline_over(deadline_date: dt.date, now: dt.datetime, tz: ZoneInfo) -> bool:
    """True once the deadline day has ended in local time."""
    return _aware(now, tz).astimezone(tz).date() > deadline_date


def days_left_phrase(deadline_date: dt.date, now: dt.datetime, tz: ZoneInfo) -> str:
    """ "tänään", "huomenna" or "14 päivän päästä", counted in local calendar days."""
    return render_message("reminder_dm.j2", "days_left", days=_days_left(deadline_date, now, tz))


def _days_left(deadline_date: dt.date, now: dt.datetime, tz: ZoneInfo) -> int:
    return (deadline_date - _aware(now, tz).astimezone(tz).date()).days


def reminder_text(tracked: Tracked, now: dt.datetime, tz: ZoneInfo) -> str:
    """The plain text of a reminder DM (the channel escapes it; the only markup is *bold*)."""
    return render_message(
        "reminder_dm.j2",
        "reminder",
        personal=tracked.personal,
        date=tracked.date,
        days=_days_left(tracked.date, now, tz),
        title=tracked.title,
        what=tracked.what,
        slides=list(tracked.sources),
    )


def due_reminders(
    states: Iterable[tuple[str, dict[str, Any]]],
    deadlines: Iterable[Deadline],
    now: dt.datetime,
    tz: ZoneInfo,
) -> list[DueReminder]:
    """Reminders due at `now` for every (user key, state): within 3 days of their time, after subscribing."""
    now_utc = _aware(now, tz).astimezone(dt.UTC)
    deadline_list = list(deadlines)
    due: list[DueReminder] = []
    for user_key, state in states:
        for tracked in tracked_deadlines(state, deadline_list):
            if deadline_over(tracked.date, now_utc, tz):
                continue
            for offset in OFFSETS:
                at = reminder_time(tracked.date, offset, tz)
                if at <= now_utc < at + CATCH_UP and at >= tracked.created_at:
                    due.append(
                        DueReminder(
                            user_key=user_key,
                            deadline_id=tracked.deadline_id,
                            offset=offset,
                            deadline_date=tracked.date,
                            text=reminder_text(tracked, now_utc, tz),
                            at=at,
                        )
                    )
    return sorted(due, key=lambda r: (r.at, r.user_key, r.deadline_id))


def upcoming_reminders(
    state: dict[str, Any], deadlines: Iterable[Deadline], now: dt.datetime, tz: ZoneInfo
) -> list[Upcoming]:
    """Reminder times still ahead of `now` for one user, earliest first."""
    now_utc = _aware(now, tz).astimezone(dt.UTC)
    ahead: list[Upcoming] = []
    for tracked in tracked_deadlines(state, deadlines):
        for offset in OFFSETS:
            at = reminder_time(tracked.date, offset, tz)
            if at > now_utc and at >= tracked.created_at:
                ahead.append(
                    Upcoming(tracked.deadline_id, tracked.title, tracked.date, offset, at, tracked.personal)
                )
    return sorted(ahead, key=lambda u: (u.at, u.deadline_id))


def fmt_local(value: dt.datetime, tz: ZoneInfo) -> str:
    """15.11.2026 klo 9.00 in local time."""
    local = _aware(value, tz).astimezone(tz)
    return f"{fmt_date(local.date())} klo {local.hour}.{local.minute:02d}"
