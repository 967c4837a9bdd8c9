"""Finds the entities people write in questions: investments, the valmennus, counties and regions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.loader import KnowledgeBase
from knowledge.models import INVESTMENT_CODES, County, InvestmentCode
from knowledge.text import fold, without_umlauts

_P4: tuple[InvestmentCode, ...] = ("P4I1", "P4I2", "P4I3", "P4I4")
_ORDINALS = {"ensimmäi": "1", "toise": "2", "toinen": "2", "kolma": "3", "kolmas": "3", "neljä": "4"}
_NUM = r"(11|[1-4])(?![0-9])"
_INVESTMENT_NUMBER = [
    re.compile(r"(?<![a-zåäö0-9])p\s?-?4\s?[,/-]?\s?i\s?-?" + _NUM),
    re.compile(r"(?<![a-zåäö0-9])i\s?-?" + _NUM),
    re.compile(r"(?<![a-zåäö])inv(?:\.|estoin\w*|estment\w*|estering\w*)?\s*(?:nro\.?\s*)?" + _NUM),
]
_INVESTMENT_LIST = re.compile(
    r"(?<![a-zåäö])(?:investoin\w*|investment\w*|inv\.?)\s+((?:[1-4]\s*(?:,|ja|and|och|&|/)\s*)+[1-4])(?![0-9])"
)
_ORDINAL = re.compile(r"(ensimmäi\w*|toi(?:nen|se\w*)|kolma\w*|neljä\w*)\s+investoin\w*")
_COLLOQUIAL = {"ykkö": "1", "kakko": "2", "kolmo": "3", "nelo": "4"}
_COLLOQUIAL_NUMBER = re.compile(
    r"investoin\w*\s+(ykkö|kakko|kolmo|nelo)\w*|(?<![a-zåäö])(ykkö|kakko|kolmo|nelo)\w*[\s-]*investoin"
)
_PILLAR = re.compile(r"(?<![a-zåäö])(?:pilari\w*|pillar|pelare|p)\s?-?([34])(?![0-9])")
_ALIASES: list[tuple[re.Pattern[str], tuple[InvestmentCode, ...]]] = [
    (re.compile(r"(?<![a-zåäö])ips(?![a-zåäö])|työkykyohjelm|työkyky(?![a-zåäö])|työkyvy"), ("P3",)),
    (
        re.compile(
            r"(?<![a-zåäö])hyte|hyvinvoinnin ja terveyden edistämi|arkeen voimaa|hyvinvointiläh|yhteisöluots"
        ),
        ("P4I2",),
    ),
    (re.compile(r"sujuv\w* palvelu|valmennu|valmennettav"), ("P4I1",)),
    (re.compile(r"prosessien kehittämi"), ("P4I1",)),
    (re.compile(r"vaikuttavuu(?!s?tie)"), ("P4I3",)),
    (
        re.compile(
            r"digitaali\w* palvel(?!utarjot)|(?<![a-zåäö])digi(?:-?investoin|-?palvel|-?hank|(?![a-zåäö]))"
        ),
        ("P4I4",),
    ),
]
_VALMENNUS = re.compile(r"sujuv\w* palvelu|valmennu|valmennettav|coaching")
VALMENNUS = _VALMENNUS
AREA_PATTERN = re.compile(
    r"(?<![a-zåäö-])(pohjois|länsi|sisä|itä|etelä)-suom"
    r"|(?<![a-zåäö])(north|west|inland|east|south)(?:ern)? finland"
    r"|(?<![a-zåäö])(norra|västra|inre|östra|södra) finland"
)
_AREA_NAMES = {
    "pohjois": "Pohjois-Suomi",
    "länsi": "Länsi-Suomi",
    "sisä": "Sisä-Suomi",
    "itä": "Itä-Suomi",
    "etelä": "Etelä-Suomi",
    "north": "Pohjois-Suomi",
    "west": "Länsi-Suomi",
    "inland": "Sisä-Suomi",
    "east": "Itä-Suomi",
    "south": "Etelä-Suomi",
    "norra": "Pohjois-Suomi",
    "västra": "Länsi-Suomi",
    "inre": "Sisä-Suomi",
    "östra": "Itä-Suomi",
    "södra": "Etelä-Suomi",
}


# one pattern that finds whether any investment is named, in any of the ways above
ANY_INVESTMENT = re.compile(
    "|".join(
        p.pattern
        for p in [*_INVESTMENT_NUMBER, _INVESTMENT_LIST, _ORDINAL, _COLLOQUIAL_NUMBER, _PILLAR]
        + [a for a, _ in _ALIASES]
    )
)


@dataclass
class Entities:
    investments: list[InvestmentCode] = field(default_factory=list)
    valmennus: bool = False
    county: County | None = None
    area: str | None = None
    explicit_investment: bool = False  # named by code/number, not only through a topic word
    other_counties: list[County] = field(default_factory=list)  # "Eksote ja Oma Häme": the second, …

    @property
    def any(self) -> bool:
        return bool(self.investments or self.county or self.area)


def _code(number: str) -> InvestmentCode:
    return {"1": "P4I1", "11": "P4I1", "2": "P4I2", "3": "P4I3", "4": "P4I4"}[number]  # type: ignore[return-value]


def find_investments(folded: str) -> tuple[list[InvestmentCode], bool]:
    """Investment codes named in folded text, in guide order, and whether one was named explicitly."""
    found: set[InvestmentCode] = set()
    for pattern in _INVESTMENT_NUMBER:
        found.update(_code(m.group(1)) for m in pattern.finditer(folded))
    for match in _INVESTMENT_LIST.finditer(folded):
        found.update(_code(n) for n in re.findall(r"[1-4]", match.group(1)))
    for match in _ORDINAL.finditer(folded):
        word = match.group(1)
        found.update(_code(n) for prefix, n in _ORDINALS.items() if word.startswith(prefix))
    for match in _COLLOQUIAL_NUMBER.finditer(folded):
        found.add(_code(_COLLOQUIAL[match.group(1) or match.group(2)]))
    for match in _PILLAR.finditer(folded):
        if match.group(1) == "3":
            found.add("P3")
        elif not any(code in found for code in _P4):
            found.update(_P4)
    explicit = bool(found)
    if not found:
        for pattern, codes in _ALIASES:
            if pattern.search(folded):
                found.update(codes)
    return [c for c in INVESTMENT_CODES if c in found], explicit


def _county_pattern(form: str) -> re.Pattern[str]:
    if len(form) <= 5:
        suffix = r"(?:n|:\w+|-\w+|i?(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|lle|in)|han|hun|an|ään|aan|ksi)?"
        return re.compile(r"(?<![a-zåäö0-9-])" + re.escape(form) + suffix + r"(?![a-zåäö0-9])")
    return re.compile(r"(?<![a-zåäö0-9-])" + re.escape(form))


_WORD_START = re.compile(r"(?<![a-zåäö0-9-])[a-zåäö0-9-]{3}")
_WORD_REST = re.compile(r"[a-zåäö:-]*")


class CountyFinder:
    """Matches any common written form of a county; at the first place a form matches, the longest wins.

    A form starts a word, so only the forms that begin like a word of the text are tried, at that word.
    """

    def __init__(self, counties: list[County]) -> None:
        pairs = [(form, county) for county in counties for form in county.forms]
        # the same forms typed without ä, ö and å ("etela-pohjanmaa"), unless that is another form
        written = {form for form, _ in pairs}
        pairs += [
            (plain, county)
            for form, county in list(pairs)
            if (plain := without_umlauts(form)) != form and plain not in written
        ]
        pairs.sort(key=lambda pair: -len(pair[0]))
        self._by_start: dict[str, list[tuple[re.Pattern[str], County]]] = {}
        for form, county in pairs:
            if len(form) < 3:
                raise ValueError(f"counties.yaml: {county.name}: muoto '{form}' on alle 3 merkkiä")
            self._by_start.setdefault(form[:3], []).append((_county_pattern(form), county))

    def _matches(self, folded: str) -> list[tuple[int, int, County]]:
        """(start, end of the word the form is in, county) for each place a county is named."""
        found = []
        position = 0
        for word in _WORD_START.finditer(folded):
            if word.start() < position:
                continue
            for pattern, county in self._by_start.get(word.group(0), ()):
                match = pattern.match(folded, word.start())
                if match:
                    end = _WORD_REST.match(folded, match.end())
                    position = end.end() if end else match.end()
                    found.append((word.start(), position, county))
                    break
        return found

    def strip(self, folded: str) -> str:
        """The text without the county names in it ("Egentliga Tavastland" is a place, not two words)."""
        spans = self._matches(folded)
        for start, end, _county in reversed(spans):
            folded = folded[:start] + " " + folded[end:]
        return folded

    def find(self, folded: str) -> County | None:
        spans = self._matches(folded)
        return spans[0][2] if spans else None

    def find_all(self, folded: str) -> list[County]:
        """Every county named, in the order named, each once."""
        found: list[County] = []
        for _start, _end, county in self._matches(folded):
            if county not in found:
                found.append(county)
        return found


def extract(kb: KnowledgeBase, text: str, finder: CountyFinder | None = None) -> Entities:
    folded = fold(text)
    investments, explicit = find_investments(folded)
    counties = (finder or CountyFinder(kb.counties)).find_all(folded)
    county = counties[0] if counties else None
    area_match = AREA_PATTERN.search(folded)
    area = (
        _AREA_NAMES[next(g for g in area_match.groups() if g)]
        if area_match
        else (county.area if county else None)
    )
    return Entities(
        investments=investments,
        valmennus=bool(_VALMENNUS.search(folded)),
        county=county,
        area=area,
        explicit_investment=explicit,
        other_counties=counties[1:],
    )
