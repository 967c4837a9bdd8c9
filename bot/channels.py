"""Wiring: the store the settings name, and the reminder senders of the channels this process can reach.

The one place outside a channel package that names the channels; each is imported only when its
settings are present.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.scheduler import Sender
from bot.settings import Settings
from bot.storage import Storage, open_storage

log = logging.getLogger(__name__)


def open_store(settings: Settings) -> Storage:
    """PostgreSQL with TOIMINTAMALLI_DATABASE_URL, else the SQLite file TOIMINTAMALLI_DB."""
    return open_storage(settings.database_url, settings.db_path)


def senders(settings: Settings, slack_client: Any = None) -> dict[str, Sender]:
    """A Sender per channel whose credentials are set (`slack_client`: reuse the app's Web API client)."""
    found: dict[str, Sender] = {}
    if settings.slack_bot_token or slack_client is not None:
        from bot.slack.app import create_client
        from bot.slack.reminder_delivery import ReminderDelivery
        from bot.slack.services import CHANNEL

        found[CHANNEL] = ReminderDelivery(
            slack_client if slack_client is not None else create_client(settings)
        )
    return found
