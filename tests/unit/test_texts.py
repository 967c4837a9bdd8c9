"""Every template under knowledge/templates compiles and every message macro renders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
import pytest

from bot.texts import sections
from knowledge.loader import KnowledgeBase
from knowledge.render import TEMPLATES, Renderer, environment, join_fi, render_message, slides_fi, slides_line
from knowledge.rules import default_rules
from tests.paths import ROOT

MESSAGE_TEMPLATES = ["reminders.j2", "deadlines.j2", "reminder_dm.j2", "words.j2"]
DATE = dt.date(2026, 12, 15)

# a sample value for each macro argument name; the same name means the same kind of value
SAMPLES: dict[str, Any] = {
    "added": ["P4 I2"],
    "already": ["P3"],
    "any_future": True,
    "any_past": True,
    "count": 2,
    "date": DATE,
    "days": 14,
    "example": DATE,
    "first": "15.11.2026 klo 9.00",
    "followed": ["P4 I2", "oma määräaika 15.12.2026 Valmis-tila"],
    "investments": ["I2", "I4"],
    "line": "15.12.2026 Valmis-tila",
    "lines": ["15.12.2026 Valmis-tila", "15.12.2026 Toinen"],
    "listing": "*Muistutuksesi*",
    "limit": 20,
    "min_admins": 2,
    "number": 3,
    "offsets": ["30", "14"],
    "past": True,
    "personal": True,
    "phases": [{"name": "Vaihe 1", "when": "30.6.2022 mennessä"}],
    "plan": "Muistutan 14 päivää ennen.",
    "problem": "Päivämäärää 32.1. ei ole olemassa.",
    "removed": ["P4 I2"],
    "slides": [8, 9],
    "text": "Valmis-tila",
    "title": "Valmis-tila",
    "today": DATE,
    "token": "32.1.",
    "upcoming": {"at": "15.11.2026 klo 9.00", "title": "Valmis-tila", "date": DATE},
    "what": "Merkitse toimintamalli valmiiksi.",
    "year": 2027,
    "years": 10,
    "deadlines": [
        {"date": DATE, "title": "Valmis-tila", "past": True, "plan": "", "investments": ["I2"]},
        {"date": DATE, "title": "Toinen", "past": False, "plan": "Muistutan.", "investments": []},
    ],
}
# where one argument name holds a differently shaped value in one message
OVERRIDES: dict[str, dict[str, Any]] = {
    "listing": {
        "investments": [{"label": "P4 I2", "dates": ["31.12.2024 (mennyt)"]}, {"label": "P3", "dates": []}],
        "personal": [{"number": 1, "line": "15.12.2026 Valmis-tila", "past": False}],
        "upcoming": [{"at": "15.11.2026 klo 9.00", "title": "Valmis-tila", "date": DATE, "offset": 30}],
    },
}


def _empty(value: Any) -> Any:
    """The falsy counterpart of a sample (no items, false, nothing upcoming)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return None
    return value


def _messages() -> list[tuple[str, str, tuple[str, ...]]]:
    found = []
    for name in MESSAGE_TEMPLATES:
        module = environment().get_template(name).module
        for attr in dir(module):
            macro = getattr(module, attr)
            if isinstance(macro, jinja2.runtime.Macro):
                found.append((name, attr, tuple(macro.arguments)))
    return found


def test_every_template_compiles() -> None:
    names = sorted(p.name for p in TEMPLATES.glob("*.j2"))
    assert set(MESSAGE_TEMPLATES) <= set(names)
    for name in names:
        environment().get_template(name)


@pytest.mark.parametrize(("template", "message", "arguments"), _messages())
def test_every_message_renders(template: str, message: str, arguments: tuple[str, ...]) -> None:
    values = {arg: OVERRIDES.get(message, {}).get(arg, SAMPLES[arg]) for arg in arguments}
    for filled in (values, {arg: _empty(v) for arg, v in values.items()}):
        text = render_message(template, message, **filled)
        assert text and text == text.strip()
        assert "{{" not in text and "{%" not in text and "\n\n\n" not in text


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_message("reminders.j2", "date_not_real")


def test_answers_and_messages_share_one_environment(kb: KnowledgeBase) -> None:
    assert Renderer(kb).env is environment()
    assert environment().undefined is jinja2.StrictUndefined


def test_joining_words_come_from_the_template() -> None:
    assert join_fi(["a"]) == "a" and join_fi(["a", "b", "c"]) == "a, b ja c"
    assert slides_fi([9]) == "dia 9" and slides_fi([8, 9]) == "diat 8 ja 9"
    assert slides_line([8, 9, 10]) == "Lähde: ohje, diat 8, 9 ja 10"


# -- every text has a reader ------------------------------------------------------------------------


def _code(*rooms: str) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for room in rooms
        for path in (ROOT / room).rglob("*")
        if path.suffix in {".py", ".j2"}
    )


def test_every_text_of_bot_is_read_somewhere() -> None:
    """bot/data/texts.yaml: a storage text is read as _text("key"), a Slack one as texts.KEY, others
    as text("section", "key"). A text nobody reads is dead wording that drifts from the code."""
    code = _code("bot")
    unread = []
    for section, texts in sections().items():
        for key in texts:
            readers = {
                "storage": [f'_text("{key}"', f'text("storage", "{key}"'],
                "slack": [f"texts.{key.upper()}"],
                "teams": [f'_t("{key}"', f'"{key}")', f'"teams", "{key}"'],
                "cli": [f'_t("{key}")', f'"cli", "{key}"'],
            }.get(section, [f'"{section}", "{key}"'])
            if not any(reader in code for reader in readers):
                unread.append(f"{section}.{key}")
    assert unread == []


def test_every_dialog_text_and_command_word_list_is_read() -> None:
    """knowledge/data/rules.yaml: each `dialog` text is read as .name, each `words` list through
    words_for("name") (the router's _words("name"))."""
    code = _code("bot", "dialogs", "knowledge")
    rules = default_rules()
    unread = [f"dialog.{name}" for name in type(rules.dialog).model_fields if f".{name}" not in code]
    readers = ('words_for("{}")', '_words("{}")')
    unread += [f"words.{n}" for n in rules.words if not any(r.format(n) in code for r in readers)]
    assert unread == []
