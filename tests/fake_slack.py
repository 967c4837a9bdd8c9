"""A fake Slack Web API on 127.0.0.1 that answers every method with ok:true and records each call.

Usage::

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        client.chat_postMessage(channel="C1", text="hei")
        (call,) = slack.wait_for("chat.postMessage", count=1, timeout=5)
        assert call.params["text"] == "hei"

- `base_url` ends with "/api/" as slack_sdk expects (`WebClient(base_url=...)`, `SLACK_API_BASE_URL`).
- `response_url_for(name)` gives a URL under `/response/<name>`; POSTs there are recorded with
  method "response_url" (and `call.path` holding the full path).
- `fail(method, error, times=1)` makes the next `times` calls answer `{"ok": false, "error": error}`;
  `rate_limit(method, retry_after=1, times=1)` answers 429 with a Retry-After header.
- `calls(method=None)` (each `Call` has `status` and `ok`); `wait_for(method, count=1,
  timeout=5.0, include_failed=False)` counts ok answers and raises AssertionError on timeout;
  `wait_for_match(method, predicate, timeout)` returns the first ok call matching; `reset()`;
  `texts(method)` gives every text posted (message text and block texts).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0001"


@dataclass
class Call:
    """One recorded request: Web API method (or "response_url"), parsed parameters, headers, path."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    path: str
    status: int = 200
    ok: bool = True  # False when the fake answered with a scripted error (ok:false or 429)
    response: dict[str, Any] = field(default_factory=dict)  # what the fake answered (e.g. the message ts)
    at: float = field(default_factory=time.monotonic)

    def blocks(self) -> list[dict[str, Any]]:
        """The blocks of a message or view parameter, decoded if sent as a JSON string."""
        raw: Any = self.params.get("blocks")
        if raw is None and "view" in self.params:
            view = self.params["view"]
            view = json.loads(view) if isinstance(view, str) else view
            raw = view.get("blocks", [])
        if isinstance(raw, str):
            raw = json.loads(raw)
        return list(raw or [])

    def all_text(self) -> str:
        """The message text plus every string inside its blocks or view (for content assertions)."""
        parts: list[str] = []
        text = self.params.get("text")
        if isinstance(text, str):
            parts.append(text)
        view: Any = self.params.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        for value in _strings({"blocks": self.blocks(), "view": view or {}}):
            parts.append(value)
        return "\n".join(parts)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in {"text", "value", "title", "label"} or isinstance(item, dict | list):
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass
class _Failure:
    error: str
    times: int
    status: int = 200
    retry_after: int | None = None


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 drops connections under concurrent posts (1 s SYN retries)
    daemon_threads = True


TRIGGER_SUFFIX = ".fake-trigger"
TRIGGER_LIFETIME = 3.0


class FakeSlack:
    """The fake server: start() / stop() or use as a context manager."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Condition()
        self._failures: dict[str, list[_Failure]] = {}
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.socket_url: str | None = None  # apps.connections.open answers this WebSocket URL when set

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake._handle(self, body)

            def do_GET(self) -> None:
                fake._handle(self, b"")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSlack not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url_for(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- scripting -----------------------------------------------------------------------------
    @staticmethod
    def trigger_id() -> str:
        """A trigger_id as Slack issues it with a command or click: views.open refuses it after 3 s."""
        return f"{time.monotonic():.6f}{TRIGGER_SUFFIX}"

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` answer ok:false with `error`."""
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(error=error, times=times))

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with Retry-After."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(error="ratelimited", times=times, status=429, retry_after=retry_after)
            )

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._failures.clear()

    # -- inspection ----------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def texts(self, method: str | None = None) -> list[str]:
        return [c.all_text() for c in self.calls(method)]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, include_failed: bool = False
    ) -> list[Call]:
        """Wait until at least `count` calls of `method` were answered ok (or any answer, with
        `include_failed`); return those calls."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self._calls if c.method == method and (c.ok or include_failed)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self._calls})
                    raise AssertionError(
                        f"expected {count} call(s) of {method}, got {len(found)}; methods seen: {seen}"
                    )
                self._lock.wait(remaining)

    def wait_for_match(self, method: str, predicate: Callable[[Call], bool], timeout: float = 5.0) -> Call:
        """Wait for the first ok call of `method` for which `predicate(call)` holds; return it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for call in self._calls:
                    if call.method == method and call.ok and predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching call of {method} within {timeout} s")
                self._lock.wait(remaining)

    # -- request handling ----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        split = urlsplit(handler.path)
        path = split.path
        headers = {k.lower(): v for k, v in handler.headers.items()}
        params = _parse(body, headers.get("content-type", ""))
        params.update({k: v for k, v in parse_qsl(split.query) if k not in params})
        if path.startswith("/api/"):
            method = path[len("/api/") :].strip("/")
        elif path.startswith("/response/"):
            method = "response_url"
        else:
            method = path.strip("/") or "?"

        status, payload, extra = self._answer(method, params)
        with self._lock:
            call = Call(
                method,
                params,
                headers,
                path,
                status=status,
                ok=bool(payload.get("ok", True)),
                response=payload,
            )
            self._calls.append(call)
            self._lock.notify_all()
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            queue = self._failures.get(method)
            if queue:
                failure = queue[0]
                failure.times -= 1
                if failure.times <= 0:
                    queue.pop(0)
                extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                return failure.status, {"ok": False, "error": failure.error}, extra
            ts = f"{1700000000 + next(self._ts)}.000100"
        if method == "apps.connections.open" and self.socket_url:
            return 200, {"ok": True, "url": self.socket_url}, {}
        trigger = str(params.get("trigger_id") or "")
        if method.startswith("views.") and trigger.endswith(TRIGGER_SUFFIX):
            issued = float(trigger.removesuffix(TRIGGER_SUFFIX))
            if time.monotonic() - issued > TRIGGER_LIFETIME:  # as Slack: a trigger works for 3 s
                return 200, {"ok": False, "error": "expired_trigger_id"}, {}
        return 200, _ok_payload(method, params, ts), {}


def _parse(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return {"_raw": text}
        return value if isinstance(value, dict) else {"_json": value}
    return dict(parse_qsl(text, keep_blank_values=True))


def _ok_payload(method: str, params: dict[str, Any], ts: str) -> dict[str, Any]:
    if method == "auth.test":
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "toimintamalli",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }
    if method in {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}:
        channel = str(params.get("channel", ""))
        payload: dict[str, Any] = {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.postEphemeral":
            payload = {"ok": True, "message_ts": ts}
        elif method == "chat.scheduleMessage":
            payload["scheduled_message_id"] = f"Q{ts.replace('.', '')}"
            payload["post_at"] = params.get("post_at")
        else:
            payload["message"] = {"text": params.get("text", ""), "ts": ts, "bot_id": BOT_ID}
        return payload
    if method == "conversations.open":
        users = str(params.get("users", "U0")).split(",")[0]
        return {"ok": True, "channel": {"id": "D" + users.lstrip("U")}}
    if method.startswith("views."):
        return {"ok": True, "view": {"id": "V0001", "hash": "h1"}}
    if method == "users.info":
        user = str(params.get("user", "U0"))
        return {"ok": True, "user": {"id": user, "tz": "Europe/Helsinki", "is_bot": False}}
    return {"ok": True}
