"""Checks perustiedot against the guide's rules; a finding names the field, severity, fix and slides.

The rules themselves are data (knowledge/data/investments.yaml, common.yaml and rules.yaml); this
module only applies them. Validators are found by field name (`FIELD_VALIDATORS`, as rasa-sdk's
`validate_<slot>`), so the dialog and the `check` command share one definition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from knowledge.entities import CountyFinder, find_investments
from knowledge.loader import KnowledgeBase, default_knowledge
from knowledge.models import INVESTMENT_CODES, County, InvestmentCode
from knowledge.rules import Rules, combined_tag, default_rules
from knowledge.text import clean, fold

Severity = Literal["error", "warning", "note", "ok"]  # a note is right by the guide but worth knowing
FIELDS: tuple[str, ...] = (
    "nimi",
    "investoinnit",
    "valmennus",
    "hyvinvointialue",
    "kokonaisuudet",
    "rahoittajat",
    "aihealueet",
    "ilmiot",
    "lyhyt_kuvaus",
    "toteutuspaikka",
    "kohderyhma",
    "yllapitajat",
)
_P4: tuple[InvestmentCode, ...] = ("P4I1", "P4I2", "P4I3", "P4I4")


class Perustiedot(BaseModel):
    """The perustiedot JSON (input of `check`, output of the dialog); every field is optional."""

    model_config = ConfigDict(extra="ignore")

    nimi: StrictStr = ""
    investoinnit: list[StrictStr] = Field(default_factory=list)
    valmennus: StrictBool = False
    hyvinvointialue: StrictStr = ""
    kokonaisuudet: list[StrictStr] = Field(default_factory=list)
    rahoittajat: list[StrictStr] = Field(default_factory=list)
    aihealueet: list[StrictStr] = Field(default_factory=list)
    ilmiot: list[StrictStr] = Field(default_factory=list)
    lyhyt_kuvaus: StrictStr = ""
    toteutuspaikka: StrictStr = ""
    kohderyhma: StrictStr = ""
    yllapitajat: list[StrictStr] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if v is not None}
        return value


@dataclass(frozen=True)
class Finding:
    field: str
    severity: Severity
    message: str
    sources: tuple[int, ...] = ()

    def as_json(self, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "severity": self.severity, "message": self.message}
        out["dia"] = list(self.sources)
        if kb is not None:
            out["sources"] = [{"dia": d, "title": kb.slide_title(d)} for d in self.sources]
        return out


@dataclass(frozen=True)
class Report:
    valid: bool
    publishable: bool
    findings: list[Finding]
    suggested_name: str | None
    missing: list[str] = field(default_factory=list)  # empty publication fields

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "note"]

    def as_json(self, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "publishable": self.publishable,
            "findings": [f.as_json(kb) for f in self.findings],
            "suggested_name": self.suggested_name,
        }


# -- helpers ------------------------------------------------------------------------------------------

_FINDERS: dict[int, CountyFinder] = {}


def county_finder(kb: KnowledgeBase) -> CountyFinder:
    """One CountyFinder per knowledge base (compiling its patterns is the slow part)."""
    finder = _FINDERS.get(id(kb))
    if finder is None:
        finder = _FINDERS[id(kb)] = CountyFinder(kb.counties)
    return finder


def key(text: str) -> str:
    """A comparison key tolerant of case, dashes, spacing and punctuation."""
    return re.sub(r"[^a-zåäöü0-9]", "", fold(text))


def is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not any(isinstance(v, str) and v.strip() for v in value)
    return value is None


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


class Checker:
    """Derives what the rules need (codes, county, name parts) once and holds the field validators."""

    def __init__(
        self, data: Perustiedot, kb: KnowledgeBase, rules: Rules, process: str | None = None
    ) -> None:
        self.data = data
        self.kb = kb
        self.rules = rules
        self.finder = county_finder(kb)
        self.name = parse_name(data.nimi, self.finder, set(rules.county_suffixes))
        self.codes: list[InvestmentCode] = resolve_investments(data.investoinnit)
        self.codes_inferred = False
        if not self.codes and self.name.tag:
            self.codes = parse_tag(self.name.tag_inner)[0]
            self.codes_inferred = bool(self.codes)
        self.field_county = (
            self.finder.find(fold(data.hyvinvointialue)) if data.hyvinvointialue.strip() else None
        )
        self.county = self.field_county or self.name.county
        self.process = process if process is not None else self.name.process
        self.labels = {p.field: p.label for p in kb.common.julkaisukentat}

    def f(
        self, field_name: str, severity: Severity, key_: str, dia: str | None = None, **values: object
    ) -> Finding:
        slides = self.rules.dia(dia or field_name, self.codes)
        return Finding(field_name, severity, self.rules.msg(key_, **values), tuple(slides))

    def publication(self, field_name: str, fix: str = "") -> Finding | None:
        """An error when a publication field (slide 20) is empty; `fix` tells what to fill in."""
        if field_name in self.labels and is_empty(getattr(self.data, field_name)):
            found = self.f(
                field_name, "error", "publication_missing", "julkaisu", label=self.labels[field_name]
            )
            if fix:
                sources = tuple(dict.fromkeys((*found.sources, *self.rules.dia(field_name, self.codes))))
                return Finding(field_name, "error", f"{found.message} {fix}", sources)
            return found
        return None

    def inv(self, code: InvestmentCode) -> Any:
        return self.kb.investments[code]

    def code_label(self, code: InvestmentCode) -> str:
        return code_label(code, self.kb)

    def code_names(self) -> str:
        """The investments as the guide writes them ("P3, I1"), not as internal codes."""
        return ", ".join(self.kb.investments[c].short for c in self.codes)

    def suggested_name(self) -> str | None:
        if not (self.process and self.county and self.codes):
            return None
        valmennus = self.data.valmennus or (self.name.valmennus and "P4I1" in self.codes)
        return build_name(self.process, self.county, self.codes, valmennus, self.kb, self.rules)

    # each validator returns the findings of one field ---------------------------------------------------

    def check_nimi(self) -> list[Finding]:
        missing = self.publication("nimi")
        if missing:
            return [missing]
        out: list[Finding] = []
        name, codes = self.name, self.codes
        tag = combined_tag(codes) if codes else ""
        example = self.suggested_name() or (self.inv(codes[0]).example if codes else "")
        pattern = (
            self.inv(codes[0]).pattern.split(" tai ")[0]
            if codes
            else "Kehittämisprosessin nimi, HV-alue, (RRP, …)"
        )
        valmennus_cfg = self.kb.common.valmennus
        if self.data.valmennus:
            pattern, example = valmennus_cfg.pattern, valmennus_cfg.example
        if name.tag is None:
            if codes:
                out.append(self.f("nimi", "error", "nimi_no_tag", tag=tag, example=example))
            else:
                out.append(self.f("nimi", "error", "nimi_no_tag_unknown"))
        else:
            tag_codes, bad, _has_p4 = parse_tag(name.tag_inner)
            if not tag_codes or bad:
                out.append(
                    self.f(
                        "nimi", "error", "nimi_tag_unreadable", written=name.tag, tag=tag or "(RRP, P4, I1)"
                    )
                )
            elif not re.search(r"(?<![a-zåäö])rrp(?![a-zåäö])", fold(name.tag_inner)):
                out.append(
                    self.f(
                        "nimi",
                        "error",
                        "nimi_tag_no_rrp",
                        written=name.tag,
                        tag=tag or combined_tag(tag_codes),
                    )
                )
            elif not self.codes_inferred and codes and set(tag_codes) - set(codes):
                out.append(
                    self.f(
                        "nimi", "error", "nimi_wrong_tag", written=name.tag, codes=self.code_names(), tag=tag
                    )
                )
            elif not self.codes_inferred and codes and set(codes) - set(tag_codes):
                missing_codes = ", ".join(
                    c[2:] if c.startswith("P4") else c for c in codes if c not in tag_codes
                )
                out.append(
                    self.f(
                        "nimi",
                        "error",
                        "nimi_missing_codes",
                        written=name.tag,
                        missing=missing_codes,
                        tag=tag,
                    )
                )
            elif name.valmennus and _SLIDE18_VALMENNUS_TAG.fullmatch(fold(name.tag)):
                out.append(
                    self.f("nimi", "note", "nimi_valmennus_slide18", "valmennus_tag", written=name.tag)
                )
            elif name.tag not in tag_forms(tag_codes):
                out.append(
                    self.f(
                        "nimi", "warning", "nimi_tag_format", written=name.tag, tag=combined_tag(tag_codes)
                    )
                )
            if name.after_tag:
                out.append(self.f("nimi", "warning", "nimi_tag_not_last", tag=name.tag))
        if name.county is None:
            out.append(self.f("nimi", "error", "nimi_no_county", pattern=pattern, example=example))
        else:
            if self.field_county and self.field_county != name.county:
                out.append(
                    self.f(
                        "nimi",
                        "error",
                        "nimi_county_mismatch",
                        written=name.county_text,
                        county=self.field_county.name,
                        county_label=county_label(self.field_county, self.rules),
                    )
                )
            if not name.process:
                out.append(self.f("nimi", "error", "nimi_no_process", pattern=pattern))
            elif not name.comma:
                label = county_label(name.county, self.rules)
                out.append(self.f("nimi", "warning", "nimi_comma", process=name.process, county_label=label))
        if self.data.valmennus and not name.valmennus:
            out.append(
                self.f(
                    "nimi",
                    "error",
                    "nimi_no_valmennus",
                    "valmennus",
                    valmennus=valmennus_cfg.name,
                    pattern=pattern,
                )
            )
        elif name.valmennus:
            if valmennus_cfg.name not in self.data.nimi:
                out.append(
                    self.f(
                        "nimi", "warning", "nimi_valmennus_dash", "valmennus", valmennus=valmennus_cfg.name
                    )
                )
            if not self.data.valmennus and "P4I1" in codes:
                out.append(
                    self.f(
                        "nimi",
                        "warning",
                        "nimi_valmennus_unmarked",
                        "valmennus",
                        valmennus=valmennus_cfg.name,
                    )
                )
        if not out:
            out.append(self.f("nimi", "ok", "nimi_ok", pattern=pattern))
        return out

    def check_investoinnit(self) -> list[Finding]:
        out: list[Finding] = []
        given = [v for v in self.data.investoinnit if v.strip()]
        if not given:
            if self.codes_inferred:
                return [self.f("investoinnit", "warning", "investoinnit_inferred", codes=self.code_names())]
            return [self.f("investoinnit", "error", "investoinnit_missing")]
        for value in given:
            codes, problem = resolve_investment(value)
            if problem == "ambiguous":
                out.append(self.f("investoinnit", "error", "investoinnit_ambiguous", value=value))
            elif problem:
                out.append(self.f("investoinnit", "error", "investoinnit_unknown", value=value))
            elif value.strip() not in INVESTMENT_CODES:
                out.append(
                    self.f(
                        "investoinnit",
                        "warning",
                        "investoinnit_normalized",
                        value=value,
                        code=", ".join(self.code_label(c) for c in codes),
                    )
                )
        if not out:
            out.append(self.f("investoinnit", "ok", "investoinnit_ok", codes=self.code_names()))
        return out

    def check_valmennus(self) -> list[Finding]:
        if self.data.valmennus and self.codes and "P4I1" not in self.codes:
            return [self.f("valmennus", "warning", "valmennus_not_i1")]
        return []

    def check_hyvinvointialue(self) -> list[Finding]:
        missing = self.publication("hyvinvointialue")
        if missing:
            return [missing]
        if self.field_county is None:
            return [
                self.f("hyvinvointialue", "error", "hyvinvointialue_unknown", value=self.data.hyvinvointialue)
            ]
        return [self.f("hyvinvointialue", "ok", "hyvinvointialue_ok", county=self.field_county.name)]

    def own_kokonaisuus(self) -> str | None:
        """The county's RRP kokonaisuus name as the dialog pre-fills it."""
        if self.county is None or not self.county.name.lower().endswith("hyvinvointialue"):
            return f"{self.county.genitive} RRP-kokonaisuus" if self.county else None
        return self.rules.rrp_kokonaisuus_name.format(genitive=self.county.genitive)

    def check_kokonaisuudet(self) -> list[Finding]:
        out: list[Finding] = []
        entries = [e for e in self.data.kokonaisuudet if e.strip()]
        own_found = False
        for entry in entries:
            folded = fold(entry)
            if not any(word in folded for word in self.rules.rrp_kokonaisuus_words):
                continue
            named = self.finder.find(folded)
            if named and (self.county is None or named == self.county):
                own_found = True
        if not own_found:
            name = self.own_kokonaisuus()
            if name:
                out.append(self.f("kokonaisuudet", "error", "kokonaisuudet_missing_own", name=name))
            else:
                out.append(self.f("kokonaisuudet", "error", "kokonaisuudet_missing_own_unknown"))
        keys = [key(e) for e in entries]
        for code in self.codes:
            inv = self.inv(code)
            if inv.kansallinen_kokonaisuus and not self._has(keys, inv.kansallinen_kokonaisuus):
                contact = inv.kokonaisuus_contact or ", ".join(inv.contacts) or "kokonaisuuden ylläpitäjä"
                out.append(
                    self.f(
                        "kokonaisuudet",
                        "error",
                        "kokonaisuudet_missing_national",
                        code=self.code_label(code),
                        name=inv.kansallinen_kokonaisuus,
                        contact=f"{contact} (etunimi.sukunimi@thl.fi)",
                    )
                )
        valmennus = self.kb.common.valmennus
        if self.data.valmennus and not self._has(keys, valmennus.kokonaisuus):
            out.append(
                self.f(
                    "kokonaisuudet",
                    "error",
                    "kokonaisuudet_missing_valmennus",
                    "valmennus",
                    name=valmennus.kokonaisuus,
                    contacts=" tai ".join(valmennus.contacts),
                )
            )
        if not out:
            out.append(self.f("kokonaisuudet", "ok", "kokonaisuudet_ok"))
        return out

    def _has(self, keys: list[str], expected: str) -> bool:
        """Whether a kokonaisuus is among `keys`: its name without "(RRP…)", or a known other name."""
        forms = [re.sub(r"\([^()]*\)", "", expected), *self.rules.kokonaisuus_aliases.get(expected, [])]
        return any(key(form) in k for form in forms for k in keys)

    def check_rahoittajat(self) -> list[Finding]:
        required_text = " ja ".join(self.kb.common.rahoittajat)
        missing_pub = self.publication(
            "rahoittajat", self.rules.msg("rahoittajat_fill", required=required_text)
        )
        if missing_pub:
            return [missing_pub]
        keys = {key(e) for e in self.data.rahoittajat if e.strip()}
        missing: list[str] = []
        accepted: set[str] = set()
        for required in self.kb.common.rahoittajat:
            forms = {key(required), *(key(a) for a in self.rules.funder_aliases.get(required, []))}
            if keys & forms:
                accepted |= keys & forms
            else:
                missing.append(required)
        if missing:
            return [
                self.f(
                    "rahoittajat",
                    "error",
                    "rahoittajat_missing",
                    missing=" ja ".join(missing),
                    required=" ja ".join(self.kb.common.rahoittajat),
                )
            ]
        out = [self.f("rahoittajat", "ok", "rahoittajat_ok")]
        others = [e for e in self.data.rahoittajat if e.strip() and key(e) not in accepted]
        notes = [self.inv(c).extra_funders for c in self.codes if self.inv(c).extra_funders]
        if others and notes:
            out.append(
                self.f("rahoittajat", "ok", "rahoittajat_extra_ok", others=", ".join(others), note=notes[0])
            )
        return out

    def check_aihealueet(self) -> list[Finding]:
        common = self.kb.common
        required = [common.aihealue_rrp, *(self.inv(c).aihealue for c in self.codes)]
        missing_pub = self.publication(
            "aihealueet",
            self.rules.msg("aihealueet_fill", required=", ".join(required), max=common.max_muut_aihealueet),
        )
        if missing_pub:
            return [missing_pub]
        required_keys = {key(r) for r in required}
        given: dict[str, str] = {}
        for entry in self.data.aihealueet:
            if entry.strip():
                given.setdefault(key(entry), entry.strip())
        out: list[Finding] = []
        missing = [r for r in required if key(r) not in given]
        if missing:
            out.append(
                self.f(
                    "aihealueet",
                    "error",
                    "aihealueet_missing",
                    missing=" ja ".join(missing),
                    codes=self.code_names() or "?",
                    required=" ja ".join(required),
                    max=common.max_muut_aihealueet,
                )
            )
        others = [v for k, v in given.items() if k not in required_keys]
        if len(others) > common.max_muut_aihealueet:
            out.append(
                self.f(
                    "aihealueet",
                    "error",
                    "aihealueet_too_many",
                    count=len(others),
                    others=", ".join(others),
                    max=common.max_muut_aihealueet,
                    remove=len(others) - common.max_muut_aihealueet,
                )
            )
        if not out:
            out.append(self.f("aihealueet", "ok", "aihealueet_ok"))
        return out

    def check_ilmiot(self) -> list[Finding]:
        ilmio = self.kb.common.ilmio
        keys = {key(e) for e in self.data.ilmiot if e.strip()}
        if key(ilmio) not in keys:
            return [self.f("ilmiot", "error", "ilmiot_missing", ilmio=ilmio)]
        if len(keys) < 2:
            return [self.f("ilmiot", "warning", "ilmiot_only_one", ilmio=ilmio)]
        return [self.f("ilmiot", "ok", "ilmiot_ok")]

    def check_lyhyt_kuvaus(self) -> list[Finding]:
        text = unicodedata.normalize("NFC", self.data.lyhyt_kuvaus).strip()
        limit = self.kb.common.lyhyt_kuvaus_max
        if not text:
            return [self.f("lyhyt_kuvaus", "warning", "lyhyt_kuvaus_missing", max=limit)]
        out: list[Finding] = []
        if len(text) > limit:
            out.append(
                self.f(
                    "lyhyt_kuvaus",
                    "error",
                    "lyhyt_kuvaus_too_long",
                    length=len(text),
                    max=limit,
                    over=len(text) - limit,
                )
            )
        out.extend(writing_tips(text, self.rules))
        if not out:
            out.append(self.f("lyhyt_kuvaus", "ok", "lyhyt_kuvaus_ok", length=len(text), max=limit))
        return out

    def check_yllapitajat(self) -> list[Finding]:
        entries = [e.strip() for e in self.data.yllapitajat if e.strip()]
        unique = {e.lower() for e in entries}
        need = self.kb.common.min_yllapitajat
        out: list[Finding] = []
        if len(unique) < need:
            out.append(self.f("yllapitajat", "error", "yllapitajat_too_few", min=need, count=len(unique)))
        email = re.compile(self.rules.email_pattern)
        for entry in entries:
            if not email.match(entry.lower()):
                out.append(self.f("yllapitajat", "warning", "yllapitajat_not_email", value=entry))
        if not out:
            out.append(self.f("yllapitajat", "ok", "yllapitajat_ok", count=len(unique)))
        return out

    def check_toteutuspaikka(self) -> list[Finding]:
        return self._plain_publication("toteutuspaikka")

    def check_kohderyhma(self) -> list[Finding]:
        return self._plain_publication("kohderyhma")

    def _plain_publication(self, field_name: str) -> list[Finding]:
        missing = self.publication(field_name)
        if missing:
            return [missing]
        return [self.f(field_name, "ok", "publication_ok", "julkaisu", label=self.labels[field_name])]


def writing_tips(text: str, rules: Rules) -> list[Finding]:
    """Warnings from the guide's writing tips (slides 24, 43, 45) for a lyhyt kuvaus."""
    folded = fold(text)
    out: list[Finding] = []
    for tip in rules.writing_tips:
        match = re.search(tip.pattern, folded)
        if match:
            out.append(
                Finding(
                    "lyhyt_kuvaus", "warning", tip.message.format(match=match.group(0)), tuple(tip.sources)
                )
            )
    passive = rules.passive
    hits = [m.group(0) for m in re.finditer(passive.pattern, folded) if m.group(0) not in passive.ignore]
    if len(hits) >= passive.min_count:
        out.append(
            Finding(
                "lyhyt_kuvaus",
                "warning",
                passive.message.format(matches=", ".join(hits)),
                tuple(passive.sources),
            )
        )
    return out


FIELD_VALIDATORS: dict[str, Callable[[Checker], list[Finding]]] = {
    name: getattr(Checker, f"check_{name}") for name in FIELDS
}


def validate_field(
    field_name: str, data: Perustiedot, kb: KnowledgeBase | None = None, rules: Rules | None = None
) -> list[Finding]:
    """The findings of one field (the dialog validates each answer with this)."""
    checker = Checker(data, kb or default_knowledge(), rules or default_rules())
    return FIELD_VALIDATORS[field_name](checker)


def validate(
    data: Perustiedot | dict[str, Any],
    kb: KnowledgeBase | None = None,
    rules: Rules | None = None,
    process: str | None = None,
) -> Report:
    """Every rule applied to `data`: valid = no errors, publishable = every publication field filled."""
    model = data if isinstance(data, Perustiedot) else Perustiedot.model_validate(data)
    kb = kb or default_knowledge()
    checker = Checker(model, kb, rules or default_rules(), process=process)
    findings = [finding for name in FIELDS for finding in FIELD_VALIDATORS[name](checker)]
    missing = [p.field for p in kb.common.julkaisukentat if is_empty(getattr(model, p.field, None))]
    return Report(
        valid=not any(f.severity == "error" for f in findings),
        publishable=not missing,
        findings=findings,
        suggested_name=checker.suggested_name(),
        missing=missing,
    )


def report_text(report: Report, kb: KnowledgeBase | None = None, rules: Rules | None = None) -> str:
    """A readable Finnish summary: errors with fixes first, then warnings, then the suggested name."""
    kb = kb or default_knowledge()
    texts = (rules or default_rules()).dialog
    labels = {p.field: p.label for p in kb.common.julkaisukentat}
    step_labels = {name: step.label for name, step in texts.steps.items()}

    def line(f: Finding) -> str:
        label = step_labels.get(f.field) or labels.get(f.field) or f.field
        dia = f" (dia {', '.join(str(d) for d in f.sources)})" if f.sources else ""
        return f"• {label}: {f.message}{dia}"

    lines: list[str] = []
    if report.errors:
        lines.append(texts.summary_errors)
        lines.extend(line(f) for f in report.errors)
    if report.warnings:
        lines.append(texts.summary_warnings)
        lines.extend(line(f) for f in report.warnings)
    if not report.errors and not report.warnings:
        lines.append(texts.summary_ok)
    if report.notes:
        lines.append(texts.summary_notes)
        lines.extend(line(f) for f in report.notes)
    if report.valid:
        lines.append(texts.summary_valid)
    if report.publishable:
        lines.append(texts.summary_publishable)
    else:
        missing = ", ".join(labels.get(m, m) for m in report.missing)
        lines.append(texts.summary_not_publishable.format(fields=missing))
    name_ok = not any(f.field == "nimi" and f.severity in ("error", "warning") for f in report.findings)
    if report.suggested_name and not name_ok:  # a right name in the user's own form gets no rival
        lines.append(texts.summary_suggested.format(name=report.suggested_name))
    return "\n".join(lines)
