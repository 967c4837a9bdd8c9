"""Pure tests: escaping, Slack markup to plain text, splitting, Block Kit limits, body parsing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.request.internals import parse_body

from bot.slack import texts
from bot.slack.mrkdwn import escape, from_slack, split_text, truncate
from bot.slack.render import MESSAGE_BLOCK_LIMIT, feedback_value, render_replies
from bot.slack.wsgi import BadBody, parse_slack_body, signature_ok
from dialogs.context import Context
from dialogs.replies import Choice, Reply, Source
from tests.slack.slack_requests import signature


def _dicts(replies: list[Reply]) -> list[list[dict[str, Any]]]:
    return [m.block_dicts() for m in render_replies(replies)]


def test_escape_and_from_slack() -> None:
    assert escape("a & <!channel> > b") == "a &amp; &lt;!channel&gt; &gt; b"
    assert from_slack("<@UBOT> mikä &lt;!channel&gt; &amp; <!here>", "UBOT") == "mikä <!channel> & @here"
    assert from_slack("<mailto:a.b@hva.fi|a.b@hva.fi>, <https://x.fi/a?b=1&amp;c=2|linkki>") == (
        "a.b@hva.fi, https://x.fi/a?b=1&c=2"
    )
    assert from_slack("<@U123|maija> <#C1|yleinen> <!subteam^S1|@tiimi>") == "@maija #yleinen @tiimi"


def test_split_text_respects_limit_and_entities() -> None:
    text = escape("<&>" * 3000)
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces) == text
    words = split_text("sana " * 2000, 3000)
    assert all(len(p) <= 3000 for p in words) and len(words) == 4
    assert truncate("&amp;" * 10, 8).endswith("…") and "&am…" not in truncate("&amp;" * 10, 8)


def test_whole_text_is_escaped_with_bold_kept() -> None:
    (blocks,) = _dicts([Reply("*Nimi* <!channel> & <https://evil|x>", kind="text")])
    assert blocks[0]["text"]["text"] == "*Nimi* &lt;!channel&gt; &amp; &lt;https://evil|x&gt;"


def test_long_answer_is_split_into_sections_and_messages() -> None:
    reply = Reply("kappale\n\n" * 6000, kind="answer", question="q", topic="t")
    messages = render_replies([reply])
    assert len(messages) > 1
    for message in messages:
        blocks = message.block_dicts()
        assert len(blocks) <= MESSAGE_BLOCK_LIMIT
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
        assert len(message.text) <= 3000
    assert messages[-1].block_dicts()[-1]["block_id"].startswith("feedback")


def test_many_short_replies_stay_within_50_blocks() -> None:
    messages = render_replies([Reply(f"rivi {i}") for i in range(120)])
    assert len(messages) == 3
    assert all(len(m.blocks) <= MESSAGE_BLOCK_LIMIT for m in messages)


def test_choices_buttons_select_and_multi() -> None:
    few = Reply("valitse", kind="question", choices=tuple(Choice(f"L{i}", f"v{i}") for i in range(5)))
    many = Reply("valitse", kind="question", choices=tuple(Choice(f"L{i}", f"v{i}") for i in range(150)))
    multi = Reply(
        "monta", kind="question", multi=True, choices=tuple(Choice(f"L{i}", f"v{i}") for i in range(4))
    )
    multi_many = Reply("monta", multi=True, choices=tuple(Choice(f"L{i}", f"v{i}") for i in range(30)))
    (few_b,) = _dicts([few])
    assert [e["type"] for e in few_b[-1]["elements"]] == ["button"] * 5
    (many_b,) = _dicts([many])
    selects = many_b[-1]["elements"]
    assert [e["type"] for e in selects] == ["static_select", "static_select"]
    assert [len(e["options"]) for e in selects] == [100, 50]
    (multi_b,) = _dicts([multi])
    assert [e["type"] for e in multi_b[-1]["elements"]] == ["checkboxes", "button"]
    (multi_many_b,) = _dicts([multi_many])
    assert [e["type"] for e in multi_many_b[-1]["elements"]] == ["multi_static_select", "button"]


def test_choice_labels_are_escaped_and_cut() -> None:
    reply = Reply("?", choices=(Choice("<!channel> " + "x" * 100, "v"),))
    (blocks,) = _dicts([reply])
    label = blocks[-1]["elements"][0]["text"]["text"]
    assert label.startswith("&lt;!channel&gt;") and len(label) <= 75


def test_answer_has_suggestions_and_feedback_with_its_question_and_sources_once() -> None:
    reply = Reply(
        "En ole varma.\n\nLähde: ohje, dia 16",
        kind="answer",
        sources=(Source(16, "Perustiedot"),),
        suggestions=("a?", "b?", "c?", "d?"),
        choices=(Choice("a?", "a?"), Choice("b?", "b?")),
        confident=False,
        question="<!channel> kysymys",
        topic=None,
    )
    (blocks,) = _dicts([reply])
    types = [b["block_id"].split("-")[0] for b in blocks]
    assert types == ["text", "didyoumean", "suggestions", "feedback", "feedback"]
    assert json.dumps(blocks).count("dia 16") == 1  # the text cites the slide; no second source line
    assert len(blocks[2]["elements"]) == 3
    assert blocks[3]["block_id"].endswith("-q") and blocks[3]["elements"][0]["text"] == texts.FEEDBACK_PROMPT
    value = json.loads(blocks[4]["elements"][0]["value"])
    assert value == {"q": "&lt;!channel&gt; kysymys", "t": None, "c": False}


def test_feedback_value_fits_2000_characters() -> None:
    value = feedback_value(Reply("x", kind="answer", question="ä<" * 3000, topic="t"))
    assert len(value) <= 2000
    assert json.loads(value)["t"] == "t"


def test_summary_json_becomes_a_code_block() -> None:
    data = {"nimi": "Malli <b>", "investoinnit": ["P4I2"]}
    dumped = json.dumps(data, ensure_ascii=False, indent=2)
    reply = Reply(
        f"Yhteenveto\n{dumped}\nSeuraavaksi", kind="summary", data={"perustiedot": data, "valid": True}
    )
    (blocks,) = _dicts([reply])
    texts = [b["text"]["text"] for b in blocks]
    assert texts[0] == "Yhteenveto"
    assert texts[1].startswith("```{") and "Malli &lt;b&gt;" in texts[1]
    assert texts[2] == "Seuraavaksi"
    assert sum(t.count('"nimi"') for t in texts) == 1


def test_bolt_misreads_a_command_saying_payload_and_the_guard_does_not() -> None:
    body = urlencode({"command": "/toimintamalli", "text": "mikä on payload", "user_id": "U1"})
    assert parse_body(body, "application/x-www-form-urlencoded") == {}  # Bolt's own parser
    parsed = parse_slack_body(body, "application/x-www-form-urlencoded")
    assert parsed["text"] == "mikä on payload" and parsed["command"] == "/toimintamalli"
    interactive = urlencode({"payload": json.dumps({"type": "block_actions"})})
    assert parse_slack_body(interactive, None) == {"type": "block_actions"}


@pytest.mark.parametrize("body", ['{"a": ', "[1]", "payload=nope", "payload=%5B%5D", '"x"'])
def test_parse_refuses_what_bolt_would_crash_on(body: str) -> None:
    with pytest.raises(BadBody):
        parse_slack_body(body, "application/json" if not body.startswith("payload") else None)


def test_signature_ok() -> None:
    import time

    ts = str(int(time.time()))
    assert signature_ok("s", b"\xff body", ts, signature(b"\xff body", ts, "s"))
    assert not signature_ok("s", b"body", ts, signature(b"other", ts, "s"))
    assert not signature_ok("s", b"body", "not-a-number", "v0=1")
    assert not signature_ok("", b"body", ts, signature(b"body", ts, ""))


def test_home_with_many_long_personal_deadlines_still_renders(slack_ctx: Context) -> None:
    from bot.slack.home import home_view
    from dialogs import reminders

    now = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    state: dict[str, Any] = {}
    for day in range(1, 21):
        state, _ = reminders.command(state, f"{day}.1.2027 " + "Pitkä oma määräaika " * 12, now, slack_ctx)
    view = home_view(state, now, slack_ctx).to_dict()  # slack_sdk raises on a section over 3000 characters
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    shown = "\n".join(sections)
    assert all(f"{day}.1.2027" in shown for day in range(1, 21))  # every deadline is there, none cut away


def test_triple_backticks_in_a_field_stay_inside_the_code_block() -> None:
    data = {"nimi": "Malli ```loppu", "kohderyhma": "a```b"}
    reply = Reply("Yhteenveto\n" + json.dumps(data, ensure_ascii=False, indent=2), kind="summary", data=data)
    (blocks,) = _dicts([reply])
    code = [b["text"]["text"] for b in blocks if b["block_id"].startswith("data-")]
    assert code and all(text.startswith("```") and text.endswith("```") for text in code)
    assert all(text[3:-3].count("```") == 0 for text in code)


def test_runs_of_four_or_more_backticks_cannot_close_the_code_block() -> None:
    data = {"nimi": "a````b`````c"}
    reply = Reply("Yhteenveto\n" + json.dumps(data, ensure_ascii=False, indent=2), kind="summary", data=data)
    (blocks,) = _dicts([reply])
    code = [b["text"]["text"] for b in blocks if b["block_id"].startswith("data-")]
    assert code and all("``" not in text[3:-3] for text in code)
