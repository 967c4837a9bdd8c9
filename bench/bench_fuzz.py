"""Odd-shaped signed requests against `toimintamalli serve` (its own process, a fake Slack in this
one): how many got a 5xx, and the slowest ack. Three seeds of 1,500 requests by default.

    .venv/bin/python bench/bench_fuzz.py [--seeds 1 2 3] [--requests 1500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_slack import free_port, start_process  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.slack.fuzz import odd_requests  # noqa: E402
from tests.slack.slack_requests import SECRET, SlackSender  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--requests", type=int, default=1500)
    args = parser.parse_args(argv)
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOIMINTAMALLI_"))}
        env |= {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_BASE_URL": fake.base_url,
            "TOIMINTAMALLI_DB": str(Path(tmp) / "fuzz.sqlite"),
        }
        log = (Path(tmp) / "serve.log").open("wb")
        server = start_process(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], env, port, stderr=log
        )
        sender = SlackSender(f"http://127.0.0.1:{port}")
        worst = 0
        try:
            for seed in args.seeds:
                statuses: dict[int, int] = {}
                slowest = 0.0
                for body, content_type in odd_requests(seed, args.requests):
                    started = time.monotonic()
                    status = sender.post(body, content_type).status
                    slowest = max(slowest, time.monotonic() - started)
                    statuses[status] = statuses.get(status, 0) + 1
                errors = sum(n for s, n in statuses.items() if s >= 500)
                worst = max(worst, errors)
                shown = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
                print(
                    f"seed {seed}: {args.requests} requests, 5xx {errors}, "
                    f"slowest ack {slowest * 1000:.0f} ms ({shown})"
                )
        finally:
            server.terminate()
            server.wait(15)
            log.close()
    return 1 if worst else 0


if __name__ == "__main__":
    raise SystemExit(main())
