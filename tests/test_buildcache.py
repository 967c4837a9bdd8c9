"""The classifier cache: a restart loads what an earlier start built, with the same answers; a broken,
stale or unwritable cache only means building again."""

from __future__ import annotations

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


def test_a_second_start_loads_the_cache_and_answers_the_same(kb: KnowledgeBase, cache: Path) -> None:
    built = Answerer(kb)
    files = list(cache.glob("classifier-*.marshal"))
    assert len(files) == 1
    loaded = Answerer(kb)
    assert scores(loaded) == scores(built)
    assert [loaded.answer(q).answer for q in QUESTIONS] == [built.answer(q).answer for q in QUESTIONS]


def test_a_broken_cache_file_is_rebuilt(kb: KnowledgeBase, cache: Path) -> None:
    reference = scores(Answerer(kb))
    (path,) = cache.glob("classifier-*.marshal")
    path.write_bytes(b"\x00not marshal")
    assert scores(Answerer(kb)) == reference
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
