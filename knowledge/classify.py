"""Example-based topic classifier: a question is compared with every example question of every topic.

Each text becomes a sparse vector of two kinds of features, each tf-idf weighted and L2-normalised:
word features from the search index (lexicon concepts that cover inflections, synonyms, English and
Swedish; Snowball stems; question kinds) and character n-grams of the words with ä/ö/å folded to
a/o/a, which carry typos, missing umlauts and unseen inflections. A topic's score is the cosine
similarity of its nearest examples, so a topic is as well understood as its examples are varied.
The "__oos__" label holds questions the guide does not answer: a question nearest to them is declined.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

OOS = "__oos__"
_ASCII = str.maketrans("äöåüé", "aoaue")
CHAR_SIZES = (3, 4, 5)
WORD_SHARE = 0.55  # weight of the word features against the character n-grams
TOP_K = 3  # a topic's score blends its nearest examples
COVER_GRAM = 6  # "g:" and four characters: the n-grams that tell whether a topic knows a word


@dataclass(frozen=True)
class Example:
    label: str
    text: str
    weight: float = 1.0  # slide text and titles count a little less than questions people wrote


@dataclass(frozen=True)
class Scored:
    label: str
    score: float


@functools.lru_cache(maxsize=32768)
def _word_grams(word: str) -> tuple[str, ...]:
    padded = "<" + word.translate(_ASCII) + ">"
    return tuple("g:" + padded[i : i + size] for size in CHAR_SIZES for i in range(len(padded) - size + 1))


def char_grams(words: Iterable[str]) -> list[str]:
    """Character 3–5-grams of each word, padded with word boundaries, umlauts folded."""
    grams: list[str] = []
    for word in words:
        grams.extend(_word_grams(word))
    return grams


class ExampleClassifier:
    """Nearest-example scoring over an inverted index of sparse vectors (pure Python, built at start)."""

    def __init__(
        self,
        examples: list[Example],
        featurize: Callable[[str], tuple[list[str], list[str]]],
    ) -> None:
        """`featurize(text)` gives a text's word features and its content words (for the n-grams)."""
        self._featurize = featurize
        raw = [self._raw(e.text) for e in examples]
        # an example of question words only ("kuinka monen kannattaa") would match any such question
        kept = [i for i, (_, grams) in enumerate(raw) if grams]
        examples, raw = [examples[i] for i in kept], [raw[i] for i in kept]
        df: Counter[str] = Counter()
        for words, grams in raw:
            df.update(words.keys())
            df.update(grams.keys())
        n = len(examples)
        log = math.log
        self.idf = {f: log((n + 1) / (d + 0.5)) for f, d in df.items()}
        self.max_idf = log((n + 1) / 0.5)
        self.labels = [e.label for e in examples]
        self.weights = [e.weight for e in examples]
        # each label's vocabulary: which words its examples use (for telling a near miss from a match)
        self.vocabulary: dict[str, set[str]] = defaultdict(set)
        for example, (words, grams) in zip(examples, raw, strict=True):
            self.vocabulary[example.label].update(words)
            self.vocabulary[example.label].update(g for g in grams if len(g) == COVER_GRAM)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, (words, grams) in enumerate(raw):
            for feature, value in self._vector(words, grams).items():
                postings[feature].append((i, value))
        self.postings = dict(postings)
        self.label_set = sorted(set(self.labels))

    STATE = ("idf", "max_idf", "labels", "weights", "vocabulary", "postings", "label_set")

    def state(self) -> dict[str, Any]:
        """Everything built from the examples, as plain data (for `knowledge.buildcache`)."""
        values = {name: getattr(self, name) for name in self.STATE}
        values["vocabulary"] = dict(values["vocabulary"])
        return values

    @classmethod
    def from_state(
        cls, state: dict[str, Any], featurize: Callable[[str], tuple[list[str], list[str]]]
    ) -> ExampleClassifier:
        made = cls.__new__(cls)
        made._featurize = featurize
        for name in cls.STATE:
            setattr(made, name, state[name])
        made.vocabulary = defaultdict(set, made.vocabulary)
        return made

    def _raw(self, text: str) -> tuple[Counter[str], Counter[str]]:
        words, content = self._featurize(text)
        return Counter(words), Counter(char_grams(content))

    def _vector(self, words: Counter[str], grams: Counter[str]) -> dict[str, float]:
        idf, log = self.idf, math.log

        def part(counts: Counter[str], share: float) -> dict[str, float]:
            weights = {f: (1.0 + log(c)) * idf[f] for f, c in counts.items() if f in idf}
            norm = math.sqrt(sum(w * w for w in weights.values()))
            if not norm:
                return {}
            scale = math.sqrt(share) / norm
            return {f: w * scale for f, w in weights.items()}

        share = WORD_SHARE if words and grams else (1.0 if words else 0.0)
        vector = part(words, share)
        vector.update(part(grams, 1.0 - share))
        return vector

    def similarities(self, text: str) -> dict[int, float]:
        words, grams = self._raw(text)
        sims: defaultdict[int, float] = defaultdict(float)
        for feature, value in self._vector(words, grams).items():
            for i, other in self.postings.get(feature, ()):
                sims[i] += value * other
        return sims

    def scores(self, text: str) -> list[Scored]:
        """Every label with a score in 0..1, best first."""
        per_label: dict[str, list[float]] = defaultdict(list)
        for i, sim in self.similarities(text).items():
            per_label[self.labels[i]].append(sim * self.weights[i])
        ranked = []
        for label, sims in per_label.items():
            sims.sort(reverse=True)
            top = sims[:TOP_K]
            # the nearest example counts most; further ones confirm it
            score = 0.6 * top[0] + 0.4 * (sum(top) / TOP_K)
            ranked.append(Scored(label, score))
        ranked.sort(key=lambda s: -s.score)
        return ranked

    def add_vocabulary(self, label: str, text: str) -> None:
        """Count the words of `text` (e.g. the topic's answer) as words the label knows."""
        words, grams = self._raw(text)
        self.vocabulary[label].update(words)
        self.vocabulary[label].update(g for g in grams if len(g) == COVER_GRAM)

    def uncovered(self, words: list[str], label: str) -> list[str]:
        """The words of a question that neither the label's examples nor its answer use, even inflected."""
        vocabulary = self.vocabulary.get(label, set())
        missing = []
        for word in words:
            features, grams = self._raw(word)
            if any(f in vocabulary for f in features if not f.startswith("q:")):
                continue
            four = [g for g in grams if len(g) == COVER_GRAM]
            if four and sum(g in vocabulary for g in four) >= 0.6 * len(four):
                continue
            missing.append(word)
        return missing

    def informative(self, word: str) -> float:
        """How much a word tells (the idf of its rarest word feature; a word never seen tells the most)."""
        features, _ = self._raw(word)
        known = [self.idf[f] for f in features if f in self.idf and not f.startswith("q:")]
        return max(known) if known else self.max_idf

    def knows(self, word: str) -> bool:
        """Whether a word looks like the examples' words: most of its 5-grams occur in them."""
        grams = [g for g in char_grams([word]) if len(g) == 7]  # "g:" + five characters
        if not grams:  # a short word ("kp", "tm"): the examples use it as a whole word
            return "g:<" + word.translate(_ASCII) + ">" in self.idf
        return sum(g in self.idf for g in grams) >= 0.6 * len(grams)
