"""The perustiedot dialog: a waterfall of steps that collects, validates and summarises the basics.

A turn is `(state, input, now) -> (state, replies)` with no channel in it. The steps are data
(`STEPS`); each names the perustiedot field it fills, its kind (choice/multi/text/list), its
choices, a pre-fill and a parser, and is validated by the field's validator from
`dialogs.validator` (found by field name). The texts live in knowledge/data/rules.yaml.
State: `{"dialog": {"step", "answers", "history", "skipped", "started", "updated", ...}}`.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from dialogs import reading
from dialogs.answers import answer_reply
from dialogs.context import Context
from dialogs.replies import Choice, Reply, Source
from dialogs.validator import (
    FIELD_VALIDATORS,
    FIELDS,
    Checker,
    Finding,
    Perustiedot,
    build_name,
    code_label,
    county_finder,
    key,
    parse_name,
    report_text,
    resolve_investment,
    validate,
)
from knowledge.models import INVESTMENT_CODES, InvestmentCode
from knowledge.render import fmt_date
from knowledge.rules import DialogTexts, Rules, StepText, default_rules
from knowledge.text import fold

StepKind = Literal["choice", "multi", "text", "list"]
Parsed = tuple[Any, str | None]  # (value, error message)
STALE_AFTER = dt.timedelta(minutes=30)
SUMMARY = "summary"
EXPORT_FIELDS = FIELDS  # the check command's input format, in the same order


def _rules() -> Rules:
    return default_rules()


def _texts() -> DialogTexts:
    return _rules().dialog


def step_text(name: str) -> StepText:
    return _texts().steps[name]


# -- parsing helpers ---------------------------------------------------------------------------------


def _numbers(text: str) -> list[int] | None:
    """The numbers of "1", "1, 3" or "2 ja 4"; None when the text is not only numbers."""
    folded = fold(text)
    if not re.fullmatch(r"\s*\d+(?:\s*(?:,|;|ja|and|\s)\s*\d+)*\s*", folded):
        return None
    return [int(n) for n in re.findall(r"\d+", folded)]


def _is_word(text: str, words: list[str]) -> bool:
    return reading.is_word(text, words)


def _accepts(text: str) -> bool:
    return _is_word(text, _texts().accept_words)


# -- the steps: choices, pre-fills and parsers ------------------------------------------------------


def _investment_choices(answers: dict[str, Any], ctx: Context) -> list[Choice]:
    return [
        Choice(label=f"{code}: {ctx.kb.investments[code].label}", value=code) for code in INVESTMENT_CODES
    ]


def _yes_no_choices(answers: dict[str, Any], ctx: Context) -> list[Choice]:
    texts = _texts()
    return [Choice(texts.yes_label, "kyllä", "primary"), Choice(texts.no_label, "ei")]


def _accept_choices(answers: dict[str, Any], ctx: Context) -> list[Choice]:
    return [Choice(_texts().accept_label, "ok", "primary")]


def _parse_investoinnit(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
    pieces = [p.strip() for p in _INVESTMENT_SEPARATORS.split(text) if p and p.strip()]
    if len(pieces) > 1:  # "inv4 ja 2", "I1, 4", "P3 sekä I2"
        found: list[InvestmentCode] = []
        named = any(not piece.isdigit() for piece in pieces)  # "inv4 ja 2": 2 is investment 2, not menu 2
        for piece in pieces:
            if named and piece.isdigit():
                piece = f"I{piece}"
            codes, _ = _parse_investoinnit(piece, answers, ctx)
            if not codes:
                return None, step_text("investoinnit").error
            found.extend(c for c in codes if c not in found)
        return [c for c in INVESTMENT_CODES if c in found], None
    numbers = _numbers(text)
    if numbers is not None:
        if all(1 <= n <= len(INVESTMENT_CODES) for n in numbers):
            return [INVESTMENT_CODES[n - 1] for n in sorted(set(numbers))], None
        return None, step_text("investoinnit").error
    codes, problem = resolve_investment(text)
    if problem or not codes:
        return None, step_text("investoinnit").error
    return list(codes), None


_INVESTMENT_SEPARATORS = re.compile(r"[,;/&\n]|\s+(?:ja|sekä|seka|and|och)\s+", re.IGNORECASE)


def _parse_valmennus(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
    texts = _texts()
    if fold(text).strip() == "1" or _is_word(text, texts.yes_words):
        return True, None
    if fold(text).strip() == "2" or _is_word(text, texts.no_words):
        return False, None
    return None, step_text("valmennus").error


def _parse_county(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
    county = county_finder(ctx.kb).find(fold(text))
    if county is None:
        return None, step_text("hyvinvointialue").error.format(value=text.strip())
    return county.name, None


def county_guess(text: str, ctx: Context) -> str | None:
    """The county a misspelt name most likely means ("pirknamaa" -> Pirkanmaan hyvinvointialue)."""
    forms = {
        form: county.name
        for county in ctx.kb.counties
        for form in (*county.forms, county.name, county.genitive, county.genitive.rstrip("n"))
    }
    found = reading.option_of(text, forms, cutoff=reading.FUZZY_GUESS)
    return forms.get(found) if found else None


def form_error(step: Step, text: str, error: str, ctx: Context) -> str:
    """An answer's error as a form shows it beside the field, with the county a typo most likely means."""
    guess = county_guess(text, ctx) if step.name == "hyvinvointialue" else None
    return f"{error} {_texts().did_you_mean_form.format(value=guess)}" if guess else error


def _parse_process(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
    parts = parse_name(text, county_finder(ctx.kb))
    process = parts.process.strip(" ,") if parts.county or parts.tag else text.strip(" ,")
    if not process:
        return None, step_text("prosessi").error
    return process, None


def suggested_name(answers: dict[str, Any], ctx: Context) -> str | None:
    """The name built from the answers so far (process, county, investments, valmennus)."""
    county = ctx.kb.county(answers.get("hyvinvointialue") or "")
    codes: list[InvestmentCode] = [c for c in INVESTMENT_CODES if c in (answers.get("investoinnit") or [])]
    process = answers.get("prosessi") or ""
    if not (county and codes and process):
        return None
    valmennus = bool(answers.get("valmennus")) and "P4I1" in codes
    return build_name(process, county, codes, valmennus, ctx.kb, _rules())


def step_help(name: str, answers: dict[str, Any], ctx: Context) -> str:
    """The step's help; for the name, the pattern filled in with the user's own county and investments."""
    text = step_text(name)
    pattern = suggested_name({**answers, "prosessi": step_text("prosessi").label}, ctx)
    if not (text.help_known and pattern):
        return text.help
    codes = [c for c in INVESTMENT_CODES if c in answers["investoinnit"]]
    slides = _rules().dia("nimi", codes) + (_rules().dia("valmennus") if answers.get("valmennus") else [])
    return text.help_known.format(pattern=pattern, slides=", ".join(str(d) for d in dict.fromkeys(slides)))


def _parse_nimi(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
    suggestion = suggested_name(answers, ctx)
    if _accepts(text) or (suggestion and fold(text).strip() == "1"):
        if suggestion:
            return suggestion, None
        return None, step_text("nimi").alt_prompt
    return text.strip(), None


def name_from_process(text: str, answers: dict[str, Any], ctx: Context) -> str | None:
    """A name answer with neither county nor tag ("Digineuvonta") is a new process name: the name built
    from it, when the other parts are known."""
    parts = parse_name(text, county_finder(ctx.kb))
    if parts.county or parts.tag or not text.strip():
        return None
    return suggested_name({**answers, "prosessi": text.strip(" ,")}, ctx)


def _parse_text(name: str) -> Callable[[str, dict[str, Any], Context], Parsed]:
    def parse(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
        value = text.strip()
        return (value, None) if value else (None, step_text(name).error)

    return parse


def _parse_list(name: str) -> Callable[[str, dict[str, Any], Context], Parsed]:
    def parse(text: str, answers: dict[str, Any], ctx: Context) -> Parsed:
        step = STEP_BY_NAME[name]
        current = current_value(step, answers, ctx) or []
        if step.prefill is not None and (_accepts(text) or fold(text).strip() == "1"):
            return list(current), None
        added = _items(name, text, ctx)
        if not added:
            return None, step_text(name).error
        if step.prefill is None or answers.get(name):  # a revisited list is written anew
            return added, None
        merged = list(current)
        for item in added:
            if key(item) not in {key(m) for m in merged}:
                merged.append(item)
        return merged, None

    return parse


def _options(name: str, ctx: Context) -> list[str]:
    """Innokylä's own terms for a list field (the values a user picks there)."""
    common = ctx.kb.common
    if name == "rahoittajat":
        return list(common.rahoittajat)
    if name == "aihealueet":
        return [common.aihealue_rrp, *(inv.aihealue for inv in ctx.kb.investments.values())]
    if name == "ilmiot":
        return [common.ilmio]
    if name == "kokonaisuudet":
        found = [inv.kansallinen_kokonaisuus for inv in ctx.kb.investments.values()]
        return [k for k in found if k] + [common.valmennus.kokonaisuus]
    return []


def _items(name: str, text: str, ctx: Context) -> list[str]:
    """A list answer as people write it, in Innokylä's terms; maintainers as their e-mail addresses."""
    if name == "yllapitajat":
        found = reading.emails(text)
        rest = reading.EMAIL.sub(" ", text)
        rest = re.sub(r"[()<>]", " ", rest)
        names = [i for i in reading.split_items(rest) if not reading.emails(i) and re.search(r"\w", i)]
        return found if found and len(names) <= len(found) else found + names
    options = _options(name, ctx)
    aliases = _texts().option_aliases.get(name, {})
    items = reading.split_items(text, [*options, *aliases])
    items = [i for i in items if not reading.is_reserved(i, _texts())]
    return reading.canonical_items(items, options, aliases)


def _prefill_kokonaisuudet(answers: dict[str, Any], ctx: Context) -> list[str]:
    checker = Checker(Perustiedot.model_validate(export(answers)), ctx.kb, _rules())
    items: list[str] = []
    own = checker.own_kokonaisuus()
    if own:
        items.append(own)
    for code in checker.codes:
        national = ctx.kb.investments[code].kansallinen_kokonaisuus
        if national:
            items.append(national)
    if answers.get("valmennus") and "P4I1" in checker.codes:
        items.append(ctx.kb.common.valmennus.kokonaisuus)
    return items


def _prefill_rahoittajat(answers: dict[str, Any], ctx: Context) -> list[str]:
    return list(ctx.kb.common.rahoittajat)


def _prefill_aihealueet(answers: dict[str, Any], ctx: Context) -> list[str]:
    codes = [c for c in INVESTMENT_CODES if c in (answers.get("investoinnit") or [])]
    return [ctx.kb.common.aihealue_rrp, *(ctx.kb.investments[c].aihealue for c in codes)]


def _prefill_ilmiot(answers: dict[str, Any], ctx: Context) -> list[str]:
    return [ctx.kb.common.ilmio]


def _always(answers: dict[str, Any]) -> bool:
    return True


def _valmennus_applies(answers: dict[str, Any]) -> bool:
    return "P4I1" in (answers.get("investoinnit") or [])


@dataclass(frozen=True)
class Step:
    """One step of the waterfall: the field it fills and how its answer is offered, parsed and checked."""

    name: str
    kind: StepKind
    parse: Callable[[str, dict[str, Any], Context], Parsed]
    field: str | None = None  # the perustiedot field (None: only feeds the suggested name)
    choices: Callable[[dict[str, Any], Context], list[Choice]] | None = None
    prefill: Callable[[dict[str, Any], Context], Any] | None = None
    applies: Callable[[dict[str, Any]], bool] = _always
    # the step's quirks, so that no code has to know steps by name
    boolean: bool = False  # a yes/no answer: False is an answer, not a blank
    multiline: bool = False  # free text that may run over several lines (a form shows a text area)
    feeds_name: bool = False  # an answer the suggested name is built from
    suggested: bool = False  # the answer has a default built from earlier answers (the name)
    kept_with_errors: bool = False  # a wrong answer is kept for editing; the summary lists the fix
    required: bool = False  # every other step depends on it (a form cannot leave it blank)
    inline: bool = False  # a list shown on one line, not as bullets

    @property
    def validator(self) -> Callable[[Checker], list[Finding]] | None:
        """The field's validator from dialogs.validator, found by field name."""
        return FIELD_VALIDATORS.get(self.field) if self.field else None

    @property
    def text(self) -> StepText:
        return step_text(self.name)


STEPS: tuple[Step, ...] = (
    Step(
        "investoinnit",
        "multi",
        _parse_investoinnit,
        "investoinnit",
        choices=_investment_choices,
        feeds_name=True,
        required=True,
    ),
    Step(
        "valmennus",
        "choice",
        _parse_valmennus,
        "valmennus",
        _yes_no_choices,
        applies=_valmennus_applies,
        boolean=True,
        feeds_name=True,
    ),
    Step("hyvinvointialue", "text", _parse_county, "hyvinvointialue", feeds_name=True),
    Step("prosessi", "text", _parse_process, None, feeds_name=True),
    Step("nimi", "choice", _parse_nimi, "nimi", choices=_accept_choices, suggested=True),
    Step(
        "lyhyt_kuvaus",
        "text",
        _parse_text("lyhyt_kuvaus"),
        "lyhyt_kuvaus",
        multiline=True,
        kept_with_errors=True,
    ),
    Step("toteutuspaikka", "text", _parse_text("toteutuspaikka"), "toteutuspaikka", multiline=True),
    Step("kohderyhma", "text", _parse_text("kohderyhma"), "kohderyhma", multiline=True),
    Step(
        "kokonaisuudet",
        "list",
        _parse_list("kokonaisuudet"),
        "kokonaisuudet",
        _accept_choices,
        _prefill_kokonaisuudet,
    ),
    Step(
        "rahoittajat",
        "list",
        _parse_list("rahoittajat"),
        "rahoittajat",
        _accept_choices,
        _prefill_rahoittajat,
    ),
    Step("aihealueet", "list", _parse_list("aihealueet"), "aihealueet", _accept_choices, _prefill_aihealueet),
    Step("ilmiot", "list", _parse_list("ilmiot"), "ilmiot", _accept_choices, _prefill_ilmiot, inline=True),
    Step("yllapitajat", "list", _parse_list("yllapitajat"), "yllapitajat", kept_with_errors=True),
)
STEP_BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}
NAME_STEP = next(step.name for step in STEPS if step.suggested)  # the name, suggested from the others
_EMPTY: dict[StepKind, Any] = {"choice": "", "multi": [], "text": "", "list": []}


# -- answers, export and validation -------------------------------------------------------------------


def export(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as perustiedot JSON (the input format of `toimintamalli check`)."""
    out: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = answers.get(name)
        if name == "valmennus":
            out[name] = bool(value) and "P4I1" in (answers.get("investoinnit") or [])
        elif STEP_BY_NAME[name].kind in ("multi", "list"):
            out[name] = list(value) if isinstance(value, list) else []
        else:
            out[name] = value if isinstance(value, str) else ""
    return out


def current_value(step: Step, answers: dict[str, Any], ctx: Context) -> Any:
    """The step's answer so far, or its pre-fill."""
    if step.name in answers and answers[step.name] not in (None, "", []):
        return answers[step.name]
    return step.prefill(answers, ctx) if step.prefill else None


def _findings(field: str, value: Any, answers: dict[str, Any], ctx: Context) -> list[Finding]:
    validator = FIELD_VALIDATORS.get(field)
    if validator is None:
        return []
    trial = dict(answers)
    trial[field] = value
    data = Perustiedot.model_validate(export(trial))
    return validator(Checker(data, ctx.kb, _rules(), process=trial.get("prosessi")))


def validate_answer(field: str, value: Any, answers: dict[str, Any], ctx: Context) -> str | None:
    """Error messages (one string) for `value` as the answer of `field` given the others; None if fine."""
    errors = [f.message for f in _findings(field, value, answers, ctx) if f.severity == "error"]
    return " ".join(errors) if errors else None


def _answer_problems(
    step: Step, value: Any, answers: dict[str, Any], ctx: Context
) -> tuple[str | None, list[str]]:
    """Errors that block the answer, and warnings and notes that are shown with the answer accepted."""
    if step.field is None:
        return None, []
    findings = _findings(step.field, value, answers, ctx)
    errors = [f.message for f in findings if f.severity == "error"]
    warnings = " ".join(f.message for f in findings if f.severity == "warning")
    shown = [_texts().warnings_noted.format(warnings=warnings)] if warnings else []
    shown += [f.message for f in findings if f.severity == "note"]
    return (" ".join(errors) if errors else None), shown


# -- replies ------------------------------------------------------------------------------------------


def _show(value: Any, ctx: Context | None = None) -> str:
    """A stored value as the user reads it: yes/no in Finnish, investment codes as the guide writes them."""
    if isinstance(value, bool):
        return _texts().yes_label if value else _texts().no_label
    if isinstance(value, list) and ctx is not None and value and set(value) <= set(INVESTMENT_CODES):
        return ", ".join(code_label(c, ctx.kb) for c in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "–"
    return str(value) if value else "–"


def prompt_reply(step: Step, answers: dict[str, Any], ctx: Context) -> Reply:
    """The step's question with its choices (and the current value when revisiting)."""
    text = step.text
    values: dict[str, Any] = {"max": ctx.kb.common.max_muut_aihealueet}
    prompt = text.prompt
    choices = tuple(step.choices(answers, ctx)) if step.choices else ()
    if step.suggested:
        suggestion = suggested_name(answers, ctx)
        if suggestion is None:
            prompt, choices = text.alt_prompt, ()
        values["suggestion"] = suggestion
    if step.prefill is not None:
        current = current_value(step, answers, ctx) or []
        values["current"] = "\n".join(f"• {item}" for item in current) if not step.inline else _show(current)
    body = prompt.format(**values)
    if step.kind == "list" and answers.get(step.name):
        body += "\n" + _texts().edit_list_hint
    previous = answers.get(step.name)
    if previous not in (None, "", []) and step.prefill is None and not step.suggested:
        body += "\n" + _texts().current_value.format(value=_show(previous, ctx))
    elif step.suggested and answers.get(step.name) and answers.get(step.name) != values.get("suggestion"):
        body += "\n" + _texts().current_value.format(value=answers[step.name])
    return Reply(body, kind="question", choices=choices, multi=step.kind == "multi", step=step.name)


def _resume_reply(dialog: dict[str, Any]) -> Reply:
    texts = _texts()
    labels = texts.resume_choices
    where = texts.resume_where.format(**_progress(dialog))
    return Reply(
        f"{where}\n{texts.resume_question}",
        kind="question",
        choices=(
            Choice(labels[0], "jatka", "primary"),
            Choice(labels[1], "aloita alusta"),
            Choice(labels[2], "peruuta", "danger"),
        ),
        step="resume",
    )


def _progress(dialog: dict[str, Any]) -> dict[str, Any]:
    answers = dialog.get("answers", {})
    steps = [s for s in STEPS if s.applies(answers)]
    filled = sum(
        1 for s in steps if answers.get(s.name) not in (None, "", []) or (s.boolean and s.name in answers)
    )
    name = dialog.get("step", "")
    label = step_text(name).label if name in _texts().steps else name
    return {"step": label, "filled": filled, "total": len(steps)}


def summary_reply(dialog: dict[str, Any], ctx: Context) -> Reply:
    """The validator's findings and the perustiedot JSON (in `data` and as text)."""
    texts = _texts()
    answers = dialog.get("answers", {})
    data = export(answers)
    report = validate(data, ctx.kb, _rules(), process=answers.get("prosessi"))
    lines = [texts.summary_title]
    skipped = dialog.get("skipped", [])
    asked = set(dialog.get("history", [])) | {n for n in answers if answers.get(n) not in (None, "", [])}
    unasked = [] if dialog.get("step") == SUMMARY else _unasked(dialog, asked)
    missing = [
        step.text.label
        for step in STEPS
        if step.applies(answers)
        and step.field is not None
        and not step.boolean
        and step.name not in unasked
        and (step.name in skipped or answers.get(step.name) in (None, "", []))
    ]
    if missing:
        lines.append(texts.summary_missing.format(fields=", ".join(dict.fromkeys(missing))))
    if unasked:
        labels = [STEP_BY_NAME[n].text.label for n in unasked if STEP_BY_NAME[n].field]
        lines.append(texts.summary_unasked.format(fields=", ".join(labels)))
        shown = {STEP_BY_NAME[n].field for n in unasked}
        report = replace(
            report,
            findings=[f for f in report.findings if f.field not in shown],
            missing=[m for m in report.missing if m not in shown],
        )
    lines.append(report_text(report, ctx.kb, _rules()))
    lines.append(texts.summary_json)
    lines.append(json.dumps(data, ensure_ascii=False, indent=2))
    lines.append(texts.summary_next)
    slides = sorted(
        {d for f in report.findings if f.severity in ("error", "warning") for d in f.sources} or {16, 20}
    )
    sources = tuple(Source(d, ctx.kb.slide_title(d)) for d in slides)
    return Reply("\n".join(lines), kind="summary", data=data, sources=sources)


# -- state helpers ------------------------------------------------------------------------------------


def is_active(state: dict[str, Any]) -> bool:
    return bool(state.get("dialog"))


def _unasked(dialog: dict[str, Any], asked: set[str]) -> list[str]:
    """The steps from the current one on that the dialog has not asked yet."""
    answers = dialog.get("answers", {})
    names = [s.name for s in STEPS if s.applies(answers)]
    here = dialog.get("step")
    start = names.index(here) if here in names else len(names)
    return [n for n in names[start:] if n not in asked]


def saved_summary(state: dict[str, Any], ctx: Context) -> Reply:
    """After Valmis: the last saved perustiedot again, with their check and JSON."""
    texts = _texts()
    saved = (state or {}).get("perustiedot") or {}
    data = saved.get("last") if isinstance(saved, dict) else None
    if not isinstance(data, dict):
        return Reply(texts.nothing_saved)
    try:
        report = validate(data, ctx.kb, _rules())
    except ValueError:
        return Reply(texts.nothing_saved)
    finished = str(saved.get("finished", ""))[:10]
    with contextlib.suppress(ValueError):
        finished = fmt_date(dt.date.fromisoformat(finished))
    lines = [
        texts.saved_summary_title.format(date=finished),
        report_text(report, ctx.kb, _rules()),
        texts.summary_json,
        json.dumps(data, ensure_ascii=False, indent=2),
    ]
    return Reply("\n".join(lines), kind="summary", data=data)


def _new_dialog(now: dt.datetime) -> dict[str, Any]:
    stamp = now.isoformat()
    return {
        "step": STEPS[0].name,
        "answers": {},
        "history": [],
        "skipped": [],
        "started": stamp,
        "updated": stamp,
    }


def _next_step(dialog: dict[str, Any], after: str) -> str:
    answers = dialog["answers"]
    names = [s.name for s in STEPS]
    start = names.index(after) + 1 if after in names else len(names)
    for step in STEPS[start:]:
        if not step.applies(answers):
            continue
        if dialog.get("return_to_summary") and step.name in answers:
            continue
        return step.name
    dialog.pop("return_to_summary", None)
    return SUMMARY


def _is_stale(dialog: dict[str, Any], now: dt.datetime) -> bool:
    try:
        updated = dt.datetime.fromisoformat(dialog.get("updated", ""))
        return now - updated > STALE_AFTER
    except (TypeError, ValueError):
        return False


def _is_question(text: str) -> bool:
    folded = fold(text).strip()
    if folded.endswith("?") and len(folded) > 1:
        return True
    first = folded.split(" ", 1)[0] if folded else ""
    return " " in folded and first in {fold(w) for w in _texts().question_words}


def dialog_command(text: str) -> tuple[str | None, str]:
    """The dialog command the text is ("takaisin", "muokkaa nimi", "chek"…) and its argument."""
    return reading.command(text, _texts())


def _find_step(arg: str, answers: dict[str, Any]) -> Step | None:
    wanted = key(arg)
    for step in STEPS:
        names = [step.name, step.text.label, *step.text.aliases]
        if wanted in {key(n) for n in names} and step.applies(answers):
            return step
    return None


def _refresh_name(dialog: dict[str, Any], ctx: Context, before: str | None) -> None:
    """Keep an accepted name suggestion in step with edited parts (investments, county, process)."""
    answers = dialog["answers"]
    if before and answers.get(NAME_STEP) == before:
        after = suggested_name(answers, ctx)
        if after:
            answers[NAME_STEP] = after


# -- the turn ---------------------------------------------------------------------------------------


def start(state: dict[str, Any], now: dt.datetime, ctx: Context) -> tuple[dict[str, Any], list[Reply]]:
    """`check`: start the dialog, or ask whether to continue an existing draft."""
    state = copy.deepcopy(state) if state else {}
    dialog = state.get("dialog")
    if dialog:
        dialog["pending"] = "resume"
        dialog["updated"] = now.isoformat()
        return state, [_resume_reply(dialog)]
    state["dialog"] = dialog = _new_dialog(now)
    return state, [Reply(_texts().intro), prompt_reply(STEPS[0], dialog["answers"], ctx)]


def draft_answers(state: dict[str, Any]) -> dict[str, Any]:
    """The answers of the user's draft (empty when there is none)."""
    dialog = state.get("dialog") if state else None
    answers = dialog.get("answers") if isinstance(dialog, dict) else None
    return answers if isinstance(answers, dict) else {}


def draft_from_answers(
    state: dict[str, Any], answers: dict[str, Any], skipped: list[str], now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    """The state with `answers` (e.g. from a form) as a draft at its summary step, and the summary."""
    new_state = copy.deepcopy(state) if state else {}
    dialog = {**_new_dialog(now), "step": SUMMARY, "answers": answers, "skipped": list(skipped)}
    new_state["dialog"] = dialog
    return new_state, [summary_reply(dialog, ctx)]


def draft_status(state: dict[str, Any]) -> str | None:
    """One Finnish line about an unfinished draft (which step, how many fields filled), or None."""
    dialog = state.get("dialog") if state else None
    if not dialog:
        return None
    return _texts().status.format(**_progress(dialog))


def draft_kept(state: dict[str, Any]) -> str | None:
    """ "Luonnos on tallessa (7/12 …)" when the user leaves with an unfinished draft, else None."""
    dialog = state.get("dialog") if state else None
    if not _is_sane(dialog):
        return None
    assert isinstance(dialog, dict)
    return _texts().draft_kept.format(**_progress(dialog))


def _is_sane(dialog: Any) -> bool:
    """Whether a stored draft has the shape this version reads."""
    return (
        isinstance(dialog, dict)
        and (dialog.get("step") in STEP_BY_NAME or dialog.get("step") == SUMMARY)
        and isinstance(dialog.get("answers"), dict)
        and isinstance(dialog.get("history", []), list)
        and all(h in STEP_BY_NAME or h == SUMMARY for h in dialog.get("history", []))
        and isinstance(dialog.get("skipped", []), list)
    )


def _cancel(state: dict[str, Any]) -> tuple[dict[str, Any], list[Reply]]:
    state.pop("dialog", None)
    return state, [Reply(_texts().cancelled)]


def expected_step(state: dict[str, Any]) -> str | None:
    """What the dialog waits for now: a pending question ("resume", "cancel") or the step's name."""
    dialog = state.get("dialog")
    if not isinstance(dialog, dict) or not _is_sane(dialog):
        return None
    return str(dialog.get("pending") or dialog["step"])


def stale_click(state: dict[str, Any], step: str, value: str, ctx: Context) -> list[Reply] | None:
    """A note and the current question when a clicked choice belongs to another question than the one
    the dialog is at (an old prompt's button), or is not one of that step's choices; else None."""
    dialog = state.get("dialog")
    current = expected_step(state)
    if current == step and isinstance(dialog, dict):
        definition = STEP_BY_NAME.get(step)
        offered = definition.choices(dialog["answers"], ctx) if definition and definition.choices else []
        values = {c.value for c in offered}
        multi = definition is not None and definition.kind == "multi"
        picked = [v.strip() for v in value.split(",")] if multi else [value]
        if not values or all(v in values for v in picked):
            return None
    texts = _texts()
    if current is None or not isinstance(dialog, dict):
        return [Reply(texts.stale_click_no_dialog)]
    prompt = _resume_reply(dialog) if dialog.get("pending") == "resume" else _current_prompt(dialog, ctx)
    return [Reply(texts.stale_click), prompt]


def _current_prompt(dialog: dict[str, Any], ctx: Context) -> Reply:
    if dialog["step"] == SUMMARY:
        return summary_reply(dialog, ctx)
    return prompt_reply(STEP_BY_NAME[dialog["step"]], dialog["answers"], ctx)


def _finish(state: dict[str, Any], now: dt.datetime) -> None:
    dialog = state.pop("dialog")
    state["perustiedot"] = {"last": export(dialog["answers"]), "finished": now.isoformat()}


# -- interruptions: commands that leave the current step for a moment (ohita is the step's own) --------
Turned = tuple[dict[str, Any], list[Reply]]


def _on_cancel(state: dict[str, Any], dialog: dict[str, Any], arg: str, ctx: Context) -> Turned:
    dialog["pending"] = "cancel"
    return state, [Reply(_texts().cancel_confirm.format(**_progress(dialog)), kind="question")]


def _on_help(state: dict[str, Any], dialog: dict[str, Any], arg: str, ctx: Context) -> Turned:
    help_text = step_help(dialog["step"], dialog["answers"], ctx)
    return state, [Reply(help_text, kind="help"), _current_prompt(dialog, ctx)]


def _on_summary(state: dict[str, Any], dialog: dict[str, Any], arg: str, ctx: Context) -> Turned:
    replies = [summary_reply(dialog, ctx)]
    if dialog["step"] != SUMMARY:
        replies.append(_current_prompt(dialog, ctx))
    return state, replies


def _on_back(state: dict[str, Any], dialog: dict[str, Any], arg: str, ctx: Context) -> Turned:
    history: list[str] = dialog.get("history", [])
    if not history:
        return state, [Reply(_texts().first_step), _current_prompt(dialog, ctx)]
    dialog["step"] = history.pop()
    dialog.pop("return_to_summary", None)
    return state, [_current_prompt(dialog, ctx)]


def _on_edit(state: dict[str, Any], dialog: dict[str, Any], arg: str, ctx: Context) -> Turned:
    target = _find_step(arg, dialog["answers"]) if arg else None
    if target is None:
        fields = ", ".join(s.text.aliases[0] if s.text.aliases else s.name for s in STEPS)
        return state, [Reply(_texts().unknown_field.format(value=arg or "–", fields=fields), kind="error")]
    if dialog["step"] != target.name:
        dialog.setdefault("history", []).append(dialog["step"])
    dialog["step"] = target.name
    dialog["return_to_summary"] = True
    dialog["editing"] = {"step": target.name, "before": _show(dialog["answers"].get(target.name), ctx)}
    return state, [prompt_reply(target, dialog["answers"], ctx)]


INTERRUPTIONS: dict[str, Callable[[dict[str, Any], dict[str, Any], str, Context], Turned]] = {
    "peruuta": _on_cancel,
    "apua": _on_help,
    "yhteenveto": _on_summary,
    "takaisin": _on_back,
    "muokkaa": _on_edit,
}


def _interrupt(command: str, state: dict[str, Any], dialog: dict[str, Any], arg: str, ctx: Context) -> Turned:
    """The one place the dialog's interruptions are handled (the command words are rules.yaml's)."""
    return INTERRUPTIONS[command](state, dialog, arg, ctx)


def turn(
    state: dict[str, Any], text: str, now: dt.datetime, ctx: Context, session: str = ""
) -> tuple[dict[str, Any], list[Reply]]:
    """One user input to the active dialog. `session` names the terminal run or app session: a draft
    found in another session is offered for resuming first, and that input is not taken as an answer."""
    state = copy.deepcopy(state)
    dialog = state.get("dialog")
    if not _is_sane(dialog):  # nothing, or a draft from an older version: begin again
        state.pop("dialog", None)
        return start(state, now, ctx)
    assert isinstance(dialog, dict)
    texts = _texts()
    stale = _is_stale(dialog, now)
    other_session = bool(session) and dialog.get("session", session) != session
    dialog["updated"] = now.isoformat()
    if session:
        dialog["session"] = session
    command, arg = dialog_command(text)

    if dialog.get("pending") == "resume":
        return _resume_turn(state, text, now, ctx)
    if dialog.get("pending") == "cancel":
        dialog.pop("pending")
        if _is_word(text, texts.yes_words) or command == "peruuta":
            return _cancel(state)
        return state, [Reply(texts.cancel_kept), _current_prompt(dialog, ctx)]
    if dialog["step"] == SUMMARY and command is None and _is_word(text, texts.done_words):
        _finish(state, now)
        return state, [Reply(texts.finished)]
    if stale or other_session or command == "check":
        dialog["pending"] = "resume"
        return state, [_resume_reply(dialog)]
    if command == "peruuta":
        return _interrupt(command, state, dialog, arg, ctx)
    if _is_word(text, texts.stop_words):
        dialog["pending"] = "resume"
        return state, [Reply(texts.draft_kept.format(**_progress(dialog)))]
    if _is_word(text, texts.continue_words):
        return state, [_current_prompt(dialog, ctx)]
    if command in INTERRUPTIONS:
        return _interrupt(command, state, dialog, arg, ctx)
    if dialog["step"] == SUMMARY:  # a question at the summary (skipping has nothing to skip there)
        if command is not None:
            return state, [Reply(step_text(SUMMARY).prompt, kind="question")]
        return state, [answer_reply(text, ctx), _current_prompt(dialog, ctx)]
    step = STEP_BY_NAME[dialog["step"]]
    current = _keepable(step, dialog["answers"], ctx)
    keeps = not text.strip() or (_accepts(text) and not step.boolean)  # "ok", Enter
    if (command == "ohita" or (command is None and keeps)) and current is not None:
        return state, _answer(dialog, step, text, ctx, kept=current)  # the value stays
    if command is None and not text.strip():
        return state, [_current_prompt(dialog, ctx)]
    if command is None and dialog.get("guess") and _is_word(text, texts.yes_words):
        return state, _answer(dialog, step, text, ctx, kept=dialog.pop("guess"))
    dialog.pop("guess", None)
    if (
        command is None
        and (step.kind in ("text", "list") or step.suggested)
        and reading.is_reserved(text, texts)
    ):
        empty = Reply(texts.still_empty.format(word=text.strip()), kind="error")
        return state, [empty, _current_prompt(dialog, ctx)]
    if command == "ohita":
        dialog["answers"][step.name] = False if step.boolean else _EMPTY[step.kind]
        if step.name not in dialog.setdefault("skipped", []):
            dialog["skipped"].append(step.name)
        return state, [Reply(texts.skipped.format(label=step.text.label)), *_advance(dialog, step, ctx)]
    if _is_question(text) and not (step.kind in ("choice", "multi") and _numbers(text)):
        return state, [answer_reply(text, ctx), _current_prompt(dialog, ctx)]
    return state, _answer(dialog, step, text, ctx)


def _keepable(step: Step, answers: dict[str, Any], ctx: Context) -> Any:
    """The value "ok", Enter or `ohita` keeps: the answer so far, else the pre-fill or suggestion."""
    if step.boolean:
        return answers.get(step.name) if step.name in answers else None
    if step.suggested:
        return answers.get(step.name) or suggested_name(answers, ctx)
    value = current_value(step, answers, ctx)
    return value if value not in (None, "", []) else None


def _answer(dialog: dict[str, Any], step: Step, text: str, ctx: Context, kept: Any = None) -> list[Reply]:
    answers = dialog["answers"]
    texts = _texts()
    notes: list[Reply] = []
    if kept is not None:
        value, error = kept, None
    elif step.suggested and (built := name_from_process(text, answers, ctx)):
        answers["prosessi"] = text.strip(" ,")
        value, error = built, None
        notes.append(Reply(texts.name_from_process.format(name=built)))
    else:
        value, error = step.parse(text, answers, ctx)
    warnings: list[str] = []
    if error is None:
        error, warnings = _answer_problems(step, value, answers, ctx)
    if error is not None and step.kept_with_errors and value not in (None, "", []):
        notes.append(Reply(texts.stored_with_errors.format(error=error)))
        error = None
    if error is not None:
        guess = county_guess(text, ctx) if step.name == "hyvinvointialue" else None
        if guess:
            dialog["guess"] = guess
            error = f"{error} {texts.did_you_mean.format(value=guess)}"
        return [
            Reply(texts.invalid_retry.format(error=error), kind="error"),
            prompt_reply(step, answers, ctx),
        ]
    editing = dialog.pop("editing", None)
    if (
        isinstance(editing, dict)
        and editing.get("step") == step.name
        and editing.get("before") != _show(value, ctx)
    ):
        notes.append(
            Reply(
                texts.changed.format(
                    label=step.text.label, before=editing.get("before"), after=_show(value, ctx)
                )
            )
        )
    name_before = answers.get(NAME_STEP) if step.feeds_name else None
    was_suggested = name_before is not None and name_before == suggested_name(answers, ctx)
    answers[step.name] = value
    if step.name in dialog.get("skipped", []):
        dialog["skipped"].remove(step.name)
    if was_suggested:
        _refresh_name(dialog, ctx, name_before)
    if step.suggested and value != suggested_name(answers, ctx):  # the user's own name
        own_process = parse_name(value, county_finder(ctx.kb)).process
        if own_process:
            answers["prosessi"] = own_process
    replies: list[Reply] = notes
    replies.extend(Reply(text) for text in warnings)
    return [*replies, *_advance(dialog, step, ctx)]


def _advance(dialog: dict[str, Any], step: Step, ctx: Context) -> list[Reply]:
    history = dialog.setdefault("history", [])
    history.append(step.name)
    dialog["step"] = _next_step(dialog, step.name)
    return [_current_prompt(dialog, ctx)]


def _resume_turn(
    state: dict[str, Any], text: str, now: dt.datetime, ctx: Context
) -> tuple[dict[str, Any], list[Reply]]:
    dialog = state["dialog"]
    folded = reading.plain(text)
    labels = [reading.plain(label) for label in _texts().resume_choices]
    if folded in ("1", labels[0], "jatketaan", "kylla", "joo", "juu", "k"):
        dialog.pop("pending", None)
        return state, [_current_prompt(dialog, ctx)]
    if folded in ("2", labels[1], "alusta", "aloita"):
        state["dialog"] = fresh = _new_dialog(now)
        return state, [Reply(_texts().intro), prompt_reply(STEPS[0], fresh["answers"], ctx)]
    if folded in ("3", labels[2], "ei") or dialog_command(text)[0] == "peruuta":
        return _cancel(state)
    if _is_question(text):
        return state, [answer_reply(text, ctx), _resume_reply(dialog)]
    return state, [_resume_reply(dialog)]


def hands_off(state: dict[str, Any], text: str, now: dt.datetime) -> bool:
    """True when the input after the summary is not for the dialog (or the dialog has gone stale there):
    the caller closes the dialog with `close` and routes the input as usual."""
    dialog = state.get("dialog")
    if not isinstance(dialog, dict) or not _is_sane(dialog):
        return False
    if dialog.get("pending") == "resume" or dialog["step"] != SUMMARY:
        return False
    if _is_stale(dialog, now):
        return True
    return (
        dialog_command(text)[0] is None and not _is_question(text) and not _is_word(text, _texts().done_words)
    )


def close(state: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Ends the dialog after its summary (the draft is kept as the last finished one)."""
    state = copy.deepcopy(state)
    _finish(state, now)
    return state
