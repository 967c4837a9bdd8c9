"""The `toimintamalli` command as a user runs it: ask, kb, chat, and the shared question set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.paths import ROOT


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
    )


def test_ask_json_answers_one_line_per_stdin_line() -> None:
    proc = run("ask", "--json", stdin="Miten nimeän I3-mallin?\n\nKerro vitsi\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3
    assert set(rows[0]) == {"answer", "confident", "topic", "sources", "suggestions"}
    assert rows[0]["confident"] is True and "(RRP, P4, I3)" in rows[0]["answer"]
    assert all(set(s) == {"dia", "title"} for s in rows[0]["sources"])
    assert rows[1]["confident"] is False and rows[2]["confident"] is False
    assert 1 <= len(rows[2]["suggestions"]) <= 3


def test_ask_with_question_argument_prints_plain_text() -> None:
    proc = run("ask", "Lyhyen", "kuvauksen", "merkkimäärä?")
    assert proc.returncode == 0 and "250" in proc.stdout and "Lähde: ohje, dia 17" in proc.stdout


def test_kb_list_json_lists_entries_with_sources() -> None:
    proc = run("kb", "list", "--json")
    rows = json.loads(proc.stdout)
    naming = next(r for r in rows if r["id"] == "nimeaminen")
    assert {"dia": 16, "title": "Perustietoihin kaikkien kirjattavat asiat"} in naming["sources"]
    assert len(rows) >= 50


def test_kb_validate_passes_on_the_packaged_data() -> None:
    proc = run("kb", "validate")
    assert proc.returncode == 0, proc.stderr
    assert "Tietopohja kunnossa" in proc.stdout


def test_chat_answers_piped_questions_and_exits(tmp_path: Path) -> None:
    db = tmp_path / "chat.sqlite"
    proc = run(
        "chat",
        stdin="Kuka on Itä-Suomen kehittämispäällikkö?\napua\nlopeta\n",
        env={"TOIMINTAMALLI_DB": str(db)},
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Erja Heikkinen" in proc.stdout and "check" in proc.stdout and "Hei hei" in proc.stdout
    assert db.exists()


def test_chat_needs_no_slack_settings(tmp_path: Path) -> None:
    env = {k: "" for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}
    proc = run(
        "chat", stdin="lopeta\n", env={**env, "TOIMINTAMALLI_DB": str(tmp_path / "x.sqlite")}, cwd=tmp_path
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


def test_chat_refuses_a_corrupt_store_without_touching_it(tmp_path: Path) -> None:
    db = tmp_path / "broken.sqlite"
    db.write_bytes(b"not a database at all" * 10)
    before = db.read_bytes()
    proc = run("chat", stdin="apua\n", env={"TOIMINTAMALLI_DB": str(db)}, cwd=tmp_path)
    assert proc.returncode == 2
    assert str(db) in proc.stderr and "Traceback" not in proc.stderr
    assert db.read_bytes() == before


def test_shared_question_set_meets_the_floor() -> None:
    questions = SHARED / "eval" / "questions.jsonl"
    if not questions.exists():
        pytest.skip(
            "../shared/eval is not present in this checkout (the shared evaluation set lives beside the repo)"
        )
    floor = json.loads((ROOT / "tests" / "data" / "floors.json").read_text())["shared_questions"]
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "score.py"),
            str(questions),
            "--min",
            str(floor),
            "--",
            sys.executable,
            "-m",
            "bot.cli",
            "ask",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_wheel_contains_the_data_files(tmp_path: Path) -> None:
    """`pip install .` must carry the knowledge data and templates, not only an editable install."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    import zipfile

    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {f"knowledge/data/{p.name}" for p in (ROOT / "knowledge" / "data").glob("*.yaml")}
    templates = {f"knowledge/templates/{p.name}" for p in (ROOT / "knowledge" / "templates").glob("*.j2")}
    assert data | templates <= names
