"""A separate process working on one store: `python -m tests.storage.worker SPEC JOB ARG...`.

SPEC is a SQLite path or a postgresql:// URL. Prints one JSON line with what it did."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

from bot.storage import Write, open_storage


def main() -> None:
    spec, job, *args = sys.argv[1:]
    url, path = (spec, "") if spec.startswith("postgresql") else ("", spec)
    storage = open_storage(url, path)
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()  # all workers start together
    result: object = None
    if job == "increment":  # args: key, times
        key, times = args[0], int(args[1])
        conflicts = 0
        for _ in range(times):
            while True:
                current = storage.load(key)
                count = int(current.value.get("n", 0))
                if storage.commit(
                    [
                        Write(
                            key,
                            {"n": count + 1, "by": [*current.value.get("by", []), os.getpid()][-3:]},
                            current.version,
                        )
                    ]
                ):
                    break
                conflicts += 1
        result = {"conflicts": conflicts}
    elif job == "claim":  # args: how many keys
        result = [i for i in range(int(args[0])) if storage.claim(f"reminder:k{i}", now)]
    elif job == "events":
        result = [i for i in range(int(args[0])) if storage.first_time(f"Ev{i}", now)]
    elif job == "claim-and-die":  # claims, then dies before sending or finishing
        assert storage.claim(args[0], now)
        os._exit(9)
    storage.close()
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
