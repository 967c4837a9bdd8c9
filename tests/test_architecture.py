"""The three rooms of DESIGN.md: bot -> dialogs -> knowledge, and only bot/slack imports Slack libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "knowledge": {"knowledge"},
    "dialogs": {"dialogs", "knowledge"},
    "bot": {"bot", "dialogs", "knowledge"},
}
SLACK = {"slack_bolt", "slack_sdk"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_rooms_import_only_downwards(room: str) -> None:
    ours = set(ALLOWED)
    wrong = {
        str(path.relative_to(ROOT)): sorted((imports(path) & ours) - ALLOWED[room])
        for path in (ROOT / room).rglob("*.py")
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_only_bot_slack_imports_slack_libraries() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for room in ALLOWED
        for path in (ROOT / room).rglob("*.py")
        if imports(path) & SLACK and not path.is_relative_to(ROOT / "bot" / "slack")
    ]
    assert offenders == []


def test_every_module_starts_with_a_docstring() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for room in ALLOWED
        for path in (ROOT / room).rglob("*.py")
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []
