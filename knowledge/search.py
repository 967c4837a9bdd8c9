"""Finnish-aware word features and the idf-weighted lexical scoring of the knowledge entries.

A question is folded, split into tokens, and each token becomes features: a lexicon concept
(Finnish inflections, synonyms, English and Swedish words all map to one concept), concepts
found inside compounds, or a Snowball (PyStemmer) stem. Unknown tokens are corrected against the known
vocabulary with rapidfuzz. Entries are scored by the idf-weighted features they share with the
question; confidence needs a clear score and most of the question's words to be known.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

import Stemmer  # PyStemmer: the Snowball algorithms in C
from rapidfuzz import fuzz, process

from knowledge.entities import CountyFinder, Entities
from knowledge.loader import KnowledgeBase
from knowledge.models import Entry
from knowledge.text import fold, tokens, without_umlauts

STOPWORDS = frozenset(  # a word list is easier to maintain as text
    """
    miten mikä mitkä mitä mihin mistä missä millä mille minkä millainen millaisia millaiset
    kuka ketkä kenelle keneltä keneen kenen kehen keitä kuinka paljonko onko ovatko
    voiko voinko voimmeko saako saanko pitääkö täytyykö tarvitaanko tarvitseeko tuleeko kannattaako
    pitäisikö onkohan mitäs mites entä minä mä mun minun minua minulle minut mulle me meidän meitä
    meille meille te teidän sinä sä sun sinun hän he se ne sen niiden tämä tämän tätä tuo nämä nuo
    joka jotka jota mitä ja tai sekä eli vai on ovat olla ole oli olisi olen olemme ei en emme eikö
    että kun jos niin myös vain mutta kuin jo vielä nyt sitten siis kyllä no hei moi terve kiitos
    kiitti pls please pitää täytyy tulee kannattaa pitäisi voi voin voimme voisi saa saako teen
    tehdä teemme hoidan meillä meiltä minulla sinulla siinä siitä sitä tähän tässä tästä ihan oikein
    aina yleensä mikäli kanssa osalta osalle koskien liittyen kohdalla ohje ohjeen ohjeessa ohjeiden
    mukaan the a an how what who whom whose when where which why do does did i we you my our your is
    are be should can could would will to of in for on with about and or it this that there any me
    us hur vad vem vilka när var vilken varför jag vi du är och för till om på med av den det ett en
    ska kan måste min vår muu muuta muut muita muun muihin muiden muille muussa muista other others
    laittaa laitan laitetaan laitetaanko laitan sit sitte pitäis pitää kuuluu kuuluuko
    voitko voisitko osaatko missään mitään kukaan koskaan hyvä hyvää hyvin jossa jonka joilla siihen
    sinne ollaan olemme saan saisin saadaan tehty tekee
    meiän teiän mun sun mut mutku ku nii niinku vaan vai jne esim ym yms tms joo juu okei ok moro
    siis sillee semmonen tommonen tollanen just ihan tosi kyl kylla jotain jotenkin joku jokin
    minkä niin näin noin täällä siellä sieltä täältä tänne jo nyt vielä enää kai varmaan ehkä
    so not no yes was were been has have had from by at as if then than also just only very too
    into onto about after before both each every either any some such there here their they them
    get got getting go goes going make made put need needs want would like know tell does doing
    its it's im i'm we're you're let lets please thanks thank hi hello hey ok okay really still
    att som har hade inte ja nej eller men också bara så då nu här där vilket vilken vilka vars
    mig dig sig oss er han hon de dem sin sitt sina man får fick vara varit blir bli kommer ska
    skulle kunna kan måste bör innan efter redan fortfarande utöver också hej tack snälla
    entäs entäpä eikun tarkoitin tarkoitan meinasin meant mean menade menar
    anything something everything extra additional else finnas finns fanns
    guide guidance instructions suggest suggests suggested recommend recommends recommended mention mentions
    mentioned according andra ser se inom hos från sådan sådana något några alla allt hela mer mest
    egen eget egna våra vårt era ert deras dess mainitaan mainitseeko mainitsee sanotaan sanooko sanoo
    kerrotaan kertooko kertoo juttu juttua jutun juttuja jutut homma hommaa hommat asia asiaa asiat
    asiasta tehdään tehtiin tekemässä tehnyt tehneet pahasti vähän paljon aika tosi kiire kiireellä
    pitäs pitääks pitäiskö onks voiks saaks mistään jonkun jonkin joku erikseen alltså hittar inget ingen
    """.split()
)
# the same words typed without ä, ö and å ("mita", "meidan", "sa")
STOPWORDS = STOPWORDS | frozenset(without_umlauts(w) for w in STOPWORDS)

_stemmer = Stemmer.Stemmer("finnish")
# small numbers, years and dates are not search words ("250" is)
_DIGITS = re.compile(r"^[0-9]{1,2}$|^(?:19|20)[0-9]{2}$|^[0-9]+[:.-][0-9:.-]*$")
# investment codes and numbers are entities (knowledge.entities), not search words
ENTITY_TOKEN = re.compile(
    r"^(?:p[34]|i1?[1-4]|p4i[1-4]|inv[1-4]?|ips|[0-9])(?:$|[:.-])|^[0-9]{1,2}[a-zåäö:]|^inv[1-4](?:ssa|ssä|een|n|lla|ll)?$"
)
INTENT_FACTOR = 1.25
# question words tell "how" from "which" or "who": weak features that break ties between close topics
QUESTION_KINDS = {
    "miten": "how",
    "kuinka": "how",
    "mites": "how",
    "how": "how",
    "hur": "how",
    "mihin": "where",
    "minne": "where",
    "mistä": "where",
    "missä": "where",
    "where": "where",
    "var": "where",
    "mikä": "which",
    "mitkä": "which",
    "mitä": "which",
    "which": "which",
    "what": "which",
    "vilka": "which",
    "kuka": "who",
    "ketkä": "who",
    "keneen": "who",
    "kenelle": "who",
    "keneltä": "who",
    "who": "who",
    "vem": "who",
    "montako": "count",
    "monta": "count",
    "monen": "count",
    "paljonko": "count",
    "many": "count",
    "många": "count",
    "milloin": "when",
    "when": "when",
    "när": "when",
    "miksi": "why",
    "why": "why",
    "varför": "why",
}
QUESTION_KIND_WEIGHT = 0.4
ENTITY_BONUS = {"investment": 1.5, "area": 2.0, "county": 2.0, "valmennus": 2.0}
# entity names made of ordinary words: recognised as entities, removed before word search
# entity names that are not search words: "Sujuvat palvelut", "pilari 3", "investment 4", "inv. 2"
ENTITY_PHRASES = re.compile(
    r"sujuv\w*\s+palvelu\w*|\b(?:pilari|pillar|pelare|investoin|investment|investering|inv)\w*\.?\s*[1-4](?::\w+|\b)"
    # "I4-rahoitusta", "I3 että I4 rahoituksella": the investment's funding names the investment, not
    # the Rahoittaja field
    r"|(?<=[1-4])(?::\w+)?(?:-|\s+)rahoit(?:us|uks|tei|teis)\w*"
)


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float


class Lexicon:
    """Maps word forms (prefixes) to concept ids; longest prefix wins."""

    def __init__(self, concepts: list[tuple[str, list[str], float]]) -> None:
        self.weights: dict[str, float] = {}
        self.by_prefix: dict[str, str] = {}
        for concept_id, forms, weight in concepts:
            self.weights[concept_id] = weight
            for form in forms:
                self.by_prefix[fold(form)] = concept_id
        # the same forms typed without ä, ö and å ("loydy", "maaraaika"), where that names no other form
        for form, concept_id in list(self.by_prefix.items()):
            self.by_prefix.setdefault(without_umlauts(form), concept_id)
        self.prefixes = sorted(self.by_prefix, key=len, reverse=True)
        self._longest = max((len(p) for p in self.prefixes), default=0)
        self._inner = {p for p in self.prefixes if len(p) >= 4 and " " not in p}
        self._phrases = [p for p in self.prefixes if " " in p]

    def phrase_concepts(self, folded: str) -> set[str]:
        return {"c:" + self.by_prefix[p] for p in self._phrases if p in folded}

    def head(self, token: str) -> str | None:
        """The concept of the longest lexicon form that `token` starts with."""
        for length in range(min(len(token), self._longest), 0, -1):
            concept = self.by_prefix.get(token[:length])
            if concept:
                return concept
        return None

    def inner(self, token: str) -> set[str]:
        """Concepts of lexicon forms found inside a compound (from its fourth letter on)."""
        found: set[str] = set()
        for start in range(3, len(token) - 3):
            for end in range(start + 4, min(len(token), start + self._longest) + 1):
                if token[start:end] in self._inner:
                    found.add(self.by_prefix[token[start:end]])
        return found


class Index:
    """The searchable form of the knowledge base, built once per process."""

    FIELD_WEIGHTS: ClassVar[dict[str, float]] = {"keywords": 3.0, "title": 2.0, "questions": 1.6, "body": 0.5}

    def __init__(self, kb: KnowledgeBase, bodies: dict[str, str] | None = None) -> None:
        self.kb = kb
        self.lexicon = Lexicon([(c.id, c.forms, c.weight) for c in kb.lexicon])
        self.intents = {"c:" + c.id for c in kb.lexicon if c.intent}
        self.out_of_scope = [(_oos_pattern(form), item) for item in kb.out_of_scope for form in item.forms]
        self.county_finder = CountyFinder(kb.counties)
        self.weights: list[dict[str, float]] = []
        for entry in kb.entries:
            fields = {
                "keywords": " ".join(entry.keywords),
                "title": entry.title,
                "questions": " ".join(entry.questions),
                "body": (bodies or {}).get(entry.id) or _plain(entry.answer or ""),
            }
            weights: dict[str, float] = {}
            for name, text in fields.items():
                for feature in self.features(text, learn=True):
                    weights[feature] = max(weights.get(feature, 0.0), self.FIELD_WEIGHTS[name])
            self.weights.append(weights)
        df: dict[str, int] = defaultdict(int)
        for weights in self.weights:
            for feature in weights:
                df[feature] += 1
        n = len(kb.entries)
        self.idf = {f: math.log(1 + (n - d + 0.5) / (d + 0.5)) for f, d in df.items()}
        self.vocabulary = sorted(
            {t for e in kb.entries for t in tokens(fold(_entry_text(e)))} | set(self.lexicon.prefixes)
        )

    # -- features ---------------------------------------------------------------------------------
    def features(self, text: str, learn: bool = False) -> list[str]:
        folded = fold(text)
        found: list[str] = sorted(self.lexicon.phrase_concepts(folded))
        for token in tokens(folded):
            found.extend(self.token_features(token, learn))
        return found

    @functools.lru_cache(maxsize=16384)  # noqa: B019 - one index per process
    def token_features(self, token: str, learn: bool = False) -> list[str]:
        if token in QUESTION_KINDS:
            return ["q:" + QUESTION_KINDS[token]]
        if token in STOPWORDS or _DIGITS.match(token):
            return []
        parts = [token, *token.split("-")] if "-" in token else [token]
        if not learn:
            parts = [p for p in parts if not ENTITY_TOKEN.match(p)]
        found: list[str] = []
        for part in parts:
            if len(part) < 2 or part in STOPWORDS:
                continue
            concept = self.lexicon.head(part)
            if concept:
                found.append("c:" + concept)
                continue
            inner = self.lexicon.inner(part)
            found.extend("c:" + c for c in sorted(inner))
            if not inner or learn:
                found.append("s:" + stem(part))
        return found

    def known(self, token: str) -> list[str]:
        """Features of `token` that the index knows, correcting typos when nothing matches."""
        features = [f for f in self.token_features(token) if f in self.idf]
        if features or len(token) < 4:
            return features
        return self._corrected(token)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one index per process
    def _corrected(self, token: str) -> list[str]:
        cutoff = 84 if len(token) < 8 else 80
        match = process.extractOne(token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        if match is None:
            # a typo near the start of a long word: compare prefixes
            match = process.extractOne(
                token[:8],
                [v for v in self.lexicon.prefixes if len(v) >= 6],
                scorer=fuzz.ratio,
                score_cutoff=86,
            )
            if match is None:
                return []
        return [f for f in self.token_features(match[0]) if f in self.idf]

    # -- scoring ----------------------------------------------------------------------------------
    def _feature_weight(self, feature: str) -> float:
        if feature.startswith("c:"):
            return self.lexicon.weights.get(feature[2:], 1.0)
        return QUESTION_KIND_WEIGHT if feature.startswith("q:") else 1.0

    def score(self, features: list[str], entities: Entities | None = None) -> list[Hit]:
        unique = set(features)
        present = set()
        if entities is not None:
            if entities.investments:
                present.add("investment")
            if entities.area:
                present.add("area")
            if entities.county:
                present.add("county")
            if entities.valmennus:
                present.add("valmennus")
        hits = []
        for entry, weights in zip(self.kb.entries, self.weights, strict=True):
            total = 0.0
            for feature in unique:
                weight = weights.get(feature)
                if weight:
                    concept_weight = self._feature_weight(feature)
                    total += self.idf[feature] * weight * concept_weight
            if total > 0:
                if any(weights.get(f) == self.FIELD_WEIGHTS["keywords"] for f in unique & self.intents):
                    total *= INTENT_FACTOR
                bonus = max((ENTITY_BONUS[n] for n in entry.needs if n in present), default=0.0)
                hits.append(Hit(entry, total + bonus))
        hits.sort(key=lambda h: -h.score)
        return hits


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))[:7]


def _oos_pattern(form: str) -> re.Pattern[str]:
    """A whole-word pattern; a trailing * makes it a word-start pattern; "re:" gives a regular expression."""
    if form.startswith("re:"):
        return re.compile(form[3:])
    prefix = form.endswith("*")
    body = re.escape(fold(form.rstrip("*")))
    return re.compile(r"(?<![a-zåäö0-9])" + body + ("" if prefix else r"(?![a-zåäö0-9])"))


def _plain(text: str) -> str:
    return re.sub(r"\{[{%#].*?[%}#]\}", " ", text)


def _entry_text(entry: Entry) -> str:
    return " ".join([entry.title, *entry.keywords, *entry.questions])
