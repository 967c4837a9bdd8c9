"""The `muistutus` and `määräajat` commands: pure functions over the user's reminder state.

`command(state, args, now, ctx)` subscribes to an investment's deadlines (the code is stored, so
deadlines added to the data later are included), adds or removes a personal deadline, lists the
subscriptions, or explains the command. The schedule itself is in `dialogs.schedule`.
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
from knowledge.render import fmt_date, join_fi
from knowledge.text import clean, fold

MAX_PERSONAL = 20
MAX_DESCRIPTION = 200
MAX_YEARS_AHEAD = 10
DEFAULT_DESCRIPTION = "Oma määräaika"
STOP_WORDS = {"pois", "peru", "peruuta", "lopeta", "poista", "stop", "off"}
ALL_WORDS = {"kaikki", "kaikkiin", "kaikista", "all"}
LIST_WORDS = {"", "lista", "listaa", "näytä", "nayta", "omat", "list"}
HELP_WORDS = {"apua", "ohje", "ohjeet", "help", "?"}
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
_DM = re.compile(r"^(\d{1,2})\.(\d{1,2})\.$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}(?:[./-]\d{0,4})?\.?$")
_ORDER = re.compile(r"^#?(\d{1,2})\.?$")

HELP_TEXT = (
    "*Muistutukset*\n"
    "• muistutus I2 – muistutukset investoinnin määräajoista (myös P4I2, investointi 2, P4 I2, "
    "pilari 3, IPS, työkykyohjelma, kaikki)\n"
    "• muistutus 15.12.2026 Valmis-tila – oma määräaika "
    "(päivämäärä muodossa 15.12.2026, 15.12. tai 2026-12-15)\n"
    "• muistutus – omat muistutuksesi ja seuraavat muistutusajat\n"
    "• muistutus pois I2 / muistutus pois 1 / muistutus pois – lopeta yksi tai kaikki muistutukset\n"
    "• määräajat – kaikki ohjeen määräajat ja ohjelman vaiheet\n"
    "Muistutus tulee yksityisviestinä 30, 14, 7 ja 1 päivää ennen määräaikaa klo 9.00."
)
AFTER_DEADLINE = (
    "Kun määräaika on mennyt, työ jatkuu: toimintamallia voi ja kannattaa päivittää myös "
    "valmiiksi merkitsemisen jälkeen ja kuvata jatkokehittämisen tulokset (dia 46). Pidä toimintamallilla "
    "vähintään {min_admins} ylläpitäjää ja liitä heidän joukkoonsa myös vakituista henkilöstöä, jotta malli "
    "pysyy ajan tasalla hanketyön päätyttyäkin (diat 15 ja 41)."
)


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


def _after_deadline(ctx: Context) -> str:
    return AFTER_DEADLINE.format(min_admins=ctx.kb.common.min_yllapitajat)


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
    if not ahead:
        return "Muistutusaikoja ei enää ole jäljellä; katso määräaika listaltasi (muistutus)."
    days = join_fi([str(u.offset) for u in ahead])
    return f"Muistutan {days} päivää ennen; ensimmäinen muistutus {fmt_local(ahead[0].at, ctx.tz)}."


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
            raise DateError(
                f"Päivämäärää {token} ei ole vuonna {today.year + 1}. "
                "Tarkista päivä ja kuukausi tai kirjoita vuosi."
            ) from exc
    match = _DMY.match(token)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(token)
        if not match:
            if _DATE_LIKE.match(token):
                raise DateError(
                    f"En tunnista päivämäärää ”{token}”. Kirjoita se muodossa 15.12.2026 tai 2026-12-15."
                )
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"Päivämäärää {token} ei ole olemassa. Tarkista päivä ja kuukausi.") from exc


# -- the commands ---------------------------------------------------------------------------------
def command(
    state: dict[str, Any], args: str, now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """`muistutus [args]`: subscribe, add a personal deadline, list, unsubscribe or explain."""
    raw = clean(args)
    folded = fold(raw).strip(" .!")
    first = folded.partition(" ")[0]
    raw_rest = raw.split(None, 1)[1] if len(raw.split(None, 1)) > 1 else ""

    if folded in LIST_WORDS:
        return state, [Reply(list_text(state, now, ctx), kind="summary")]
    if folded in HELP_WORDS:
        return state, [Reply(HELP_TEXT, kind="help")]
    if first in STOP_WORDS:
        return unsubscribe(state, raw_rest, now, ctx)
    try:
        date = parse_date(raw.split(None, 1)[0], _local_today(now, ctx)) if raw else None
    except DateError as exc:
        return state, [Reply(f"{exc}\n\n{HELP_TEXT}", kind="error")]
    if date is not None:
        return add_personal(state, date, raw_rest, now, ctx)
    if folded in ALL_WORDS:
        return subscribe(state, list(INVESTMENT_CODES), now, ctx)
    codes, _explicit = find_investments(folded)
    if codes:
        return subscribe(state, codes, now, ctx)
    return state, [
        Reply(
            f"En tunnistanut, mistä haluat muistutuksen (”{raw}”). "
            f"Kerro investointi tai päivämäärä.\n\n{HELP_TEXT}",
            kind="error",
        )
    ]


def subscribe(
    state: dict[str, Any], codes: list[InvestmentCode], now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """Follow the deadlines of each investment in `codes`, present and future."""
    part = reminder_state(state)
    today = _local_today(now, ctx)
    added = [c for c in codes if c not in part["investments"]]
    for code in added:
        part["investments"][code] = {"created_at": _utc_iso(now, ctx)}
    lines: list[str] = []
    if added:
        lines.append("Tilasit muistutukset: " + join_fi([_label(c, ctx) for c in added]) + ".")
    already = [c for c in codes if c not in added]
    if already:
        lines.append("Olit jo tilannut: " + join_fi([_label(c, ctx) for c in already]) + ".")
    shown: set[str] = set()
    any_past = False
    any_future = False
    for code in codes:
        for deadline in _deadlines_for(code, ctx):
            if deadline.id in shown:
                continue
            shown.add(deadline.id)
            if deadline.date < today:
                any_past = True
                lines.append(f"• {fmt_date(deadline.date)} – {deadline.title}: määräaika on jo mennyt.")
            else:
                any_future = True
                plan = _reminder_plan(deadline.date, now, ctx)
                lines.append(f"• {fmt_date(deadline.date)} – {deadline.title}. {plan}")
    if not shown:
        lines.append("Tälle investoinnille ei ole vielä määräaikoja.")
    if any_past:
        lines.append("")
        lines.append(_after_deadline(ctx))
    if not any_future:
        lines.append(
            "Tulevia määräaikoja ei nyt ole. Tilaus on voimassa: jos ohjeeseen lisätään uusi määräaika, "
            "saat siitä muistutukset automaattisesti. "
            "Oman määräajan voit lisätä: muistutus 15.12.2026 Valmis-tila."
        )
    slides = {s for d in ctx.kb.deadlines if d.id in shown for s in d.sources}
    if any_past:
        slides |= {41, 46}
    return _store(state, part), [Reply("\n".join(lines), sources=_sources(ctx, sorted(slides)))]


def add_personal(
    state: dict[str, Any], date: dt.date, description: str, now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """Add a personal deadline (date in the future or today, description optional)."""
    today = _local_today(now, ctx)
    if date < today:
        return state, [
            Reply(
                f"Päivämäärä {fmt_date(date)} on jo mennyt (tänään on {fmt_date(today)}). "
                "Anna tuleva päivämäärä, esimerkiksi muistutus "
                f"{fmt_date(today + dt.timedelta(days=30))} Valmis-tila.",
                kind="error",
            )
        ]
    if date.year > today.year + MAX_YEARS_AHEAD:
        return state, [
            Reply(
                f"Päivämäärä {fmt_date(date)} on yli {MAX_YEARS_AHEAD} vuoden päässä. Tarkista vuosi.",
                kind="error",
            )
        ]
    text = " ".join(clean(description).split())[:MAX_DESCRIPTION].strip() or DEFAULT_DESCRIPTION
    part = reminder_state(state)
    for item in part["personal"]:
        if item.get("date") == date.isoformat() and fold(str(item.get("text"))) == fold(text):
            return state, [Reply(f"Oma määräaika {_personal_line(item)} on jo muistutuslistallasi.")]
    if len(part["personal"]) >= MAX_PERSONAL:
        return state, [
            Reply(
                f"Sinulla on jo {MAX_PERSONAL} omaa määräaikaa. "
                "Poista jokin ensin (muistutus pois <numero>).",
                kind="error",
            )
        ]
    number = part["next_personal"]
    part["next_personal"] = number + 1
    item = {
        "id": f"{PERSONAL_PREFIX}{number}",
        "date": date.isoformat(),
        "text": text,
        "created_at": _utc_iso(now, ctx),
    }
    part["personal"].append(item)
    reply = f"Lisäsin oman määräajan: {_personal_line(item)}. {_reminder_plan(date, now, ctx)}"
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
        return [], f"Omia määräaikoja on {len(listed)}; numeroa {index} ei ole."
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
    if folded in ALL_WORDS or not folded:
        removed = [_label(c, ctx) for c in part["investments"]]
        removed += [f"oma määräaika {_personal_line(p)}" for p in _personal_sorted(part)]
        if not removed:
            return state, [Reply("Sinulla ei ollut muistutuksia, joten poistettavaa ei ole.")]
        part["investments"] = {}
        part["personal"] = []
        return _store(state, part), [Reply("Poistin kaikki muistutuksesi: " + join_fi(removed) + ".")]

    hits, problem = _match_personal(part, target, _local_today(now, ctx))
    if problem:
        return state, [Reply(f"{problem}\n\n{list_text(state, now, ctx)}", kind="error")]
    if len(hits) > 1:
        names = "\n".join(f"• {_personal_line(p)}" for p in hits)
        return state, [
            Reply(
                f"Useampi oma määräaika sopii hakuun ”{target}”:\n{names}\n"
                "Kerro numero, jolla se näkyy listallasi (muistutus), esimerkiksi: muistutus pois 1.",
                kind="question",
            )
        ]
    if hits:
        gone = hits[0]
        part["personal"] = [p for p in part["personal"] if p.get("id") != gone.get("id")]
        return _store(state, part), [Reply(f"Poistin oman määräajan: {_personal_line(gone)}.")]

    codes, _explicit = find_investments(folded)
    if codes:
        removed_codes = [c for c in codes if c in part["investments"]]
        if not removed_codes:
            return state, [
                Reply(
                    "Sinulla ei ole muistutuksia investoinnista "
                    + join_fi([_label(c, ctx) for c in codes])
                    + ".\n\n"
                    + list_text(state, now, ctx)
                )
            ]
        for code in removed_codes:
            del part["investments"][code]
        return _store(state, part), [
            Reply("Lopetin muistutukset: " + join_fi([_label(c, ctx) for c in removed_codes]) + ".")
        ]
    return state, [
        Reply(f"En löytänyt muistutusta ”{target}”.\n\n{list_text(state, now, ctx)}", kind="error")
    ]


# -- listings ---------------------------------------------------------------------------------------
def list_text(state: dict[str, Any], now: dt.datetime, ctx: Context) -> str:
    """The user's subscriptions, personal deadlines (numbered) and next reminder times."""
    part = reminder_state(state)
    if not part["investments"] and not part["personal"]:
        return (
            "Sinulla ei ole muistutuksia. Tilaa esimerkiksi: muistutus I2 (investoinnin määräajat) tai "
            "muistutus 15.12.2026 Valmis-tila (oma määräaika)."
        )
    today = _local_today(now, ctx)
    lines = ["*Muistutuksesi*"]
    for code in (c for c in INVESTMENT_CODES if c in part["investments"]):
        dates = [
            fmt_date(d.date) + (" (mennyt)" if d.date < today else "") for d in _deadlines_for(code, ctx)
        ]
        lines.append(f"• {_label(code, ctx)}: määräajat {join_fi(dates) or 'ei vielä'}")
    for number, item in enumerate(_personal_sorted(part), start=1):
        past = " (mennyt)" if str(item.get("date")) < today.isoformat() else ""
        lines.append(f"{number}. oma: {_personal_line(item)}{past}")
    ahead = upcoming_reminders(state, ctx.kb.deadlines, now, ctx.tz)
    if ahead:
        lines.append("Seuraavat muistutukset:")
        for nxt in ahead[:5]:
            lines.append(
                f"• {fmt_local(nxt.at, ctx.tz)}: {nxt.title} {fmt_date(nxt.deadline_date)} "
                f"({nxt.offset} pv ennen)"
            )
    else:
        lines.append("Tulevia muistutuksia ei nyt ole (määräajat ovat menneet tai liian lähellä).")
    lines.append("Lopeta: muistutus pois I2, muistutus pois 1 tai muistutus pois (kaikki).")
    return "\n".join(lines)


def subscriptions_summary(state: dict[str, Any], now: dt.datetime, ctx: Context) -> str:
    """One short Finnish paragraph for the App Home tab."""
    part = reminder_state(state)
    if not part["investments"] and not part["personal"]:
        return (
            "Sinulla ei ole muistutuksia. Kirjoita minulle esimerkiksi muistutus I2 tai "
            "muistutus 15.12.2026 Valmis-tila, niin muistutan 30, 14, 7 ja 1 päivää ennen määräaikaa."
        )
    parts = [_label(c, ctx) for c in INVESTMENT_CODES if c in part["investments"]]
    parts += [f"oma määräaika {_personal_line(p)}" for p in _personal_sorted(part)]
    ahead = upcoming_reminders(state, ctx.kb.deadlines, now, ctx.tz)
    if ahead:
        nxt = ahead[0]
        tail = f"Seuraava muistutus {fmt_local(nxt.at, ctx.tz)} ({nxt.title}, {fmt_date(nxt.deadline_date)})."
    else:
        tail = "Tulevia muistutuksia ei nyt ole."
    return f"Muistutukset: {join_fi(parts)}. {tail}"


def deadlines_reply(now: dt.datetime, ctx: Context) -> list[Reply]:
    """`määräajat`: every deadline of the data with dates (past ones marked) and the programme phases."""
    today = _local_today(now, ctx)
    lines = ["*Toimintamallien määräajat* (ohjeen diat 8 ja 9)"]
    for deadline in sorted(ctx.kb.deadlines, key=lambda d: d.date):
        mark = " – määräaika on mennyt" if deadline.date < today else ""
        who = (
            join_fi([ctx.kb.investments[c].short for c in deadline.investments])
            if deadline.investments
            else "kaikki investoinnit"
        )
        lines.append(f"• {fmt_date(deadline.date)}: {deadline.title} ({who}){mark}")
    lines.append("")
    lines.append("*Ohjelman vaiheet* (dia 8)")
    for phase in ctx.kb.common.phases:
        lines.append(f"• {phase.name} ({phase.when})")
    if any(d.date < today for d in ctx.kb.deadlines):
        lines.append("")
        lines.append(_after_deadline(ctx))
    lines.append("Muistutukset yksityisviestinä: muistutus I2 tai muistutus 15.12.2026 Valmis-tila.")
    slides = sorted({8, 9} | ({41, 46} if any(d.date < today for d in ctx.kb.deadlines) else set()))
    return [Reply("\n".join(lines), sources=_sources(ctx, slides))]
