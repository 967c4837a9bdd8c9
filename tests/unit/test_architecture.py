"""The three rooms of DESIGN.md: bot -> dialogs -> knowledge, and only bot/slack imports Slack libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

ALLOWED = {
    "knowledge": {"knowledge"},
    "dialogs": {"dialogs", "knowledge"},
    "bot": {"bot", "dialogs", "knowledge"},
}
SLACK = {"slack_bolt", "slack_sdk"}
TEAMS = {"microsoft_agents", "aiohttp"}


def import_names(path: Path, members: bool = False) -> set[str]:
    """The modules `path` imports, by full name, at any level of the file (an import inside a function
    counts too); with `members`, also "module.name" for each `from module import name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if members:
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imports(path: Path) -> set[str]:
    """The top-level packages `path` imports."""
    return {name.split(".")[0] for name in import_names(path)}


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_rooms_import_only_downwards(room: str) -> None:
    ours = set(ALLOWED)
    wrong = {
        str(path.relative_to(ROOT)): sorted((imports(path) & ours) - ALLOWED[room])
        for path in (ROOT / room).rglob("*.py")
    }
    assert {k: v for k, v in wrong.items() if v} == {}


@pytest.mark.parametrize(("channel", "libraries"), [("slack", SLACK), ("teams", TEAMS)])
def test_only_the_channels_package_imports_its_libraries(channel: str, libraries: set[str]) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for room in ALLOWED
        for path in (ROOT / room).rglob("*.py")
        if imports(path) & libraries and not path.is_relative_to(ROOT / "bot" / channel)
    ]
    assert offenders == []


WIRING = {"bot/cli.py", "bot/channels.py"}  # name the channels, import each only when it is used


def test_only_the_channel_packages_and_the_wiring_know_a_channel() -> None:
    """The turn pipeline, the store, the scheduler and the state are channel-neutral: outside
    bot/slack/ and bot/teams/ only the wiring imports them."""
    offenders = [
        str(path.relative_to(ROOT))
        for room in ALLOWED
        for path in (ROOT / room).rglob("*.py")
        for channel in ("slack", "teams")
        if not path.is_relative_to(ROOT / "bot" / channel)
        and str(path.relative_to(ROOT)) not in WIRING
        and any(name == f"bot.{channel}" or name.startswith(f"bot.{channel}.") for name in import_names(path))
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


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_imports(path: Path, known: set[str]) -> set[str]:
    """Our modules that `path` imports, at any level of the file (an import inside a function counts too)."""
    found = set()
    for name in import_names(path, members=True):
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    paths = [path for room in ALLOWED for path in (ROOT / room).rglob("*.py")]
    known = {module_name(p) for p in paths}
    graph = {module_name(p): module_imports(p, known) for p in paths}
    # a package's __init__ is not a dependency of its own modules' imports of each other
    return {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_inside_or_between_rooms() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_answerer_is_a_one_way_pipeline() -> None:
    graph = import_graph()
    order = ["knowledge.analyse", "knowledge.decide", "knowledge.render", "knowledge.answering"]
    for i, module in enumerate(order):
        later = set(order[i + 1 :])
        assert not graph[module] & later, f"{module} imports a later step: {graph[module] & later}"
