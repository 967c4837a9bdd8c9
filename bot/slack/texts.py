"""The Slack surface's own wording (labels, notes, errors), from bot/data/texts.yaml (section `slack`):
`texts.DID_YOU_MEAN` is the text `did_you_mean`. The guidance itself comes from the dialogs."""

from __future__ import annotations

from typing import Any

from bot.texts import sections


def __getattr__(name: str) -> Any:
    try:
        return sections()["slack"][name.lower()]
    except KeyError:
        raise AttributeError(name) from None
