"""A Socket Mode server on localhost (a real WebSocket, the `websockets` library): says hello to each
connection, sends envelopes (events, slash commands, interactions) and records the client's acks."""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from websockets.sync.server import ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._connections: list[ServerConnection] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.connected = 0  # connections ever opened
        self._ids = itertools.count(1)
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-socket-mode", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link"

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(5)

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            self.connected += 1
            self._lock.notify_all()
        connection.send(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}})
        )
        try:
            for raw in connection:
                message = json.loads(raw)
                with self._lock:
                    if "envelope_id" in message:
                        self.acks[message["envelope_id"]] = message
                    self._lock.notify_all()
        except Exception:  # the client went away
            pass
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._lock.notify_all()

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.connected < count or not self._connections:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"{self.connected} connection(s), expected {count}"
                self._lock.wait(remaining)

    def send(self, kind: str, payload: dict[str, Any]) -> str:
        """Send an envelope on the newest connection; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def send_to_all(self, kind: str, payload: dict[str, Any]) -> list[str]:
        """The same payload on every open connection, each in an envelope of its own (as Slack's
        retries may reach another connection than the first delivery did); the envelope ids."""
        with self._lock:
            connections = list(self._connections)
        ids = []
        for connection in connections:
            envelope_id = f"env-{next(self._ids)}"
            envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "retry_attempt": 0,
                        "accepts_response_payload": False, "retry_reason": ""}  # fmt: skip
            connection.send(json.dumps(envelope))
            ids.append(envelope_id)
        return ids

    def open_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while envelope_id not in self.acks:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no ack for {envelope_id}"
                self._lock.wait(remaining)
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}))
