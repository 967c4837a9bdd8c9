"""A fake Bot Connector on localhost (a real HTTP server): records what the bot posts to Teams.

`POST /v3/conversations` (a new 1:1 chat) answers a new conversation id; `POST
/v3/conversations/{id}/activities[/{replyToId}]` answers an activity id. `fail(times)` makes the next
posts answer 503."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


@dataclass
class Posted:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def conversation(self) -> str:
        parts = self.path.split("/")
        return unquote(parts[3]) if len(parts) > 3 else ""


class FakeConnector:
    def __init__(self) -> None:
        self.posts: list[Posted] = []
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._failures = 0
        self._message_failures = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    failing = fake._failures > 0
                    if failing:
                        fake._failures -= 1
                    elif fake._message_failures > 0 and "/activities" in self.path:
                        failing = True
                        fake._message_failures -= 1
                    else:
                        fake.posts.append(Posted(self.path, json.loads(raw or b"{}"), dict(self.headers)))
                    fake._lock.notify_all()
                    n = next(fake._ids)
                if failing:
                    self._answer(503, {"error": {"code": "ServiceUnavailable"}})
                elif self.path.rstrip("/") == "/v3/conversations":
                    self._answer(201, {"id": f"a:personal-{n}", "activityId": f"m-{n}"})
                else:
                    self._answer(200, {"id": f"m-{n}"})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-connector", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> FakeConnector:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, times: int = 1) -> None:
        with self._lock:
            self._failures = times

    def fail_messages(self, times: int = 1) -> None:
        """Only posts of messages fail (a new conversation is still created)."""
        with self._lock:
            self._message_failures = times

    def messages(self) -> list[Posted]:
        with self._lock:
            return [p for p in self.posts if "/activities" in p.path]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Posted]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([p for p in self.posts if "/activities" in p.path]) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"{len(self.posts)} post(s), expected {count} message(s)"
                self._lock.wait(remaining)
            return [p for p in self.posts if "/activities" in p.path]
