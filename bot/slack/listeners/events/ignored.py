"""Acknowledges events the assistant does not act on, so Slack gets 200 and does not retry."""

from __future__ import annotations


def ignore_event() -> None:
    return None
