"""The texts of bot/ (storage, terminal, Slack), from bot/data/texts.yaml: one home for them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEXTS = Path(__file__).resolve().parent / "data" / "texts.yaml"


@cache
def sections() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
    return {str(name): dict(section) for name, section in loaded.items()}


def text(section: str, key: str, **values: Any) -> str:
    """The text `key` of `section`, its {placeholders} filled from `values`."""
    return str(sections()[section][key]).format(**values) if values else str(sections()[section][key])
