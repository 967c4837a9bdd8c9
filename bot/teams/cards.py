"""Replies as Teams activities: plain text (never markup), Adaptive Cards for choices, 👍/👎 and the summary.

Teams reads `<at>`, HTML and Markdown in a message, so every text is sent with `textFormat: plain`
and the dialogs' only markup (*bold*) is dropped. Inside a card, text that may hold the user's words
(the perustiedot JSON, choice labels) is a RichTextBlock TextRun or a button title, neither of which
Teams renders as Markdown. A card's `Action.Submit` sends its `data` back as the activity's `value`:
`{"toimintamalli": "choice", "input": …, "step": …}` is read as the user typing `input`,
`{"toimintamalli": "feedback", "vote": …}` as a vote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from microsoft_agents.activity import Activity, Attachment

from bot.texts import text
from dialogs.replies import Choice, Reply, without_bold

CARD = "application/vnd.microsoft.card.adaptive"
KEY = "toimintamalli"  # marks the submit data of our cards
MAX_BUTTONS = 5  # more choices become one ChoiceSet (Teams folds extra buttons away)
MAX_SUGGESTIONS = 3
TEXT_LIMIT = 25_000  # characters per message (Teams allows about 28 KB)


def _t(key: str, **values: Any) -> str:
    return text("teams", key, **values)


def message(body: str) -> Activity:
    return Activity(type="message", text=body[:TEXT_LIMIT], text_format="plain")


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Attachment:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return Attachment(content_type=CARD, content=content)


def _run(value: str, **style: Any) -> dict[str, Any]:
    """Text shown as is: a TextRun is never read as Markdown."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value, **style}]}


def _submit(title: str, data: dict[str, Any], style: str = "default") -> dict[str, Any]:
    action = {"type": "Action.Submit", "title": title[:200], "data": {KEY: data.pop("kind"), **data}}
    if style in ("positive", "destructive"):
        action["style"] = style
    return action


def choices_card(choices: Sequence[Choice], multi: bool, step: str | None) -> Attachment:
    """Buttons for a few choices; a ChoiceSet (several picks, or many choices) with one Valmis button."""
    if not multi and len(choices) <= MAX_BUTTONS:
        styles = {"primary": "positive", "danger": "destructive"}
        actions = [
            _submit(
                c.label, {"kind": "choice", "input": c.value, "step": step}, styles.get(c.style, "default")
            )
            for c in choices
        ]
        return _card([], actions)
    options = [{"title": c.label[:200], "value": c.value} for c in choices]
    picker = {"type": "Input.ChoiceSet", "id": "picked", "isMultiSelect": multi, "choices": options,
              "style": "expanded" if len(choices) <= 8 else "compact"}  # fmt: skip
    if multi:
        picker["placeholder"] = _t("pick_many")
    return _card(
        [picker], [_submit(_t("done"), {"kind": "choice", "input": "", "step": step, "multi": multi})]
    )


def suggestions_card(suggestions: Sequence[str]) -> Attachment:
    actions = [_submit(s, {"kind": "choice", "input": s, "step": None}) for s in suggestions]
    return _card([{"type": "TextBlock", "text": _t("did_you_mean"), "weight": "Bolder"}], actions)


def feedback_card(reply: Reply) -> Attachment:
    about = {"q": (reply.question or "")[:1000], "t": reply.topic, "c": reply.confident}
    actions = [
        _submit(_t("feedback_up"), {"kind": "feedback", "vote": "up", **about}),
        _submit(_t("feedback_down"), {"kind": "feedback", "vote": "down", **about}),
    ]
    return _card([{"type": "TextBlock", "text": _t("feedback_prompt"), "isSubtle": True}], actions)


def summary_card(data: dict[str, Any]) -> Attachment:
    dumped = json.dumps(data.get("perustiedot", data), ensure_ascii=False, indent=2)
    title = {"type": "TextBlock", "text": _t("summary_json"), "weight": "Bolder"}
    return _card([title, _run(dumped, fontType="Monospace")])


def render_replies(replies: Sequence[Reply]) -> list[Activity]:
    """One message per reply, its card attached (choices, suggestions, 👍/👎, the summary's JSON)."""
    activities = []
    for reply in replies:
        raw = reply.text
        attachments: list[Attachment] = []
        if reply.kind == "summary" and reply.data is not None:
            dumped = json.dumps(reply.data.get("perustiedot", reply.data), ensure_ascii=False, indent=2)
            raw = raw.replace(dumped, "").strip()  # the JSON goes in the card, as it is
            attachments.append(summary_card(reply.data))
        body = without_bold(raw)
        suggestions = tuple(dict.fromkeys(reply.suggestions))[:MAX_SUGGESTIONS]
        if suggestions:
            attachments.append(suggestions_card(suggestions))
        choices = [c for c in reply.choices if c.value not in reply.suggestions]
        if choices:
            attachments.append(choices_card(choices, reply.multi, reply.step))
        if reply.kind == "answer":
            attachments.append(feedback_card(reply))
        activity = message(body)
        if attachments:
            activity.attachments = attachments
        activities.append(activity)
    return activities


def submitted(value: Any) -> dict[str, Any] | None:
    """The data of one of our cards' Action.Submit (the activity's `value`), or None."""
    if isinstance(value, dict) and value.get(KEY) in ("choice", "feedback"):
        return value
    return None


def submitted_input(data: dict[str, Any]) -> str:
    """What a choice submit says, as the user would type it (several picks comma-separated)."""
    if data.get("input"):
        return str(data["input"])
    picked = data.get("picked")
    if isinstance(picked, list):
        return ", ".join(str(p) for p in picked)
    return str(picked or "")
