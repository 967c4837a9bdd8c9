"""The `muistutus` and `määräajat` commands: pure functions over the user's reminder state.

`command(state, args, now, ctx)` subscribes to an investment's deadlines (the code is stored, so
deadlines added to the data later are included), adds or removes a personal deadline, lists the
subscriptions, or explains the command. The schedule itself is in `dialogs.schedule`; the wording
of every reply is in `knowledge/templates/reminders.j2` and `deadlines.j2`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from dialogs.context import Context
from dialogs.replies import Reply, Source
from dialogs.schedule import (
    PERSONAL_PREFIX,
    STATE_KEY,
    applies_to,
    fmt_local,
    reminder_state,
    upcoming_reminders,
)
from knowledge.entities import find_investments
from knowledge.models import INVESTMENT_CODES, Deadline, InvestmentCode
from knowledge.render import fmt_date, render_message
from knowledge.rules import default_rules
from knowledge.text import clean, fold

MAX_PERSONAL = 20
MAX_DESCRIPTION = 200
MAX_YEARS_AHEAD = 10
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
_DM = re.compile(r"^(\d{1,2})\.(\d{1,2})\.$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}(?:[./-]\d{0,4})?\.?$")
_ORDER = re.compile(r"^#?(\d{1,2})\.?$")


def _text(message: str, **values: Any) -> str:
    """One reply text from knowledge/templates/reminders.j2."""
    return render_message("reminders.j2", message, **values)


DEFAULT_DESCRIPTION = _text("default_description")


# -- small helpers ---------------------------------------------------------------------------------
def _local_today(now: dt.datetime, ctx: Context) -> dt.date:
    aware = now if now.tzinfo is not None else now.replace(tzinfo=ctx.tz)
    return aware.astimezone(ctx.tz).date()


def _utc_iso(now: dt.datetime, ctx: Context) -> str:
    aware = now if now.tzinfo is not None else now.replace(tzinfo=ctx.tz)
    return aware.astimezone(dt.UTC).isoformat(timespec="seconds")


def _store(state: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    new_state = copy.deepcopy(state) if state else {}
    new_state[STATE_KEY] = part
    return new_state


def _label(code: str, ctx: Context) -> str:
    inv = ctx.kb.investments.get(code)  # type: ignore[call-overload]
    return inv.label if inv else code


def _deadlines_for(code: str, ctx: Context) -> list[Deadline]:
    return sorted((d for d in ctx.kb.deadlines if applies_to(d, code)), key=lambda d: d.date)


def _sources(ctx: Context, slides: list[int]) -> tuple[Source, ...]:
    return tuple(Source(dia, ctx.kb.slide_title(dia)) for dia in slides)


def _personal_sorted(part: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(part["personal"], key=lambda p: (str(p.get("date")), str(p.get("id"))))


def _personal_line(item: dict[str, Any]) -> str:
    try:
        date = fmt_date(dt.date.fromisoformat(str(item.get("date"))))
    except ValueError:
        date = str(item.get("date"))
    return f"{date} {item.get('text') or DEFAULT_DESCRIPTION}"


def _reminder_plan(date: dt.date, now: dt.datetime, ctx: Context) -> str:
    """Which reminder times of a deadline are still ahead, as one sentence."""
    item = {
        "id": PERSONAL_PREFIX + "0",
        "date": date.isoformat(),
        "text": "",
        "created_at": _utc_iso(now, ctx),
    }
    state = {STATE_KEY: {"personal": [item]}}
    ahead = upcoming_reminders(state, [], now, ctx.tz)
    return _text(
        "reminder_plan",
        offsets=[str(u.offset) for u in ahead],
        first=fmt_local(ahead[0].at, ctx.tz) if ahead else "",
    )


# -- date parsing ---------------------------------------------------------------------------------
class DateError(ValueError):
    """A token that looks like a date but is not a usable one; the message is Finnish."""


def parse_date(token: str, today: dt.date | None = None) -> dt.date | None:
    """d.m.yyyy, dd.mm.yyyy or yyyy-mm-dd as a date; None if the token is not a date at all.

    With `today`, "15.12." (no year) means its next occurrence: this year, or next year if passed.
    """
    short = _DM.match(token) if today is not None else None
    if short and today is not None:
        day, month = (int(g) for g in short.groups())
        try:
            this_year = dt.date(today.year, month, day)
        except ValueError:
            this_year = None
        if this_year is not None and this_year >= today:
            return this_year
        try:
            return dt.date(today.year + 1, month, day)
        except ValueError as exc:
            raise DateError(_text("date_not_in_year", token=token, year=today.year + 1)) from exc
    match = _DMY.match(token)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(token)
        if not match:
            if _DATE_LIKE.match(token):
                raise DateError(_text("date_not_recognised", token=token))
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(_text("date_not_real", token=token)) from exc


# -- the commands ---------------------------------------------------------------------------------
def command(
    state: dict[str, Any], args: str, now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """`muistutus [args]`: subscribe, add a personal deadline, list, unsubscribe or explain."""
    raw = clean(args)
    folded = fold(raw).strip(" .!")
    first = folded.partition(" ")[0]
    raw_rest = raw.split(None, 1)[1] if len(raw.split(None, 1)) > 1 else ""

    if folded in default_rules().words_for("reminder_list"):
        return state, [Reply(list_text(state, now, ctx), kind="summary")]
    if folded in default_rules().words_for("reminder_help"):
        return state, [Reply(_text("help"), kind="help")]
    if first in default_rules().words_for("reminder_stop"):
        return unsubscribe(state, raw_rest, now, ctx)
    try:
        date = parse_date(raw.split(None, 1)[0], _local_today(now, ctx)) if raw else None
    except DateError as exc:
        return state, [Reply(_text("date_problem", problem=str(exc)), kind="error")]
    if date is not None:
        return add_personal(state, date, raw_rest, now, ctx)
    if folded in default_rules().words_for("reminder_all"):
        return subscribe(state, list(INVESTMENT_CODES), now, ctx)
    codes, _explicit = find_investments(folded)
    if codes:
        return subscribe(state, codes, now, ctx)
    return state, [Reply(_text("not_understood", text=raw), kind="error")]


def subscribe(
    state: dict[str, Any], codes: list[InvestmentCode], now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """Follow the deadlines of each investment in `codes`, present and future."""
    part = reminder_state(state)
    today = _local_today(now, ctx)
    added = [c for c in codes if c not in part["investments"]]
    for code in added:
        part["investments"][code] = {"created_at": _utc_iso(now, ctx)}
    already = [c for c in codes if c not in added]
    shown: dict[str, dict[str, Any]] = {}
    for code in codes:
        for deadline in _deadlines_for(code, ctx):
            if deadline.id in shown:
                continue
            past = deadline.date < today
            shown[deadline.id] = {
                "date": deadline.date,
                "title": deadline.title,
                "past": past,
                "plan": "" if past else _reminder_plan(deadline.date, now, ctx),
            }
    any_past = any(d["past"] for d in shown.values())
    text = _text(
        "subscribed",
        added=[_label(c, ctx) for c in added],
        already=[_label(c, ctx) for c in already],
        deadlines=list(shown.values()),
        any_past=any_past,
        any_future=any(not d["past"] for d in shown.values()),
        min_admins=ctx.kb.common.min_yllapitajat,
    )
    slides = {s for d in ctx.kb.deadlines if d.id in shown for s in d.sources}
    if any_past:
        slides |= {41, 46}
    return _store(state, part), [Reply(text, sources=_sources(ctx, sorted(slides)))]


def add_personal(
    state: dict[str, Any], date: dt.date, description: str, now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """Add a personal deadline (date in the future or today, description optional)."""
    today = _local_today(now, ctx)
    if date < today:
        example = today + dt.timedelta(days=30)
        return state, [Reply(_text("date_passed", date=date, today=today, example=example), kind="error")]
    if date.year > today.year + MAX_YEARS_AHEAD:
        return state, [Reply(_text("date_too_far", date=date, years=MAX_YEARS_AHEAD), kind="error")]
    text = " ".join(clean(description).split())[:MAX_DESCRIPTION].strip() or DEFAULT_DESCRIPTION
    part = reminder_state(state)
    for item in part["personal"]:
        if item.get("date") == date.isoformat() and fold(str(item.get("text"))) == fold(text):
            return state, [Reply(_text("already_listed", line=_personal_line(item)))]
    if len(part["personal"]) >= MAX_PERSONAL:
        return state, [Reply(_text("too_many", limit=MAX_PERSONAL), kind="error")]
    number = part["next_personal"]
    part["next_personal"] = number + 1
    item = {
        "id": f"{PERSONAL_PREFIX}{number}",
        "date": date.isoformat(),
        "text": text,
        "created_at": _utc_iso(now, ctx),
    }
    part["personal"].append(item)
    reply = _text("added_personal", line=_personal_line(item), plan=_reminder_plan(date, now, ctx))
    return _store(state, part), [Reply(reply)]


def _match_personal(
    part: dict[str, Any], target: str, today: dt.date
) -> tuple[list[dict[str, Any]], str | None]:
    """Personal deadlines matching a number (as listed), a date or a description; or an error text."""
    listed = _personal_sorted(part)
    order = _ORDER.match(target)
    if order:
        index = int(order.group(1))
        if 1 <= index <= len(listed):
            return [listed[index - 1]], None
        return [], _text("no_such_number", count=len(listed), number=index)
    token = target.split(None, 1)[0] if target else ""
    try:
        date = parse_date(token, today)
    except DateError as exc:
        return [], str(exc)
    if date is not None:
        rest = fold(target.split(None, 1)[1]) if len(target.split(None, 1)) > 1 else ""
        hits = [p for p in listed if p.get("date") == date.isoformat()]
        if rest:
            hits = [p for p in hits if rest in fold(str(p.get("text")))]
        return hits, None
    wanted = fold(target)
    exact = [p for p in listed if fold(str(p.get("text"))) == wanted]
    if exact:
        return exact, None
    return [p for p in listed if wanted and wanted in fold(str(p.get("text")))], None


def unsubscribe(
    state: dict[str, Any], target: str, now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """`muistutus pois [mikä]`: stop one investment, one personal deadline, or everything."""
    part = reminder_state(state)
    target = clean(target)
    folded = fold(target).strip(" .!")
    if folded in default_rules().words_for("reminder_all") or not folded:
        removed = [_label(c, ctx) for c in part["investments"]]
        removed += [_text("own_deadline", line=_personal_line(p)) for p in _personal_sorted(part)]
        if not removed:
            return state, [Reply(_text("nothing_to_remove"))]
        part["investments"] = {}
        part["personal"] = []
        return _store(state, part), [Reply(_text("removed_all", removed=removed))]

    hits, problem = _match_personal(part, target, _local_today(now, ctx))
    if problem:
        listing = list_text(state, now, ctx)
        return state, [Reply(_text("problem_and_listing", problem=problem, listing=listing), kind="error")]
    if len(hits) > 1:
        lines = [_personal_line(p) for p in hits]
        return state, [Reply(_text("several_match", text=target, lines=lines), kind="question")]
    if hits:
        gone = hits[0]
        part["personal"] = [p for p in part["personal"] if p.get("id") != gone.get("id")]
        return _store(state, part), [Reply(_text("removed_personal", line=_personal_line(gone)))]

    codes, _explicit = find_investments(folded)
    if codes:
        removed_codes = [c for c in codes if c in part["investments"]]
        if not removed_codes:
            labels = [_label(c, ctx) for c in codes]
            listing = list_text(state, now, ctx)
            return state, [Reply(_text("not_subscribed", investments=labels, listing=listing))]
        for code in removed_codes:
            del part["investments"][code]
        labels = [_label(c, ctx) for c in removed_codes]
        return _store(state, part), [Reply(_text("stopped", investments=labels))]
    listing = list_text(state, now, ctx)
    return state, [Reply(_text("not_found", text=target, listing=listing), kind="error")]


# -- listings ---------------------------------------------------------------------------------------
def list_text(state: dict[str, Any], now: dt.datetime, ctx: Context) -> str:
    """The user's subscriptions, personal deadlines (numbered) and next reminder times."""
    part = reminder_state(state)
    if not part["investments"] and not part["personal"]:
        return _text("no_reminders")
    today = _local_today(now, ctx)
    investments = [
        {
            "label": _label(code, ctx),
            "dates": [
                _text("past_date", date=d.date) if d.date < today else fmt_date(d.date)
                for d in _deadlines_for(code, ctx)
            ],
        }
        for code in INVESTMENT_CODES
        if code in part["investments"]
    ]
    personal = [
        {"number": number, "line": _personal_line(item), "past": str(item.get("date")) < today.isoformat()}
        for number, item in enumerate(_personal_sorted(part), start=1)
    ]
    upcoming = [
        {"at": fmt_local(u.at, ctx.tz), "title": u.title, "date": u.deadline_date, "offset": u.offset}
        for u in upcoming_reminders(state, ctx.kb.deadlines, now, ctx.tz)[:5]
    ]
    return _text("listing", investments=investments, personal=personal, upcoming=upcoming)


def subscriptions_summary(state: dict[str, Any], now: dt.datetime, ctx: Context) -> str:
    """One short Finnish paragraph for the App Home tab."""
    part = reminder_state(state)
    if not part["investments"] and not part["personal"]:
        return _text("summary_empty")
    followed = [_label(c, ctx) for c in INVESTMENT_CODES if c in part["investments"]]
    followed += [_text("own_deadline", line=_personal_line(p)) for p in _personal_sorted(part)]
    ahead = upcoming_reminders(state, ctx.kb.deadlines, now, ctx.tz)
    upcoming = (
        {"at": fmt_local(ahead[0].at, ctx.tz), "title": ahead[0].title, "date": ahead[0].deadline_date}
        if ahead
        else None
    )
    return _text("summary", followed=followed, upcoming=upcoming)


def deadlines_reply(now: dt.datetime, ctx: Context) -> list[Reply]:
    """`määräajat`: every deadline of the data with dates (past ones marked) and the programme phases."""
    today = _local_today(now, ctx)
    deadlines = [
        {
            "date": deadline.date,
            "title": deadline.title,
            "investments": [ctx.kb.investments[c].short for c in deadline.investments],
            "past": deadline.date < today,
        }
        for deadline in sorted(ctx.kb.deadlines, key=lambda d: d.date)
    ]
    any_past = any(d.date < today for d in ctx.kb.deadlines)
    text = render_message(
        "deadlines.j2",
        "deadlines_reply",
        deadlines=deadlines,
        phases=ctx.kb.common.phases,
        any_past=any_past,
        min_admins=ctx.kb.common.min_yllapitajat,
    )
    slides = sorted({8, 9} | ({41, 46} if any_past else set()))
    return [Reply(text, sources=_sources(ctx, slides))]
