"""The WSGI application: `POST /slack/events` into Bolt, behind guards; `GET /healthz`.

Guards before Bolt, which would answer 500 or mis-route otherwise:
- a body over MAX_BODY_BYTES gets 413 without being read;
- the signature is checked first (401), so nothing unsigned is parsed;
- a signed body that is not valid JSON (or a form whose `payload` is not a JSON object), or
  whose shape Bolt's matchers would trip over (an event without a type, actions without
  action_id, a view without a type, a command without user_id), gets 400;
- Bolt's parser takes any form body containing the substring "payload" for interactivity, so a
  slash command whose text says "payload" would reach no listener: the request is handed to
  Bolt with the correctly parsed body instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
MAX_CLOCK_SKEW = 300
log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class BadBody(Exception):
    """The body is signed but cannot be a Slack request."""


def parse_slack_body(body: str, content_type: str | None) -> dict[str, Any]:
    """The request body as Slack means it; raises BadBody for anything Bolt would choke on."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return _json_object(body)
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in form:
        return _json_object(form["payload"])
    return form


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


# keys Bolt reads wherever they appear (top level, in "event"): an id, or an object with a string "id"
_ID_OBJECTS = ("user", "team", "channel", "enterprise")
_STRINGS = ("user_id", "team_id", "channel_id", "enterprise_id", "api_app_id", "event_id", "trigger_id",
            "response_url", "token", "ts", "thread_ts", "text", "subtype", "channel_type", "bot_id", "tab",
            "callback_id", "command", "event_ts")  # fmt: skip
_OBJECTS = ("event", "view", "container", "message", "state", "authorizations", "actions", "previous_message")


def _type_problem(where: str, part: dict[str, Any]) -> str | None:
    for key in _ID_OBJECTS:
        value = part.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict) or not all(
            isinstance(value.get(name), str | None) for name in ("id", "team_id", "enterprise_id")
        ):
            return f"{where}{key} is neither an id nor an object with one"
    for key in _STRINGS:
        if key in part and part[key] is not None and not isinstance(part[key], str):
            return f"{where}{key} is not a string"
    for key in _OBJECTS:
        expected = list if key in ("authorizations", "actions") else dict
        if key in part and part[key] is not None and not isinstance(part[key], expected):
            return f"{where}{key} is not {'a list' if expected is list else 'an object'}"
    return None


def shape_problem(body: dict[str, Any]) -> str | None:
    """Why a signed body cannot be a Slack request Bolt can route (Bolt would raise and answer 500)."""
    problem = _type_problem("", body)
    for name in ("event", "message", "container", "view"):
        inner = body.get(name)
        if problem is None and isinstance(inner, dict):
            problem = _type_problem(f"{name}.", inner)
    if problem is not None:
        return problem
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "type is not a string"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not _is_str(event.get("type")):
            return "event_callback without an event type"
        if "event_id" in body and not _is_str(body.get("event_id")):
            return "event_id is not a string"
    elif kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        if not all(isinstance(a, dict) and _is_str(a.get("action_id")) for a in actions):
            return "an action without action_id"
        if not isinstance(body.get("user"), dict):
            return "block_actions without user"
    elif kind in {"view_submission", "view_closed"}:
        view = body.get("view")
        if (
            not isinstance(view, dict)
            or not _is_str(view.get("type"))
            or not isinstance(view.get("id", ""), str)
        ):
            return f"{kind} without a view"
        if not isinstance(body.get("user"), dict):
            return f"{kind} without user"
    elif "command" in body and not (_is_str(body.get("command")) and _is_str(body.get("user_id"))):
        return "slash command without command or user_id"
    return None


def signature_ok(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Slack's v0 request signature over the raw bytes, within five minutes of now."""
    if not secret or not timestamp or not signature:
        return False
    try:
        if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            return False
    except ValueError:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadBody(f"invalid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise BadBody("JSON body is not an object")
    return value


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key in {"CONTENT_LENGTH", "CONTENT_TYPE"}:
            headers[key.lower().replace("_", "-")] = str(value)
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = str(value)
    return headers


def _plain(status: int, text: str = "") -> tuple[int, list[tuple[str, str]], bytes]:
    body = (text or HTTPStatus(status).phrase).encode()
    return status, [("Content-Type", "text/plain; charset=utf-8")], body


def _from_bolt(response: BoltResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [
        (name, value)
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    body = response.body if isinstance(response.body, str) else json.dumps(response.body)
    return response.status, headers, body.encode()


def create_wsgi_app(app: App, signing_secret: str, max_body_bytes: int = MAX_BODY_BYTES) -> WsgiApp:
    """A WSGI callable serving `app` at EVENTS_PATH and a health check at HEALTH_PATH."""

    def handle_events(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(400)
        if length < 0:
            return _plain(400)
        if length > max_body_bytes:
            return _plain(413)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        timestamp = headers.get("x-slack-request-timestamp")
        if not signature_ok(signing_secret, raw, timestamp, headers.get("x-slack-signature")):
            return _plain(401)
        try:
            body = raw.decode("utf-8")
            parsed = parse_slack_body(body, (headers.get("content-type") or "").split(";")[0].strip() or None)
        except (UnicodeDecodeError, BadBody) as exc:
            log.warning("refusing a signed but malformed request: %s", exc)
            return _plain(400)
        problem = shape_problem(parsed)
        if problem is not None:
            log.warning("refusing a signed request Bolt cannot route: %s", problem)
            return _plain(400)
        request = BoltRequest(body=body, query=environ.get("QUERY_STRING", ""), headers=dict(headers))
        if request.body != parsed:  # Bolt's parser mis-read it (e.g. a command saying "payload")
            request.body = parsed
            request.context = build_context(BoltContext(), parsed)
        return _from_bolt(app.dispatch(request))

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method in {"GET", "HEAD"}:
            status, headers, body = 200, [("Content-Type", "application/json")], b'{"ok": true}'
        elif path == EVENTS_PATH:
            status, headers, body = handle_events(environ) if method == "POST" else _plain(405)
        else:
            status, headers, body = _plain(404)
        headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body] if method != "HEAD" else []

    return application
