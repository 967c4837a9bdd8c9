"""Modal (view) listeners."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """No modal is registered yet: the check form joins here once dialogs.perustiedot exposes its steps."""
    return None
