"""The classifier cache: a restart loads what an earlier start built, with the same answers; a broken,
stale or unwritable cache only means building again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from knowledge import buildcache
from knowledge.answering import Answerer
from knowledge.loader import KnowledgeBase

QUESTIONS = ["Miten nimeän I3:n mallin?", "kp HUS?", "Vad är taggen i namnet för pelare 3?", "Kerro vitsi"]


def scores(answerer: Answerer) -> list[list[tuple[str, float]]]:
    return [[(s.label, round(s.score, 9)) for s in answerer.analyser.rank(q)[:5]] for q in QUESTIONS]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TOIMINTAMALLI_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def changed(kb: KnowledgeBase) -> KnowledgeBase:
    """A knowledge base with one more example: the shipped cache is not for it."""
    examples = {**kb.examples, "__oos__": [*kb.examples.get("__oos__", []), "Mikä on Kuopion väkiluku?"]}
    return dataclasses.replace(kb, examples=examples)


def test_a_second_start_loads_the_cache_and_answers_the_same(changed: KnowledgeBase, cache: Path) -> None:
    built = Answerer(changed)
    files = list(cache.glob("classifier-*.marshal"))
    assert len(files) == 1
    loaded = Answerer(changed)
    assert scores(loaded) == scores(built)
    assert [loaded.answer(q).answer for q in QUESTIONS] == [built.answer(q).answer for q in QUESTIONS]


def test_a_broken_cache_file_is_rebuilt(changed: KnowledgeBase, cache: Path) -> None:
    reference = scores(Answerer(changed))
    (path,) = cache.glob("classifier-*.marshal")
    path.write_bytes(b"\x00not marshal")
    assert scores(Answerer(changed)) == reference
    assert path.read_bytes() != b"\x00not marshal"  # written anew


def test_other_examples_give_another_key(kb: KnowledgeBase) -> None:
    first = buildcache.key([("nimeaminen", "Miten nimeän?", 1.0)])
    assert first == buildcache.key([("nimeaminen", "Miten nimeän?", 1.0)])
    assert first != buildcache.key([("nimeaminen", "Miten nimeän mallin?", 1.0)])


def test_the_cache_can_be_turned_off_and_an_unwritable_one_is_ignored(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOIMINTAMALLI_CACHE_DIR", "off")
    assert buildcache.cache_dir() is None
    reference = scores(Answerer(kb))
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("TOIMINTAMALLI_CACHE_DIR", str(blocked / "cache"))
    assert scores(Answerer(kb)) == reference


def test_the_shipped_cache_is_the_one_for_this_data_and_code(answerer: Answerer) -> None:
    """Fails after a change to the examples, answers, lexicon or code: run tools/build_cache.py."""
    assert buildcache.packaged_key("classifier") == answerer.analyser.classifier_key


def test_the_shipped_cache_is_used_when_the_user_has_none(kb: KnowledgeBase, cache: Path) -> None:
    answerer = Answerer(kb)
    assert list(cache.glob("classifier-*.marshal")) == []  # nothing built, nothing written
    assert answerer.answer("Miten nimeän I3:n mallin?").confident
