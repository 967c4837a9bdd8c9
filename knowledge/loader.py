"""Loads and validates the knowledge data files; an error names the file, the entry and the field."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.models import (
    Common,
    Concept,
    Contacts,
    County,
    Deadline,
    Entry,
    Investment,
    InvestmentCode,
    OutOfScope,
    Slide,
)

DATA_DIR = Path(__file__).parent / "data"
TEMPLATES_DIR = Path(__file__).parent / "templates"
M = TypeVar("M", bound=BaseModel)

try:  # the C loader is several times faster; fall back to the pure-Python one
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """Safe loading that refuses a key given twice in one mapping (YAML would keep only the last)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"avain '{key}' toistuu", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


class KnowledgeError(Exception):
    """A data file is missing, unreadable or does not match its model."""


@dataclass(frozen=True)
class KnowledgeBase:
    investments: dict[InvestmentCode, Investment]
    common: Common
    counties: list[County]
    contacts: Contacts
    deadlines: list[Deadline]
    slides: dict[int, Slide]
    entries: list[Entry]
    lexicon: list[Concept]
    out_of_scope: list[OutOfScope]
    data_dir: Path
    examples: dict[str, list[str]] = field(default_factory=dict)  # topic id (or __oos__) -> questions
    slide_text: dict[int, str] = field(default_factory=dict)  # the guide's text, slide by slide

    def entry(self, entry_id: str) -> Entry:
        return next(e for e in self.entries if e.id == entry_id)

    def slide_title(self, dia: int) -> str:
        slide = self.slides.get(dia)
        return slide.title if slide else f"dia {dia}"

    def county(self, name: str) -> County | None:
        return next((c for c in self.counties if c.name == name), None)


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)
    except OSError as exc:
        raise KnowledgeError(f"{path}: tiedostoa ei voi lukea ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: virheellinen YAML: {exc}") from exc


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(koko tietue)"
        parts.append(f"kenttä '{field}': {err['msg']}")
    return "; ".join(parts)


def _one(path: Path, model: type[M]) -> M:
    raw = _read(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"{path.name}: {_describe(exc)}") from exc


def _many(path: Path, model: type[M]) -> list[M]:
    raw = _read(path)
    if not isinstance(raw, list):
        raise KnowledgeError(f"{path.name}: tiedoston pitää olla luettelo tietueita")
    items: list[M] = []
    for index, item in enumerate(raw, start=1):
        try:
            items.append(model.model_validate(item))
        except ValidationError as exc:
            name = item.get("id") or item.get("code") or item.get("name") if isinstance(item, dict) else None
            label = f"tietue {index}" + (f" ({name})" if name else "")
            raise KnowledgeError(f"{path.name}: {label}: {_describe(exc)}") from exc
    return items


def _check_references(kb: KnowledgeBase) -> None:
    """Cross-file checks: cited slides exist, ids are unique, templates exist."""
    seen: set[str] = set()
    for entry in kb.entries:
        if entry.id in seen:
            raise KnowledgeError(f"entries.yaml: tietue ({entry.id}): tunniste on jo käytössä")
        seen.add(entry.id)
        for dia in entry.sources:
            if dia not in kb.slides:
                raise KnowledgeError(
                    f"entries.yaml: tietue ({entry.id}): kenttä 'sources': diaa {dia} ei ole"
                )
        if (entry.answer is None) == (entry.template is None):
            raise KnowledgeError(
                f"entries.yaml: tietue ({entry.id}): anna joko kenttä 'answer' tai kenttä 'template'"
            )
        if entry.template and not (TEMPLATES_DIR / entry.template).exists():
            raise KnowledgeError(
                f"entries.yaml: tietue ({entry.id}): kenttä 'template': tiedostoa {entry.template} ei ole"
            )
    for entry in kb.entries:
        for rel in entry.related:
            if rel not in seen:
                raise KnowledgeError(f"entries.yaml: tietue ({entry.id}): kenttä 'related': '{rel}' puuttuu")
    for item in kb.out_of_scope:
        for topic in item.except_topics:
            if topic not in seen:
                raise KnowledgeError(
                    f"out_of_scope.yaml: tietue ({item.id}): kenttä 'except_topics': aihetta '{topic}' ei ole"
                )
    areas = {r.area for r in kb.contacts.regions}
    for county in kb.counties:
        if county.area not in areas:
            raise KnowledgeError(f"counties.yaml: tietue ({county.name}): kenttä 'area': tuntematon alue")


def _examples(root: Path, entry_ids: set[str]) -> dict[str, list[str]]:
    """Example questions per topic from every file of data/examples/ (topic id -> list of questions)."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "examples").glob("*.yaml")):
        raw = _read(path)
        if not isinstance(raw, dict):
            raise KnowledgeError(f"examples/{path.name}: tiedoston pitää olla aihe: [kysymyksiä] -kartta")
        for topic, questions in raw.items():
            if topic != "__oos__" and topic not in entry_ids:
                raise KnowledgeError(
                    f"examples/{path.name}: aihetta '{topic}' ei ole entries.yaml-tiedostossa"
                )
            if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
                raise KnowledgeError(f"examples/{path.name}: aihe '{topic}': anna luettelo kysymyksiä")
            found.setdefault(topic, []).extend(q.strip() for q in questions if q.strip())
    return found


def _slide_text(root: Path) -> dict[int, str]:
    path = root / "slide_text.yaml"
    if not path.exists():
        return {}
    raw = _read(path)
    if not isinstance(raw, list):
        raise KnowledgeError("slide_text.yaml: tiedoston pitää olla luettelo {dia, text}")
    return {int(item["dia"]): str(item.get("text") or "") for item in raw}


def load_knowledge(data_dir: Path | None = None) -> KnowledgeBase:
    """Read every data file of `data_dir` (default: the packaged data) and validate it."""
    root = Path(data_dir) if data_dir else DATA_DIR
    investments = _many(root / "investments.yaml", Investment)
    kb = KnowledgeBase(
        investments={inv.code: inv for inv in investments},
        common=_one(root / "common.yaml", Common),
        counties=_many(root / "counties.yaml", County),
        contacts=_one(root / "contacts.yaml", Contacts),
        deadlines=_many(root / "deadlines.yaml", Deadline),
        slides={s.dia: s for s in _many(root / "slides.yaml", Slide)},
        entries=_many(root / "entries.yaml", Entry),
        lexicon=_many(root / "lexicon.yaml", Concept),
        out_of_scope=_many(root / "out_of_scope.yaml", OutOfScope),
        data_dir=root,
        slide_text=_slide_text(root),
    )
    kb.examples.update(_examples(root, {e.id for e in kb.entries}))
    _check_references(kb)
    return kb


@functools.lru_cache(maxsize=1)
def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
