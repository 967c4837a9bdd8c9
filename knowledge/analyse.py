"""First step of answering: what a question names (entities), which topics it is near, and how sure that is.

Two scorers look at the question: the example classifier (knowledge.classify: nearest example
questions, character n-grams) and the lexical index (knowledge.search: idf-weighted lexicon concepts
over the topics' own text). Their scores are blended into one ranking per topic. A question that asks
two things is also cut into its parts, each ranked on its own, so that the decision can answer both.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from knowledge import buildcache
from knowledge.classify import OOS, Example, ExampleClassifier, Scored
from knowledge.entities import ANY_INVESTMENT, AREA_PATTERN, VALMENNUS, Entities, extract
from knowledge.loader import KnowledgeBase
from knowledge.models import Entry
from knowledge.search import _DIGITS, ENTITY_PHRASES, ENTITY_TOKEN, QUESTION_KINDS, STOPWORDS, Hit, Index
from knowledge.text import fold, tokens

LEXICAL_SHARE = 0.3  # weight of the lexical index in the blended score
LEXICAL_SCALE = 8.0  # a lexical score of this size counts as half-way sure
SLIDE_WEIGHT = 0.55  # lines of the guide's slide text, as an example of its topic
SLIDE_LINES = 3
KEYWORD_WEIGHT = 0.8
# words that make a turn lean on the previous one ("entä I4?", "ei kun tarkoitin I3", "and for I3?")
FOLLOWUP = re.compile(
    r"^(?:entä|entäs|entas|enta|mites|no entä|ja entä|ja |entäpä|ei kun|eikun|ei vaan|tarkoitin|siis |"
    r"and |and\b|what about|how about|what if|same for|och |och\b|hur är det med|men |samma för)"
    r"|(?<![a-zåäö])(?:tarkoitin|i meant|jag menade)(?![a-zåäö])"
)
# pronouns and adverbs that refer back to the previous answer ("kuka meidät sinne liittää?")
REFERS_BACK = re.compile(
    r"(?<![a-zåäö])(?:sinne|siihen|sitä|sita|sen|se|siitä|siita|siinä|siina|niitä|niita|niihin|ne|niiden|"
    r"sille|siltä|silta|sillä|silla|niille|niillä|niilla|"
    r"tuo|tuota|tota|ton|tohon|sinna|"
    r"sama|samat|it|that|there|them|those|det|dit|den|dem)(?![a-zåäö])"
)
# a turn that takes back what the user said before ("ei kun tarkoitin I3")
# adds to what was said: "entä jos sama malli on myös I4:ssä?" keeps the earlier investment too
ADDS = re.compile(r"(?<![a-zåäö])(?:myös|myöskin|lisäksi|also|too|as well|också|även|dessutom)(?![a-zåäö])")
CORRECTS = re.compile(
    r"(?<![a-zåäö])(?:ei kun|eikun|ei vaan|tarkoitin|tarkoitan|meinasin|i meant|actually|jag menade|menade)"
    r"(?![a-zåäö])"
)
# a turn that tells who the user is or what they work on ("Olen Pirkanmaalta.", "Teemme I2-mallia.")
STATES_CONTEXT = re.compile(
    r"(?<![a-zåäö])(?:olen|olemme|ollaan|oon|tulen|tulemme|työskentelen|työskentelemme|teemme|tehdään|"
    r"kehitämme|kehitetään|kuvaamme|meillä on|meidän hanke|meidän alue|edustan|i am|i'm|im|we are|"
    r"we're|i work|we work|our project|jag är|vi är|jag jobbar|vi jobbar|vi arbetar)(?![a-zåäö])"
)
TELLS_MIN_WORDS = 3  # "I4 aihealueet" is a terse question, "Olen HUSista töissä" a statement
# a message that asks something (not only tells who the user is)
ASKS = re.compile(
    r"\?|(?<![a-zåäö])(?:miten|mikä|mitkä|mitä|mihin|missä|mistä|kuka|ketkä|kenelle|keneltä|milloin|"
    r"koska|paljonko|montako|kuinka|voiko|voinko|pitääkö|onko|ollaanko|saako|tarvitaanko|"
    r"how|what|who|where|when|which|can|should|do|does|is|are|hur|vad|vem|var|när|kan|ska|måste)(?![a-zåäö])"
)
# asks for a number: answered only by a topic whose text has one (a count also by a list)
ASKS_COUNT = re.compile(
    r"\b(?:kuinka (?:monta|paljon)|montako|monta\b|paljonko|how (?:many|much)|hur (?:många|mycket))"
)
ASKS_LENGTH = re.compile(r"\b(?:mahtuu|merkk\w*|merkkimäär\w*|pituu\w*|how long|characters|hur lång|tecken)")
ASKS_LIMIT = re.compile(
    r"\b(?:merkkiraj\w*|merkkirajoi\w*|maksimimerk\w*|enimmäismerk\w*|pituusraj\w*|character limit"
    r"|max(?:imum)? length|teckengräns\w*)"
)
ASKS_DATE = re.compile(
    r"\b(?:milloin (?:on |ovat |pidetään |järjestetään )?(?:seuraava|seuraavat|ensi)"
    r"|tulossa|upcoming|kommande"
    r"|seuraava\w* (?:\w+ )?(?:pidetään|järjestetään)"
    r"|päivämäär\w*|kellonai\w*|when is the next|when are the next|när är nästa)"
)
DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.(?:20\d\d)?|\b20\d\d\b")
# asks for an upper limit ("voiko olla enintään…"): a topic that only gives a minimum does not answer it
ASKS_MAX = re.compile(r"\b(?:enintään|maksimi\w*|korkeintaan|at most|maximum|högst)\b")
GIVES_MAX = re.compile(r"\b(?:enintään|max|maksimi\w*|korkeintaan)\b")
NUMBER = re.compile(r"\d|\b(?:yksi|yhde|yhte|kaksi|kahde|kahte|kolm|nelj|viisi|viide|kuusi|kuude)")
LIST = re.compile(r"(?:^|\n)\s*(?:•|[0-9]+\.|[A-H]\.)", re.MULTILINE)
# where a question that asks two things splits ("…? Entä…", "… ja mitkä …", "… sekä …")
SPLIT = re.compile(
    r"[?!;]+\s*|\.\s+(?=[a-zåäö])|\s+(?:sekä|and also|samt)\s+|,?\s+(?:ja|and|och|\+|&)\s+"
    r"(?=(?:mitä|mikä|mitkä|miten|kuka|ketkä|keneltä|kenelle|milloin|mihin|minne|montako|paljonko|kuinka|"
    r"onko|pitääkö|voiko|entä|what|who|how|which|when|where|vad|vem|hur|när|vilka|var)(?![a-zåäö]))"
    r"|,?\s+(?:ja|and|och|sekä|\+|&)\s+"
)


@dataclass(frozen=True)
class Part:
    """One part of a question that asks several things, with its own ranking."""

    text: str
    ranked: list[Scored]


@dataclass(frozen=True)
class Analysis:
    """What the analyser made of one question."""

    question: str
    folded: str
    entities: Entities
    content_tokens: list[str]
    unknown_tokens: list[str]
    out_of_scope: str | None  # id of an out_of_scope.yaml category the question names
    ranked: list[Scored]  # topic ids (and OOS) with blended scores, best first
    hits: list[Hit]  # the lexical index's own ranking, for suggestions
    uncovered: list[str] = field(default_factory=list)  # content words the best topic does not know
    foreign: float = 0.0  # the share of the question's information in those words (idf-weighted)
    parts: list[Part] = field(default_factory=list)
    followup: bool = False  # leans on the previous turn ("entä I4?")
    refers_back: bool = False  # uses a pronoun for something said before ("sinne")
    states_context: bool = False  # tells who the user is ("Olen Pirkanmaalta")
    # a sentence that asks nothing and names a county or investment ("Teen viestintää Keusotessa."):
    # context too, when no topic is clear
    tells: bool = False
    adds: bool = False  # adds an investment to the earlier ones ("myös I4")
    corrects: bool = False  # takes back what was said before: its entities replace the stated ones
    asks: bool = True  # asks something ("…, kuka on meidän kp?"), not only tells
    # asks for a number or a date ("kuinka monta", "milloin on seuraava"): the topics whose text has
    # one, else None
    numbered: frozenset[str] | None = None

    @property
    def topic_words(self) -> list[str]:
        """Content words that are not entities: what the question is about beyond I2 or a county."""
        return [
            t for t in self.content_tokens if t not in self.unknown_tokens and not ANY_INVESTMENT.search(t)
        ]

    def score(self, label: str) -> float:
        return next((s.score for s in self.ranked if s.label == label), 0.0)


class Analyser:
    """Builds the lexical index and the example classifier once, then analyses questions."""

    def __init__(self, kb: KnowledgeBase, bodies: dict[str, str] | None = None) -> None:
        self.kb = kb
        self.index = Index(kb, bodies)
        self._guide = fold(" ".join(kb.slide_text.values()))
        self.classifier = self._classifier(kb, bodies or {})
        texts = {e.id: fold((bodies or {}).get(e.id, "") or e.answer or "") for e in kb.entries}
        self._with_digits = frozenset(i for i, t in texts.items() if re.search(r"\d", t))
        self._dated = frozenset(i for i, t in texts.items() if DATE.search(t))
        self._with_max = frozenset(i for i, t in texts.items() if GIVES_MAX.search(t))
        self._countable = frozenset(
            i for i, t in texts.items() if NUMBER.search(t) or len(LIST.findall(t)) >= 2
        )

    def _classifier(self, kb: KnowledgeBase, bodies: dict[str, str]) -> ExampleClassifier:
        examples = self._examples(kb)
        digest = buildcache.key(
            [(e.label, e.text, e.weight) for e in examples],
            sorted(bodies.items()),
            [c.model_dump() for c in kb.lexicon],
            [c.model_dump() for c in kb.counties],
        )
        self.classifier_key = digest
        state = buildcache.load("classifier", digest)
        if isinstance(state, dict):
            with contextlib.suppress(KeyError, TypeError):
                return ExampleClassifier.from_state(state, self.featurize)
        with buildcache.collector_paused():
            classifier = ExampleClassifier(examples, self.featurize)
            for entry_id, body in bodies.items():
                classifier.add_vocabulary(entry_id, body)
        buildcache.save("classifier", digest, classifier.state())
        return classifier

    # -- features shared by the classifier's examples and the questions ---------------------------
    def featurize(self, text: str) -> tuple[list[str], list[str]]:
        """The word features of a text and its content words (not stopwords, entities or places)."""
        folded = fold(text)
        searchable = self._searchable(folded)
        words = tokens(searchable)
        found = sorted(self.index.lexicon.phrase_concepts(searchable))
        for token in words:
            found.extend(self.index.token_features(token))
        kinds = entity_kinds(folded, self.index)
        found.extend(kinds)
        places = "e:place" in kinds
        content = [
            t
            for t in words
            if len(t) > 1
            and t not in STOPWORDS
            and t not in QUESTION_KINDS
            and not _DIGITS.match(t)
            and not ENTITY_TOKEN.match(t)
            and not (places and _names_place(self, t))
        ]
        return found, content

    def _searchable(self, folded: str) -> str:
        """The text without entity names (counties, "Sujuvat palvelut", "pilari 3"): not search words."""
        return self.index.county_finder.strip(ENTITY_PHRASES.sub(" ", folded))

    def content_words(self, text: str) -> list[str]:
        return self.featurize(text)[1]

    def _examples(self, kb: KnowledgeBase) -> list[Example]:
        examples: list[Example] = []
        for entry in kb.entries:
            examples.append(Example(entry.id, entry.title, KEYWORD_WEIGHT))
            examples.extend(Example(entry.id, k, KEYWORD_WEIGHT) for k in entry.keywords)
            examples.extend(Example(entry.id, q) for q in entry.questions)
            examples.extend(Example(entry.id, q) for q in kb.examples.get(entry.id, []))
        examples.extend(Example(OOS, q) for q in kb.examples.get(OOS, []))
        primary = _primary_topics(kb.entries)
        for dia, text in kb.slide_text.items():
            topic = primary.get(dia)
            if topic is None:
                continue
            lines = _slide_lines(text)
            for i in range(0, len(lines), SLIDE_LINES):  # a few lines at a time: fewer, fuller examples
                examples.append(Example(topic, " ".join(lines[i : i + SLIDE_LINES]), SLIDE_WEIGHT))
        return examples

    # -- analysis ---------------------------------------------------------------------------------
    def rank(self, text: str, lexical: list[Hit] | None = None) -> list[Scored]:
        """Topics (and OOS) by the blended score of the two scorers."""
        hits = lexical if lexical is not None else self.index.score(self.index.features(text))
        lexical_by_id = {h.entry.id: h.score / (h.score + LEXICAL_SCALE) for h in hits}
        blended: dict[str, float] = {}
        for scored in self.classifier.scores(text):
            blended[scored.label] = (1 - LEXICAL_SHARE) * scored.score
        for entry_id, value in lexical_by_id.items():
            blended[entry_id] = blended.get(entry_id, 0.0) + LEXICAL_SHARE * value
        ranked = [Scored(label, score) for label, score in blended.items()]
        ranked.sort(key=lambda s: -s.score)
        return ranked

    def analyse(self, question: str) -> Analysis:
        index = self.index
        folded = fold(question)
        entities = extract(self.kb, question, index.county_finder)
        searchable = self._searchable(folded)
        features: list[str] = sorted(index.lexicon.phrase_concepts(searchable))
        content: list[str] = []
        unknown: list[str] = []
        for token in _split_entity_compounds(tokens(searchable)):
            if token in QUESTION_KINDS:
                features.append("q:" + QUESTION_KINDS[token])
                continue
            if token in STOPWORDS or _DIGITS.match(token) or len(token) < 2:
                continue
            if _names_place(self, token):
                continue  # a county or region is an entity, not a search word
            if ENTITY_TOKEN.match(token) and not any(not ENTITY_TOKEN.match(p) for p in token.split("-")):
                continue
            content.append(token)
            found = index.known(token)
            if found:
                features.extend(found)
            elif not self.classifier.knows(token):
                unknown.append(token)
        hits = index.score(features, entities)
        out_of_scope = next((item.id for pattern, item in index.out_of_scope if pattern.search(folded)), None)
        ranked = self.rank(question, hits) if content else []
        best = next((s.label for s in ranked if s.label != OOS), None)
        words = self.content_words(question)
        uncovered = self.classifier.uncovered(words, best) if best else words
        return Analysis(
            question=question,
            folded=folded,
            entities=entities,
            content_tokens=content,
            unknown_tokens=unknown,
            out_of_scope=out_of_scope,
            ranked=ranked,
            hits=hits,
            uncovered=uncovered,
            foreign=self._foreign(words, uncovered),
            parts=self._parts(question),
            followup=bool(FOLLOWUP.search(folded.lstrip())),
            refers_back=bool(REFERS_BACK.search(folded)),
            states_context=bool(STATES_CONTEXT.search(folded)) and entities.any,
            asks=bool(ASKS.search(folded)),
            tells=entities.any and not ASKS.search(folded) and len(folded.split()) >= TELLS_MIN_WORDS,
            corrects=bool(CORRECTS.search(folded)),
            adds=bool(ADDS.search(folded)),
            numbered=self._numbers_for(folded),
        )

    def _numbers_for(self, folded: str) -> frozenset[str] | None:
        if ASKS_MAX.search(folded) and (ASKS_COUNT.search(folded) or ASKS_LENGTH.search(folded)):
            return self._with_max
        if ASKS_DATE.search(folded):
            return self._dated
        if ASKS_LIMIT.search(folded) or (ASKS_COUNT.search(folded) and ASKS_LENGTH.search(folded)):
            return self._with_digits
        if ASKS_COUNT.search(folded):
            return self._countable
        return None

    def _foreign(self, words: list[str], uncovered: list[str]) -> float:
        weights = {w: self.classifier.informative(w) for w in words}
        total = sum(weights.values())
        return sum(weights[w] for w in uncovered) / total if total else 0.0

    def _parts(self, question: str) -> list[Part]:
        pieces = [p.strip() for p in SPLIT.split(self._protect(fold(question))) if p and p.strip()]
        pieces = [p.replace("\u2063", " ") for p in pieces]
        if len(pieces) < 2:
            return []
        return [Part(p, self.rank(p)) for p in pieces if self.content_words(p)]

    def _protect(self, folded: str) -> str:
        """Keep the guide's own "A ja B" phrases whole (Oivalla ja ymmärrä, Sosiaali- ja terveys…)."""

        def keep(match: re.Match[str]) -> str:
            phrase = match.group(0)
            return (
                phrase.replace(" ", "\u2063")
                if phrase in self._guide or match.group(1).endswith("-")
                else phrase
            )

        return re.sub(r"([a-zåäö-]+) (?:ja|sekä) ([a-zåäö]+)", keep, folded)


def _split_entity_compounds(words: list[str]) -> list[str]:
    """ "i2-kuvausten" -> "kuvausten": the investment is an entity, the rest of the compound a word."""
    out: list[str] = []
    for word in words:
        pieces = word.split("-")
        if len(pieces) > 1 and any(ENTITY_TOKEN.match(p + "-") for p in pieces if p):
            out.extend(p for p in pieces if p and not ENTITY_TOKEN.match(p + "-"))
        else:
            out.append(word)
    return out


def entity_kinds(folded: str, index: Index) -> list[str]:
    """Which kinds of entity a text names, as features: a question about a county is about a place."""
    kinds = []
    if ANY_INVESTMENT.search(folded):
        kinds.append("e:investment")
    if AREA_PATTERN.search(folded) or index.county_finder.find(folded) is not None:
        kinds.append("e:place")
    if VALMENNUS.search(folded):
        kinds.append("e:valmennus")
    return kinds


def _names_place(analyser: Analyser, token: str) -> bool:
    return analyser.index.county_finder.find(token) is not None or AREA_PATTERN.search(token) is not None


def _primary_topics(entries: list[Entry]) -> dict[int, str]:
    """The topic each slide is mainly about: the first entry that cites it first, else the narrowest."""
    primary: dict[int, str] = {}
    for entry in entries:
        if entry.sources:
            primary.setdefault(entry.sources[0], entry.id)
    for entry in sorted(entries, key=lambda e: len(e.sources)):
        for dia in entry.sources:
            primary.setdefault(dia, entry.id)
    return primary


def _slide_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        line = line.strip(" •✓❑➢o-–\t")
        if line.startswith(("http", "mailto")) or len(line.split()) < 3:
            continue
        lines.append(line)
    return lines
