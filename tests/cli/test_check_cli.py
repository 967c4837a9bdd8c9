"""The `toimintamalli check` command: JSON report, exit codes 0/1/2, one-line errors, the shared eval set."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli_check import MAX_BYTES, run_check
from tests.conftest import SHARED
from tests.paths import ROOT
from tests.unit.test_validator import VALID_I4

CLI = [sys.executable, "-m", "bot.cli", "check"]


def write(tmp_path: Path, data: Any, name: str = "perustiedot.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.skipif(not (SHARED / "eval" / "checks.jsonl").exists(), reason="../shared/eval is not present")
def test_shared_check_cases_score_100_percent() -> None:
    scorer = SHARED / "eval" / "score_checks.py"
    cases = SHARED / "eval" / "checks.jsonl"
    proc = subprocess.run(
        [sys.executable, str(scorer), str(cases), "--min", "1.0", "--", *CLI, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(100.0%)" in proc.stdout.strip().splitlines()[-1]


def test_cli_exit_codes_in_a_real_process(tmp_path: Path) -> None:
    valid = run_cli("--json", str(write(tmp_path, VALID_I4, "valid.json")))
    assert valid.returncode == 0, valid.stderr
    report = json.loads(valid.stdout)
    assert report["valid"] is True and report["publishable"] is True
    assert set(report) == {"valid", "publishable", "findings", "suggested_name"}

    wrong = copy.deepcopy(VALID_I4)
    wrong["nimi"] = "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I3)"
    invalid = run_cli("--json", str(write(tmp_path, wrong, "wrong.json")))
    assert invalid.returncode == 1
    errors = [f for f in json.loads(invalid.stdout)["findings"] if f["severity"] == "error"]
    assert [f["field"] for f in errors] == ["nimi"]
    assert errors[0]["dia"] and errors[0]["sources"][0]["title"]

    broken = tmp_path / "broken.json"
    broken.write_text('{"nimi": ', encoding="utf-8")
    unreadable = run_cli("--json", str(broken))
    assert unreadable.returncode == 2 and unreadable.stdout == ""
    assert len(unreadable.stderr.strip().splitlines()) == 1 and "Traceback" not in unreadable.stderr


def test_readable_summary_lists_errors_then_warnings_then_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(VALID_I4)
    data["nimi"] = "Chat-neuvonta Pohjois-Savon HVA (RRP, P4, I3)"
    data["lyhyt_kuvaus"] = "Palvelua tullaan kehittämään."
    assert run_check(str(write(tmp_path, data)), as_json=False) == 1
    out = capsys.readouterr().out
    assert out.index("Korjattavaa") < out.index("Huomioita") < out.index("Ehdotettu nimi")
    assert "(RRP, P4, I4)" in out and "dia" in out


def _unreadable_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}

    def text(name: str, content: str, needle: str) -> None:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        cases[name] = (path, needle)

    text("broken.json", '{"nimi": "x",', "JSON")
    text("array.json", "[1, 2]", "olio")
    text("list_as_string.json", '{"rahoittajat": "STM"}', "rahoittajat")
    text("number_name.json", '{"nimi": 12}', "nimi")
    text("number_in_list.json", '{"yllapitajat": ["a@b.fi", 3]}', "yllapitajat")
    text("bool_as_text.json", '{"valmennus": "kyllä"}', "valmennus")
    text("empty.json", "   ", "tyhjä")
    text("deep.json", "[" * 200_000 + "]" * 200_000, "sisäkkäinen")
    text("trailing.json", '{"nimi": "x"} {}', "ylimääräistä")
    binary = tmp_path / "binary.json"
    binary.write_bytes(bytes(range(256)) * 4)
    cases["binary.json"] = (binary, "binää")
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"nimi": "Äänekoski"}'.encode("latin-1"))
    cases["latin1.json"] = (latin, "UTF-8")
    big = tmp_path / "big.json"
    big.write_text('{"nimi": "' + "a" * (MAX_BYTES + 10) + '"}', encoding="utf-8")
    cases["big.json"] = (big, "liian suuri")
    cases["missing.json"] = (tmp_path / "missing.json", "ei löydy")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    cases["folder.json"] = (folder, "hakemisto")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # reading it would block for ever
    cases["fifo.json"] = (fifo, "tavallinen tiedosto")
    text("digits.json", '{"nimi": ' + "9" * 5000 + "}", "liian pitkä luku")
    many = json.dumps({"yllapitajat": [f"u{i}@example.fi" for i in range(200_000)]})[: MAX_BYTES - 10]
    text("many.json", many.rsplit(",", 1)[0] + "]}", "kohtaa; enintään")
    return cases


@pytest.mark.parametrize("as_json", [True, False])
def test_unreadable_input_exits_2_with_one_finnish_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    for name, (path, needle) in _unreadable_cases(tmp_path).items():
        assert run_check(str(path), as_json=as_json) == 2, name
        captured = capsys.readouterr()
        assert captured.out == "", name
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1, (name, captured.err)
        assert needle in lines[0] and lines[0].startswith("Virhe:"), (name, lines[0])


def test_optional_fields_default_to_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(str(write(tmp_path, {})), as_json=True) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["publishable"] is False and report["suggested_name"] is None
    flagged = {f["field"] for f in report["findings"] if f["severity"] == "error"}
    assert {"nimi", "aihealueet", "toteutuspaikka", "hyvinvointialue", "kohderyhma", "rahoittajat"} <= flagged


def test_valid_file_prints_a_plain_summary_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_check(str(write(tmp_path, VALID_I4)), as_json=False) == 0
    out = capsys.readouterr().out
    assert "Perustiedot ovat ohjeen mukaiset" in out and "*" not in out
