"""Odd-shaped but signed Slack bodies, seeded: valid requests of every kind with keys retyped, removed
or nested wrongly. Used by the fuzz test (bounded) and bench/bench_fuzz.py (3 × 1,500)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

ODD_VALUES: list[Any] = [
    0,
    1,
    -1,
    2**70,
    1.5,
    True,
    False,
    None,
    "",
    "x",
    [],
    [1],
    ["a"],
    {},
    {"id": 1},
    {"id": None},
    [{"x": 1}],
    "\u0000",
    "🙂" * 50,
    {"type": 3},
]


def templates() -> list[tuple[str, dict[str, Any]]]:
    """(content kind, body) of each request kind the app handles."""
    user = {"id": "U0USER1", "team_id": "T0001"}
    message = {"type": "message", "ts": "1.2", "text": "x", "blocks": []}
    return [
        (
            "json",
            {
                "type": "event_callback",
                "team_id": "T0001",
                "api_app_id": "A0APP",
                "event_id": "Ev1",
                "event": {
                    "type": "message",
                    "channel_type": "im",
                    "channel": "D0DM0001",
                    "user": "U0USER1",
                    "text": "Mikä on PDSA?",
                    "ts": "1700000000.1",
                },
            },
        ),
        (
            "json",
            {
                "type": "event_callback",
                "team_id": "T0001",
                "event_id": "Ev2",
                "event": {
                    "type": "app_mention",
                    "channel": "C0CHAN1",
                    "user": "U0USER1",
                    "text": "<@U0BOT> hei",
                    "ts": "1700000000.2",
                },
            },
        ),
        (
            "json",
            {
                "type": "event_callback",
                "team_id": "T0001",
                "event_id": "Ev3",
                "event": {"type": "app_home_opened", "user": "U0USER1", "tab": "home"},
            },
        ),
        (
            "form",
            {
                "command": "/toimintamalli",
                "text": "apua",
                "user_id": "U0USER1",
                "team_id": "T0001",
                "channel_id": "C0CHAN1",
                "response_url": "http://127.0.0.1:9/r",
                "trigger_id": "1.2.3",
            },
        ),
        (
            "payload",
            {
                "type": "block_actions",
                "team": {"id": "T0001"},
                "user": user,
                "api_app_id": "A0APP",
                "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0DM0001"},
                "channel": {"id": "D0DM0001"},
                "message": message,
                "actions": [
                    {
                        "type": "button",
                        "action_id": "choice:0",
                        "block_id": "choices-0.nimi",
                        "value": "ok",
                        "text": {"type": "plain_text", "text": "ok"},
                    }
                ],
            },
        ),
        (
            "payload",
            {
                "type": "block_actions",
                "team": {"id": "T0001"},
                "user": user,
                "container": {"type": "view", "view_id": "V1"},
                "actions": [{"type": "button", "action_id": "home_check", "block_id": "b", "value": "check"}],
            },
        ),
        (
            "payload",
            {
                "type": "view_submission",
                "team": {"id": "T0001"},
                "user": user,
                "trigger_id": "1.2.3",
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": "check_modal",
                    "private_metadata": "",
                    "state": {
                        "values": {"prosessi": {"value": {"type": "plain_text_input", "value": "Chat"}}}
                    },
                },
            },
        ),
    ]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield (*prefix, i)
            yield from _paths(inner, (*prefix, i))


def mutate(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One to three changes: a value retyped, a key removed, or an odd key added somewhere."""
    body = copy.deepcopy(body)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(body))
        if not paths:
            break
        path = rng.choice(paths)
        parent: Any = body
        for step in path[:-1]:
            parent = parent[step]
        action = rng.random()
        if action < 0.7:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action < 0.85 and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, dict):
            parent[rng.choice(["user", "team", "channel", "event", "view", "subtype", "enterprise"])] = (
                copy.deepcopy(rng.choice(ODD_VALUES))
            )
    return body


def encode(kind: str, body: dict[str, Any]) -> tuple[bytes, str]:
    """The HTTP body and content type Slack would send for `body`."""
    if kind == "json":
        return json.dumps(body).encode(), "application/json"
    if kind == "payload":
        return urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded"
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
    return urlencode(flat).encode(), "application/x-www-form-urlencoded"


def odd_requests(seed: int, count: int) -> Iterator[tuple[bytes, str]]:
    """`count` signed-to-be bodies from `seed`: each template mutated in turn."""
    rng = random.Random(seed)
    kinds = templates()
    for n in range(count):
        kind, body = kinds[n % len(kinds)]
        mutated = mutate(body, rng)
        if "event_id" in mutated and isinstance(mutated.get("event_id"), str):
            mutated["event_id"] = f"Ev{seed}-{n}"  # each event new, so the listeners run
        yield encode(kind, mutated)
