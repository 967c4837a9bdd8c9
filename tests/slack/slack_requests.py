"""Signed requests to the running Slack server, as Slack would send them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

SECRET = "test-signing-secret"
TEAM = "T0001"
USER = "U0USER1"
CHANNEL = "C0CHAN1"
_ids = itertools.count(1)


def signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def http(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Response(answer.status, answer.read().decode())
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read().decode())


class SlackSender:
    """Posts signed Events API, slash command and interactivity requests to `base_url`."""

    def __init__(self, base_url: str, secret: str = SECRET) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    @property
    def events_url(self) -> str:
        return self.base_url + "/slack/events"

    def post(
        self,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(body, ts, secret or self.secret),
            **(extra or {}),
        }
        return http(self.events_url, body, headers, method="POST")

    def post_json(self, payload: dict[str, Any], extra: dict[str, str] | None = None) -> Response:
        return self.post(json.dumps(payload).encode(), "application/json", extra)

    def event(
        self, event: dict[str, Any], event_id: str | None = None, retry_num: int | None = None
    ) -> tuple[Response, str]:
        event_id = event_id or f"Ev{next(_ids):08d}"
        envelope = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT0001", "is_bot": True}],
            "event": event,
        }
        extra = (
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        )
        return self.post_json(envelope, extra), event_id

    def mention(self, text: str, ts: str | None = None, thread_ts: str | None = None) -> tuple[Response, str]:
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": USER,
            "text": f"<@UBOT0001> {text}",
            "ts": ts or f"{1700000000 + next(_ids)}.000200",
            "channel": CHANNEL,
            "event_ts": "1700000000.000200",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event)

    def direct_message(self, text: str, user: str = USER, **extra: Any) -> tuple[Response, str]:
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "D0DM0001",
            "user": user,
            "text": text,
            "ts": f"{1700000000 + next(_ids)}.000300",
            **extra,
        }
        return self.event(event)

    def command(self, text: str, response_url: str, user: str = USER, trigger_id: str = "1.2.3") -> Response:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "fake",
            "channel_id": CHANNEL,
            "channel_name": "general",
            "user_id": user,
            "user_name": "testi",
            "command": "/toimintamalli",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def click(
        self,
        action: dict[str, Any],
        message: dict[str, Any] | None,
        channel: str = "D0DM0001",
        response_url: str | None = None,
        state: dict[str, Any] | None = None,
        user: str = USER,
    ) -> Response:
        """A block_actions click on a posted message (`message` as the fake recorded it)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0APP",
            "trigger_id": "1.2.3",
            "container": {
                "type": "message",
                "message_ts": (message or {}).get("ts", ""),
                "channel_id": channel,
            },
            "channel": {"id": channel, "name": "dm"},
            "actions": [action],
        }
        if message is not None:
            payload["message"] = message
        if response_url:
            payload["response_url"] = response_url
        if state is not None:
            payload["state"] = {"values": state}
        return self.interaction(payload)


def find_element(blocks: list[dict[str, Any]], action_prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(block, element) of the first interactive element whose action_id starts with `action_prefix`."""
    for block in blocks:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith(action_prefix):
                return block, element
    raise AssertionError(f"no element {action_prefix!r} in {[b.get('block_id') for b in blocks]}")


def button_action(block: dict[str, Any], element: dict[str, Any]) -> dict[str, Any]:
    """The `actions[0]` of a block_actions payload for a click on a button."""
    return {
        "type": "button",
        "action_id": element["action_id"],
        "block_id": block["block_id"],
        "value": element.get("value", ""),
        "text": element["text"],
        "action_ts": "1700000000.1",
    }


def as_posted(posted: Any, ts: str | None = None) -> dict[str, Any]:
    """A message as Slack sends it back in an interaction payload, from a recorded chat.postMessage call
    (its ts is the one the fake answered) or from bare parameters (then `ts` or a made-up one)."""
    params: dict[str, Any] = posted.params if hasattr(posted, "params") else posted
    if ts is None:
        ts = str(getattr(posted, "response", {}).get("ts") or "1700000555.000100")
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    message = {"type": "message", "ts": ts, "text": params.get("text", ""), "blocks": blocks or []}
    if params.get("thread_ts"):
        message["thread_ts"] = params["thread_ts"]
    return message
