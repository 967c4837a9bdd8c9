"""Benchmark of the answerer: start-up, per-question latency p50/p99 over 1000 questions, peak RSS.

Run: .venv/bin/python bench/bench_ask.py   (prints figures; asserts nothing)
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def questions() -> list[str]:
    found: list[str] = []
    for path in sorted((ROOT / "tests" / "data").glob("questions*.jsonl")):
        found += [
            json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    shared = ROOT.parent / "shared" / "eval" / "questions.jsonl"
    if shared.exists():
        found += [
            json.loads(line)["q"] for line in shared.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    return found


def cold_start_ms(cache_dir: str) -> float:
    """A fresh interpreter importing, loading and indexing, then answering one question."""
    code = (
        "import time; t=time.perf_counter();"
        "from knowledge.loader import default_knowledge; from knowledge.answering import Answerer;"
        "a=Answerer(default_knowledge()); a.answer('nimi i2'); print((time.perf_counter()-t)*1000)"
    )
    env = {**os.environ, "TOIMINTAMALLI_CACHE_DIR": cache_dir}
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, env=env
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def main() -> None:
    started = time.perf_counter()
    from knowledge.answering import Answerer
    from knowledge.loader import load_knowledge

    kb = load_knowledge()
    loaded = time.perf_counter()
    answerer = Answerer(kb)
    indexed = time.perf_counter()

    pool = questions()
    sample = [pool[i % len(pool)] + ("" if i < len(pool) else f" {i % 7}") for i in range(1000)]
    latencies = []
    for question in sample:
        t0 = time.perf_counter()
        answerer.answer(question)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"load data: {1000 * (loaded - started):.0f} ms (incl. imports); build index + renderer: "
        f"{1000 * (indexed - loaded):.0f} ms; in-process start-up: {1000 * (indexed - started):.0f} ms"
    )
    with tempfile.TemporaryDirectory() as cache:
        shipped = cold_start_ms(cache)  # an empty user cache: the classifier shipped with the package
    print(
        "cold start, new interpreter (imports, load, index, 1 answer; median of 5): "
        f"{shipped:.0f} ms with the shipped classifier, {cold_start_ms('off'):.0f} ms building it "
        "(only after a change to the data without tools/build_cache.py)"
    )
    print(
        f"questions: {len(sample)} ({len(pool)} distinct); p50 {statistics.median(latencies):.2f} ms, "
        f"p99 {latencies[int(0.99 * len(latencies)) - 1]:.2f} ms, max {latencies[-1]:.2f} ms"
    )
    print(f"peak RSS: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
