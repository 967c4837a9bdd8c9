"""The guide's name grammar (slides 16–18): a model's name is "<process>, <county> (RRP, P<n>, I<n>)";
parsing names and tags, resolving investments and building the suggested name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.validator.schema import _P4
from knowledge.entities import CountyFinder, find_investments
from knowledge.loader import KnowledgeBase
from knowledge.models import INVESTMENT_CODES, County, InvestmentCode
from knowledge.rules import Rules, combined_tag, default_rules
from knowledge.text import clean, fold

_FINDERS: dict[int, CountyFinder] = {}


def county_finder(kb: KnowledgeBase) -> CountyFinder:
    """One CountyFinder per knowledge base (compiling its patterns is the slow part)."""
    finder = _FINDERS.get(id(kb))
    if finder is None:
        finder = _FINDERS[id(kb)] = CountyFinder(kb.counties)
    return finder


def county_label(county: County, rules: Rules) -> str:
    """How the county is written in a name: "Pohjois-Savon HVA" (the guide's example form)."""
    if county.name.lower().endswith(rules.county_keep_name_unless):
        return f"{county.genitive} {rules.county_short}"
    return county.name


def build_name(
    process: str,
    county: County,
    codes: list[InvestmentCode],
    valmennus: bool,
    kb: KnowledgeBase,
    rules: Rules,
) -> str:
    """The name by the guide's pattern: process, county (tag), with the valmennus part when needed."""
    label = county_label(county, rules)
    tag = combined_tag(codes)
    if valmennus:
        return f"{process}, {label}, {kb.common.valmennus.name}, {tag}"
    return f"{process}, {label} {tag}"


def resolve_investment(value: str) -> tuple[list[InvestmentCode], str | None]:
    """The codes one typed entry names, and an error kind ("unknown", "ambiguous") or None."""
    compact = re.sub(r"[\s,.-]", "", value).upper()
    if compact in INVESTMENT_CODES:
        return [compact], None
    folded = fold(value)
    codes, _explicit = find_investments(folded)
    if not codes:
        return [], "unknown"
    if set(codes) == set(_P4) and not re.search(r"[123]", folded):
        return [], "ambiguous"
    return codes, None


def resolve_investments(values: list[str]) -> list[InvestmentCode]:
    found: set[str] = set()
    for value in values:
        codes, _ = resolve_investment(value)
        found.update(codes)
    return [c for c in INVESTMENT_CODES if c in found]


_PAREN = re.compile(r"\(([^()]*)\)")
_TAGLIKE = re.compile(r"rrp|(?<![a-zåäö])(?:p\s?-?[34]|i\s?-?\d|inv)")
_VALMENNUS = re.compile(r",?\s*sujuvat\s+palvelut\s*-?\s*valmennus\s*,?", re.IGNORECASE)


@dataclass(frozen=True)
class NameParts:
    """A name split into the guide's parts: process, county, valmennus and tag."""

    text: str
    process: str = ""
    county: County | None = None
    county_text: str = ""
    comma: bool = True
    tag: str | None = None  # "(RRP, P4, I2)" as written (cleaned)
    tag_inner: str = ""
    after_tag: str = ""
    valmennus: bool = False


def _county_part(words: list[str], county: County, suffixes: set[str]) -> bool:
    """Whether `words` are only the county: its names ("Siun sote") and words like "HVA"."""
    j = 0
    while j < len(words):
        if fold(words[j]).strip(" ,.()") in suffixes:
            j += 1
            continue
        rest = fold(" ".join(words[j:]))
        used = max((len(f.split()) for f in county.forms if rest.startswith(f)), default=0)
        if not used:
            return False
        j += used
    return True


def parse_name(nimi: str, finder: CountyFinder, suffixes: set[str] | None = None) -> NameParts:
    """Split a name into process, county, valmennus part and tag (the county is the part before the tag)."""
    suffixes = suffixes if suffixes is not None else set(default_rules().county_suffixes)
    text = clean(nimi)
    tag_match = None
    for match in _PAREN.finditer(text):
        if _TAGLIKE.search(fold(match.group(1))):
            tag_match = match
    head = text[: tag_match.start()] if tag_match else text
    valmennus = bool(_VALMENNUS.search(head))
    head = _VALMENNUS.sub(" ", head).strip(" ,")
    words = head.split(" ")
    process, county_text, county, comma = head, "", None, True
    for i in range(len(words) - 1, -1, -1):
        found = finder.find(fold(" ".join(words[i:])))
        if found:
            for k in range(i - 1, max(-1, i - 4), -1):  # a many-word form: "Vantaan ja Keravan"
                if words[k].endswith(","):
                    break
                if any(fold(" ".join(words[k:])).startswith(form) for form in found.forms):
                    i = k
            if not _county_part(words[i:], found, suffixes):
                break  # the county is named inside the process name, not as its own part
            county = found
            county_text = " ".join(words[i:]).strip(" ,")
            before = " ".join(words[:i])
            comma = before.rstrip().endswith(",") or not before.strip()
            process = before.strip(" ,")
            break
    return NameParts(
        text=text,
        process=process,
        county=county,
        county_text=county_text,
        comma=comma,
        tag=tag_match.group(0) if tag_match else None,
        tag_inner=tag_match.group(1) if tag_match else "",
        after_tag=text[tag_match.end() :].strip(" ,.") if tag_match else "",
        valmennus=valmennus,
    )


def parse_tag(inner: str) -> tuple[list[InvestmentCode], list[str], bool]:
    """Codes named in a tag's inside, the unreadable numbers, and whether P4 was written before I-numbers."""
    folded = fold(inner)
    found: set[str] = set()
    bad: list[str] = []
    if re.search(r"(?<![a-zåäö])p\s?-?3(?![0-9])", folded):
        found.add("P3")
    has_p4 = bool(re.search(r"(?<![a-zåäö])p\s?-?4(?![0-9])", folded))
    for number in re.findall(r"(?<![a-zåäö])(?:i|inv\.?|investointi)\s?-?\s?(\d+)", folded):
        if number in {"1", "2", "3", "4"}:
            found.add(f"P4I{number}")
        else:
            bad.append(f"I{number}")
    if has_p4 and not any(c in found for c in _P4):
        bad.append("P4")
    codes: list[InvestmentCode] = [c for c in INVESTMENT_CODES if c in found]
    return codes, bad, has_p4


_SLIDE18_VALMENNUS_TAG = re.compile(r"\(rrp,\s*inv\.?\s*1\)")  # slide 18's summary form for valmennus


def code_label(code: InvestmentCode, kb: KnowledgeBase) -> str:
    """One investment as the guide and Innokylä's tag write it: P3 or P4 I2."""
    return code if code == "P3" else f"P4 {kb.investments[code].short}"


def tag_forms(codes: list[InvestmentCode]) -> set[str]:
    """The tag written as the guide writes it: "(RRP, P4, I2, I4)" and "(RRP, P4, I2 ja I4)"."""
    forms = {combined_tag(codes)}
    p4 = [c[2:] for c in codes if c.startswith("P4")]
    if len(p4) >= 2:
        head = ["RRP", *(["P3"] if "P3" in codes else []), "P4"]
        forms.add("(" + ", ".join([*head, *p4[:-2], f"{p4[-2]} ja {p4[-1]}"]) + ")")
    return forms


# -- the checker -----------------------------------------------------------------------------------------
