"""Renders answers and help from jinja2 templates."""

from __future__ import annotations

from knowledge.loader import KnowledgeBase


def render_help(kb: KnowledgeBase, channel: str) -> str:
    return "Apua: rakenteilla."
