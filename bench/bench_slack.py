"""Ack and reply times and CPU of the Slack app for mentions, on SQLite and on PostgreSQL, beside a bare
Bolt app that replies with a fixed text, in one run.

Each runs in its own process on waitress (ours is `toimintamalli serve`, the production entry
point) against a fake Slack Web API (tests/fake_slack.py) in this process. PostgreSQL is the
machine's (TOIMINTAMALLI_TEST_PG or postgresql://postgres@127.0.0.1:5432/test), in a schema of the
run's own; without it that line is left out. CPU per 1000 events is the server process's user and
system time (from /proc) over the measured mentions; for PostgreSQL the database server's own
processes are counted on a line of their own.
Ack time: the signed POST /slack/events until its HTTP response. Reply time: the POST sent
until the fake received the matching chat.postMessage (matched by thread_ts). "Concurrent"
means that many mentions in flight: a sender posts its next mention once its reply arrived
(8 people waiting for an answer at the same moment), so the figures are latencies, not the
length of a queue that a sender racing ahead of the replies would build up.

    .venv/bin/python bench/bench_slack.py [--requests 300] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt import App  # noqa: E402
from slack_bolt.adapter.wsgi import SlackRequestHandler  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from waitress.server import create_server  # noqa: E402

from bot.slack.app import LISTENER_THREADS  # noqa: E402
from bot.slack.server import HTTP_THREADS  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.slack.slack_requests import SECRET, SlackSender  # noqa: E402

QUESTIONS = (
    "miten nimeän I2-toimintamallin?",
    "mihin kokonaisuuksiin toimintamalli liitetään?",
    "milloin P4 I4 -mallien pitää olla kuvattuna?",
    "kuka on Sisä-Suomen kehittämispäällikkö?",
    "mitä perustietoihin kirjoitetaan?",
    "montako ylläpitäjää toimintamallilla pitää olla?",
    "mitä tarkoittaa valmis-tila?",
    "miten kuvaan kohderyhmän?",
)
FIXED_REPLY = "Kiitos kysymyksestä."


@dataclass
class Figures:
    name: str
    ack: list[float]
    reply: list[float]

    cpu_ms_per_1000: float = float("nan")
    db_cpu_ms_per_1000: float = float("nan")

    def line(self) -> str:
        db = (
            f" + database {self.db_cpu_ms_per_1000:6.0f}"
            if self.db_cpu_ms_per_1000 == self.db_cpu_ms_per_1000
            else ""
        )
        return (
            f"{self.name:<20} ack p50 {_ms(self.ack, 50):6.1f} ms  p99 {_ms(self.ack, 99):6.1f} ms   "
            f"reply p50 {_ms(self.reply, 50):6.1f} ms  p99 {_ms(self.reply, 99):6.1f} ms   "
            f"CPU/1000 events {self.cpu_ms_per_1000:6.0f} ms{db}   (n={len(self.reply)})"
        )


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process `pid` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL server process of this machine (the benchmark's database)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in raw:
            fields = raw.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _ms(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def bare_bolt_app(api_base_url: str) -> App:
    """The baseline: a Bolt app replying to a mention with a fixed text (same pool size as ours)."""
    app = App(
        client=WebClient(token="xoxb-bench", base_url=api_base_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )

    @app.event("app_mention")
    def reply(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text=FIXED_REPLY)

    return app


def serve_bare(port: int, api_base_url: str) -> int:
    """`--serve-bare PORT URL`: the baseline on waitress with Bolt's WSGI adapter (in its own process)."""
    server = create_server(
        SlackRequestHandler(bare_bolt_app(api_base_url)), host="127.0.0.1", port=port, threads=HTTP_THREADS
    )
    server.run()
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_process(
    command: list[str], env: dict[str, str], port: int, stderr: Any = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it answers on `port`. A server that logs a lot needs
    `stderr` to be a file: a pipe nobody reads fills up and blocks it."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{command} exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def measure(
    name: str,
    base_url: str,
    fake: FakeSlack,
    requests: int,
    concurrency: int,
    pid: int,
    database: bool = False,
) -> Figures:
    sender = SlackSender(base_url)
    sent_at: dict[str, float] = {}
    acks: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        ts = f"{1800000000 + i}.{i:06d}"
        event = {
            "type": "app_mention",
            "user": f"U{i:08d}",
            "text": f"<@UBOT0001> {QUESTIONS[i % len(QUESTIONS)]}",
            "ts": ts,
            "channel": "C0BENCH",
        }
        started = time.monotonic()
        with lock:
            sent_at[ts] = started
        answer, _ = sender.event(event, event_id=f"Ev{name}{i:06d}")
        assert answer.status == 200, answer
        with lock:
            acks.append(time.monotonic() - started)
        fake.wait_for_match("chat.postMessage", lambda call: call.params.get("thread_ts") == ts, timeout=60)

    warmup = 16
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(warmup)))
    fake.wait_for("chat.postMessage", warmup, timeout=60)
    fake.reset()
    acks.clear()
    sent_at.clear()
    cpu_before, db_before = cpu_seconds(pid), postgres_cpu_seconds() if database else 0.0
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(warmup, warmup + requests)))
    calls = fake.wait_for("chat.postMessage", requests, timeout=120)
    time.sleep(0.2)  # the last turns' bookkeeping after their post
    per_1000 = 1000 / requests * 1000
    figures = Figures(name, acks, [], (cpu_seconds(pid) - cpu_before) * per_1000)
    if database:
        figures.db_cpu_ms_per_1000 = (postgres_cpu_seconds() - db_before) * per_1000
    figures.reply = [
        c.at - sent_at[c.params["thread_ts"]] for c in calls if c.params.get("thread_ts") in sent_at
    ]
    return figures


def postgres_schema() -> tuple[str, str] | None:
    """(URL with a fresh schema, schema) on the machine's PostgreSQL, or None without one."""
    try:
        import psycopg

        from tests.pg import BASE_URL, schema_url

        schema = f"bench_{os.getpid()}"
        with psycopg.connect(BASE_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {schema}")
        return schema_url(schema), schema
    except Exception as exc:  # no driver, no server: the SQLite and bare lines still run
        print(f"(PostgreSQL left out: {type(exc).__name__}: {exc})", file=sys.stderr)
        return None


def drop_schema(schema: str) -> None:
    import psycopg

    from tests.pg import BASE_URL

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def run(requests: int, concurrency: int) -> dict[str, Any]:
    """Each server in its own process (as in production); the fakes and the senders in this one."""
    pg = postgres_schema()
    with (
        FakeSlack() as bare_fake,
        FakeSlack() as app_fake,
        FakeSlack() as pg_fake,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
        bare_port = free_port()
        bare = start_process(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--serve-bare",
                str(bare_port),
                bare_fake.base_url,
            ],
            env,
            bare_port,
        )
        servers = [("bare-bolt", bare, bare_port, bare_fake, False)]

        def ours(name: str, fake: FakeSlack, **store: str) -> None:
            port = free_port()
            app_env = {**env, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "PWD": tmp,
                       "SLACK_API_BASE_URL": fake.base_url, "TOIMINTAMALLI_DB": str(Path(tmp) / "b.sqlite"),
                       **store}  # fmt: skip
            process = start_process(
                [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], app_env, port
            )
            servers.append((name, process, port, fake, "TOIMINTAMALLI_DATABASE_URL" in store))

        try:
            ours("toimintamalli/sqlite", app_fake)
            if pg is not None:
                ours("toimintamalli/pg", pg_fake, TOIMINTAMALLI_DATABASE_URL=pg[0])
            results = [
                measure(name, f"http://127.0.0.1:{port}", fake, requests, concurrency, process.pid, db)
                for name, process, port, fake, db in servers
            ]
        finally:
            for _, process, *_rest in servers:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            if pg is not None:
                drop_schema(pg[1])
    baseline = results[0]
    return {
        "requests": requests,
        "concurrency": concurrency,
        "figures": results,
        "reply_p99_ratio": {f.name: _ms(f.reply, 99) / _ms(baseline.reply, 99) for f in results[1:]},
        "cpu_ratio": {f.name: f.cpu_ms_per_1000 / baseline.cpu_ms_per_1000 for f in results[1:]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve-bare", nargs=2, metavar=("PORT", "API_BASE_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        return serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
    result = run(args.requests, args.concurrency)
    if args.json:
        out = {k: v for k, v in result.items() if k != "figures"}
        out["figures"] = {
            f.name: {
                "ack_p50_ms": _ms(f.ack, 50),
                "ack_p99_ms": _ms(f.ack, 99),
                "reply_p50_ms": _ms(f.reply, 50),
                "reply_p99_ms": _ms(f.reply, 99),
                "cpu_ms_per_1000_events": f.cpu_ms_per_1000,
                "database_cpu_ms_per_1000_events": f.db_cpu_ms_per_1000,
            }
            for f in result["figures"]
        }
        print(json.dumps(out, indent=2))
        return 0
    print(f"{args.requests} mentions, {args.concurrency} concurrent")
    for figures in result["figures"]:
        print(figures.line())
    for name, ratio in result["reply_p99_ratio"].items():
        cpu = result["cpu_ratio"][name]
        print(f"{name} / bare Bolt: reply p99 x{ratio:.2f} (target <= 1.5), CPU x{cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
