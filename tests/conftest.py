"""Shared fixtures: the packaged knowledge base and a turn context."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dialogs.context import Context
from knowledge.answering import Answerer
from knowledge.loader import KnowledgeBase, default_knowledge
from tests.pg import fresh_schema

SHARED = Path(__file__).resolve().parents[2] / "shared"

# the tests (and the processes they start) build their classifier cache in a directory of their own
os.environ.setdefault("TOIMINTAMALLI_CACHE_DIR", tempfile.mkdtemp(prefix="toimintamalli-cache-"))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase) -> Answerer:
    return Answerer(kb)


@pytest.fixture(scope="session")
def ctx(kb: KnowledgeBase, answerer: Answerer) -> Context:
    return Context(kb=kb, answerer=answerer, tz=ZoneInfo("Europe/Helsinki"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (skips without a server, fails under CI)."""
    yield from fresh_schema()
