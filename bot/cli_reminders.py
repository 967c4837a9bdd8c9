"""`toimintamalli reminders send|list`: send every due reminder once (for cron), or list subscriptions."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any
from zoneinfo import ZoneInfo

from bot.channels import open_store, senders
from bot.settings import Settings, load_settings
from bot.storage import Storage
from bot.texts import text
from dialogs.context import Context, default_context
from dialogs.schedule import fmt_local, reminder_state, tracked_deadlines, upcoming_reminders
from knowledge.render import fmt_date


class NowError(ValueError):
    """The --now value is not an ISO-8601 time; the message is one Finnish line."""


def parse_now(raw: str | None, tz: ZoneInfo) -> dt.datetime:
    """--now as an aware datetime (a time without offset is read in `tz`); the current time if None."""
    if raw is None or not raw.strip():
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise NowError(text("cli", "bad_now", raw=raw)) from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _listing(store: Storage, now: dt.datetime, ctx: Context) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    for address, user_state in store.users():
        key = address.key
        state = user_state.turn_dict()
        part = reminder_state(state)
        if not part["investments"] and not part["personal"]:
            continue
        users.append(
            {
                "user": key,
                "investments": sorted(part["investments"]),
                "personal": [
                    {"id": p.get("id"), "date": p.get("date"), "text": p.get("text")}
                    for p in part["personal"]
                ],
                "deadlines": [
                    {
                        "id": t.deadline_id,
                        "date": t.date.isoformat(),
                        "title": t.title,
                        "personal": t.personal,
                    }
                    for t in tracked_deadlines(state, ctx.kb.deadlines)
                ],
                "upcoming": [
                    {
                        "deadline_id": u.deadline_id,
                        "deadline_date": u.deadline_date.isoformat(),
                        "offset": u.offset,
                        "at": u.at.astimezone(ctx.tz).isoformat(),
                    }
                    for u in upcoming_reminders(state, ctx.kb.deadlines, now, ctx.tz)
                ],
            }
        )
    return users


def _print_listing(users: list[dict[str, Any]], ctx: Context) -> None:
    if not users:
        print(text("cli", "no_reminders"))
        return
    for user in users:
        print(f"{user['user']}:")
        if user["investments"]:
            print("  investoinnit: " + ", ".join(user["investments"]))
        for item in user["personal"]:
            print(f"  oma: {fmt_date(dt.date.fromisoformat(item['date']))} {item['text']}")
        if not user["upcoming"]:
            print("  ei tulevia muistutuksia")
        for up in user["upcoming"]:
            at = fmt_local(dt.datetime.fromisoformat(up["at"]), ctx.tz)
            date = fmt_date(dt.date.fromisoformat(up["deadline_date"]))
            print(f"  {at}: {up['deadline_id']} {date} ({up['offset']} pv ennen)")


def run_reminders(
    cmd: str, now: str | None = None, as_json: bool = False, settings: Settings | None = None
) -> int:
    """`send`: send what is due at --now (default: now) once and exit; `list`: every user's reminders."""
    settings = settings or load_settings()
    tz = settings.tz
    try:
        moment = parse_now(now, tz)
    except NowError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    ctx = default_context(tz=tz)
    if cmd == "list":
        with open_store(settings) as store:
            users = _listing(store, moment, ctx)
        if as_json:
            print(json.dumps(users, ensure_ascii=False, indent=2))
        else:
            _print_listing(users, ctx)
        return 0
    if cmd == "send":
        settings.require("SLACK_BOT_TOKEN")
        from bot.scheduler import ReminderScheduler

        with open_store(settings) as store:
            scheduler = ReminderScheduler(store, ctx, senders(settings))
            sent = scheduler.send_due(moment)
            failed = scheduler.last_failures
        if as_json:
            print(json.dumps({"sent": sent, "failed": failed, "now": moment.isoformat()}, ensure_ascii=False))
        else:
            print(
                text("cli", "sent", sent=sent) + (text("cli", "sent_failed", failed=failed) if failed else "")
            )
        return 1 if failed else 0
    print(text("cli", "unknown_reminders_command", cmd=cmd), file=sys.stderr)
    return 2
