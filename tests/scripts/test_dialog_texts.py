"""Every user-facing dialog and validator message is Finnish without internal codes or field names:
each template rendered with sample values, and the findings of many wrong perustiedot as shown."""

from __future__ import annotations

import itertools
import re
import string
from typing import Any

import pytest

from dialogs.validator import report_text, validate
from knowledge.loader import KnowledgeBase
from knowledge.rules import Rules, default_rules

# internal forms a user must never see: investment codes as stored, field names, placeholders
INTERNAL = re.compile(
    r"\bP[34]I[1-4]\b|\b[a-z]+_[a-z_]+\b|\b(?:yllapitajat|ilmiot|kohderyhma|aihealueet_|lyhyt kuvaus_)\b|[{}]"
)
# a sample for each placeholder name, shaped as the code fills it
SAMPLES: dict[str, str] = {
    "after": "Jyväskylä ja Äänekoski",
    "before": "Jyväskylä",
    "choices": "1, 2 tai 3",
    "code": "P4, I2",
    "codes": "P4, I2, I4",
    "contact": "Reetta Nick",
    "contacts": "Kaisa Lahtinen tai Anu Väänänen",
    "count": "4",
    "county": "Pirkanmaan hyvinvointialue",
    "county_label": "Pirkanmaan HVA",
    "current": "• RRP",
    "date": "4.12.2026",
    "error": "Nimi puuttuu.",
    "example": "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)",
    "fields": "Nimi, Kohderyhmä",
    "filled": "7",
    "ilmio": "Kestävä kasvu",
    "label": "Kohderyhmä",
    "length": "262",
    "max": "3",
    "min": "2",
    "missing": "Muu EU-rahoitus",
    "name": "Pirkanmaan RRP-kokonaisuus",
    "note": "Lisätieto.",
    "others": "Työkyky, Osallisuus",
    "over": "12",
    "pattern": "Kehittämisprosessin nimi, HV-alue, (RRP, P4, I4)",
    "process": "Chat-neuvonta",
    "prompt": "Mikä on kohderyhmä?",
    "remove": "1",
    "required": "Muu EU-rahoitus ja STM",
    "slides": "16, 59",
    "step": "Kohderyhmä",
    "suggestion": "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)",
    "tag": "(RRP, P4, I4)",
    "total": "12",
    "valmennus": "Sujuvat palvelut –valmennus",
    "value": "I9",
    "warnings": "Nimi on pitkä.",
    "word": "valmis",
    "written": "(RRP, I4)",
}


def _strings(obj: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(obj, str):
        return [(path, obj)]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in _strings(v, f"{path}.{k}")]
    if isinstance(obj, list):
        return [s for i, v in enumerate(obj) for s in _strings(v, f"{path}[{i}]")]
    if hasattr(obj, "model_dump"):
        return _strings(obj.model_dump(), path)
    return []


def _all_texts(rules: Rules) -> list[tuple[str, str]]:
    texts = _strings(rules.messages, "messages") + _strings(rules.dialog, "dialog")
    # the alias and word lists are what users type, not what they are shown
    return [(p, t) for p, t in texts if not re.search(r"(aliases|_words|option_aliases)", p)]


@pytest.mark.parametrize(("path", "template"), _all_texts(default_rules()), ids=lambda v: v[:40])
def test_every_message_renders_without_codes_or_field_names(path: str, template: str) -> None:
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    missing = names - SAMPLES.keys()
    assert not missing, f"{path}: add samples for {missing}"
    shown = template.format(**SAMPLES)
    assert not INTERNAL.search(shown), (path, shown)
    assert "  " not in shown and " ." not in shown and " ," not in shown, (path, shown)


WRONG: dict[str, list[Any]] = {
    "nimi": [
        "",
        "Chat",
        "Chat, Pohjois-Savon HVA",
        "Chat, Pohjois-Savon HVA (RRP, P4, I3)",
        "Chat (RRP, P4, I4)",
        "Chat, Kainuun HVA (RRP, P4, I4)",
        "Chat, Pohjois-Savon HVA (P4, I4)",
        "Chat Pohjois-Savon HVA (RRP, P4, I4)",
        "Chat, Pohjois-Savon HVA (RRP, I9)",
        "(RRP, P4, I4) Chat, Pohjois-Savon HVA x",
    ],
    "investoinnit": [[], ["P4"], ["I9"], ["inv 2"], ["P4I4", "P4I2"]],
    "hyvinvointialue": ["", "Atlantis", "HUS"],
    "kokonaisuudet": [[], ["Jotain muuta"]],
    "rahoittajat": [[], ["STM"], ["Muu EU-rahoitus", "Sosiaali- ja terveysministeriö (STM)", "Kunta"]],
    "aihealueet": [[], ["RRP"], ["RRP", "Digitaaliset palvelut", "A", "B", "C", "D"]],
    "ilmiot": [[], ["Osallisuus"], ["Kestävä kasvu"]],
    "lyhyt_kuvaus": ["", "x" * 300, "Hankkeen aikana kehitettiin malli, jota toteutetaan."],
    "yllapitajat": [[], ["maija@example.fi"], ["ei osoite"]],
    "toteutuspaikka": [""],
    "kohderyhma": [""],
    "valmennus": [True, False],
}


def test_every_finding_on_wrong_perustiedot_is_shown_without_codes_or_field_names(kb: KnowledgeBase) -> None:
    """Each field's wrong values, one field at a time and two at a time, over a right base model."""
    base = {
        "nimi": "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)",
        "investoinnit": ["P4I4"],
        "hyvinvointialue": "Pohjois-Savon hyvinvointialue",
    }
    variants = [{f: v} for f, values in WRONG.items() for v in values]
    seen: set[str] = set()
    for one, two in itertools.combinations([{}, *variants], 2):
        report = validate({**base, **one, **two}, kb)
        for finding in report.findings:
            seen.add(finding.message)
            assert not INTERNAL.search(finding.message), finding.message
        text = report_text(report, kb)
        assert not INTERNAL.search(text.replace("*", "")), text
    assert len(seen) > 40  # the variants reach most messages, so the check above means something
