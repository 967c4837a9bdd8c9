"""Writes the classifier cache shipped with the package (knowledge/data/classifier.marshal.gz).

Run after changing the examples, the answers, the lexicon, the counties or the knowledge code:
    .venv/bin/python tools/build_cache.py
A test fails while the shipped cache is not the one for the current data and code.
"""

from __future__ import annotations

import os

os.environ["TOIMINTAMALLI_CACHE_DIR"] = "off"  # build from scratch, read no cache

from knowledge import buildcache
from knowledge.answering import Answerer
from knowledge.loader import default_knowledge


def main() -> None:
    analyser = Answerer(default_knowledge()).analyser
    path = buildcache.write_packaged("classifier", analyser.classifier_key, analyser.classifier.state())
    print(f"{path} ({path.stat().st_size // 1024} KiB, key {analyser.classifier_key})")


if __name__ == "__main__":
    main()
