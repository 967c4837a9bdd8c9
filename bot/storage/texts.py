"""The store's messages, from bot/data/storage.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES = Path(__file__).resolve().parents[1] / "data" / "storage.yaml"


@cache
def messages() -> dict[str, str]:
    loaded = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def text(key: str, **values: Any) -> str:
    return messages()[key].format(**values)
