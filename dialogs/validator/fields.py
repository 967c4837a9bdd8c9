"""One `check_<field>` per perustiedot field (as rasa-sdk's `validate_<slot>`): each applies the guide's
rules for its field and returns findings; `FIELD_VALIDATORS` finds them by field name."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from dialogs.validator.names import (
    _SLIDE18_VALMENNUS_TAG,
    build_name,
    code_label,
    county_finder,
    county_label,
    parse_name,
    parse_tag,
    resolve_investment,
    resolve_investments,
    tag_forms,
)
from dialogs.validator.schema import FIELDS, Finding, Perustiedot, Severity, is_empty, key
from knowledge.loader import KnowledgeBase
from knowledge.models import INVESTMENT_CODES, InvestmentCode
from knowledge.rules import Rules, combined_tag
from knowledge.text import fold


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

    def finding(
        self, field_name: str, severity: Severity, key_: str, dia: str | None = None, **values: object
    ) -> Finding:
        slides = self.rules.dia(dia or field_name, self.codes)
        return Finding(field_name, severity, self.rules.msg(key_, **values), tuple(slides))

    def publication(self, field_name: str, fix: str = "") -> Finding | None:
        """An error when a publication field (slide 20) is empty; `fix` tells what to fill in."""
        if field_name in self.labels and is_empty(getattr(self.data, field_name)):
            found = self.finding(
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
                out.append(self.finding("nimi", "error", "nimi_no_tag", tag=tag, example=example))
            else:
                out.append(self.finding("nimi", "error", "nimi_no_tag_unknown"))
        else:
            tag_codes, bad, _has_p4 = parse_tag(name.tag_inner)
            if not tag_codes or bad:
                out.append(
                    self.finding(
                        "nimi", "error", "nimi_tag_unreadable", written=name.tag, tag=tag or "(RRP, P4, I1)"
                    )
                )
            elif not re.search(r"(?<![a-zåäö])rrp(?![a-zåäö])", fold(name.tag_inner)):
                out.append(
                    self.finding(
                        "nimi",
                        "error",
                        "nimi_tag_no_rrp",
                        written=name.tag,
                        tag=tag or combined_tag(tag_codes),
                    )
                )
            elif not self.codes_inferred and codes and set(tag_codes) - set(codes):
                out.append(
                    self.finding(
                        "nimi", "error", "nimi_wrong_tag", written=name.tag, codes=self.code_names(), tag=tag
                    )
                )
            elif not self.codes_inferred and codes and set(codes) - set(tag_codes):
                missing_codes = ", ".join(
                    c[2:] if c.startswith("P4") else c for c in codes if c not in tag_codes
                )
                out.append(
                    self.finding(
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
                    self.finding("nimi", "note", "nimi_valmennus_slide18", "valmennus_tag", written=name.tag)
                )
            elif name.tag not in tag_forms(tag_codes):
                out.append(
                    self.finding(
                        "nimi", "warning", "nimi_tag_format", written=name.tag, tag=combined_tag(tag_codes)
                    )
                )
            if name.after_tag:
                out.append(self.finding("nimi", "warning", "nimi_tag_not_last", tag=name.tag))
        if name.county is None:
            out.append(self.finding("nimi", "error", "nimi_no_county", pattern=pattern, example=example))
        else:
            if self.field_county and self.field_county != name.county:
                out.append(
                    self.finding(
                        "nimi",
                        "error",
                        "nimi_county_mismatch",
                        written=name.county_text,
                        county=self.field_county.name,
                        county_label=county_label(self.field_county, self.rules),
                    )
                )
            if not name.process:
                out.append(self.finding("nimi", "error", "nimi_no_process", pattern=pattern))
            elif not name.comma:
                label = county_label(name.county, self.rules)
                out.append(
                    self.finding("nimi", "warning", "nimi_comma", process=name.process, county_label=label)
                )
        if self.data.valmennus and not name.valmennus:
            out.append(
                self.finding(
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
                    self.finding(
                        "nimi", "warning", "nimi_valmennus_dash", "valmennus", valmennus=valmennus_cfg.name
                    )
                )
            if not self.data.valmennus and "P4I1" in codes:
                out.append(
                    self.finding(
                        "nimi",
                        "warning",
                        "nimi_valmennus_unmarked",
                        "valmennus",
                        valmennus=valmennus_cfg.name,
                    )
                )
        if not out:
            out.append(self.finding("nimi", "ok", "nimi_ok", pattern=pattern))
        return out

    def check_investoinnit(self) -> list[Finding]:
        out: list[Finding] = []
        given = [v for v in self.data.investoinnit if v.strip()]
        if not given:
            if self.codes_inferred:
                return [
                    self.finding("investoinnit", "warning", "investoinnit_inferred", codes=self.code_names())
                ]
            return [self.finding("investoinnit", "error", "investoinnit_missing")]
        for value in given:
            codes, problem = resolve_investment(value)
            if problem == "ambiguous":
                out.append(self.finding("investoinnit", "error", "investoinnit_ambiguous", value=value))
            elif problem:
                out.append(self.finding("investoinnit", "error", "investoinnit_unknown", value=value))
            elif value.strip() not in INVESTMENT_CODES:
                out.append(
                    self.finding(
                        "investoinnit",
                        "warning",
                        "investoinnit_normalized",
                        value=value,
                        code=", ".join(self.code_label(c) for c in codes),
                    )
                )
        if not out:
            out.append(self.finding("investoinnit", "ok", "investoinnit_ok", codes=self.code_names()))
        return out

    def check_valmennus(self) -> list[Finding]:
        if self.data.valmennus and self.codes and "P4I1" not in self.codes:
            return [self.finding("valmennus", "warning", "valmennus_not_i1")]
        return []

    def check_hyvinvointialue(self) -> list[Finding]:
        missing = self.publication("hyvinvointialue")
        if missing:
            return [missing]
        if self.field_county is None:
            return [
                self.finding(
                    "hyvinvointialue", "error", "hyvinvointialue_unknown", value=self.data.hyvinvointialue
                )
            ]
        return [self.finding("hyvinvointialue", "ok", "hyvinvointialue_ok", county=self.field_county.name)]

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
                out.append(self.finding("kokonaisuudet", "error", "kokonaisuudet_missing_own", name=name))
            else:
                out.append(self.finding("kokonaisuudet", "error", "kokonaisuudet_missing_own_unknown"))
        keys = [key(e) for e in entries]
        for code in self.codes:
            inv = self.inv(code)
            if inv.kansallinen_kokonaisuus and not self._has(keys, inv.kansallinen_kokonaisuus):
                contact = inv.kokonaisuus_contact or ", ".join(inv.contacts) or "kokonaisuuden ylläpitäjä"
                out.append(
                    self.finding(
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
                self.finding(
                    "kokonaisuudet",
                    "error",
                    "kokonaisuudet_missing_valmennus",
                    "valmennus",
                    name=valmennus.kokonaisuus,
                    contacts=" tai ".join(valmennus.contacts),
                )
            )
        if not out:
            out.append(self.finding("kokonaisuudet", "ok", "kokonaisuudet_ok"))
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
                self.finding(
                    "rahoittajat",
                    "error",
                    "rahoittajat_missing",
                    missing=" ja ".join(missing),
                    required=" ja ".join(self.kb.common.rahoittajat),
                )
            ]
        out = [self.finding("rahoittajat", "ok", "rahoittajat_ok")]
        others = [e for e in self.data.rahoittajat if e.strip() and key(e) not in accepted]
        notes = [self.inv(c).extra_funders for c in self.codes if self.inv(c).extra_funders]
        if others and notes:
            out.append(
                self.finding(
                    "rahoittajat", "ok", "rahoittajat_extra_ok", others=", ".join(others), note=notes[0]
                )
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
                self.finding(
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
                self.finding(
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
            out.append(self.finding("aihealueet", "ok", "aihealueet_ok"))
        return out

    def check_ilmiot(self) -> list[Finding]:
        ilmio = self.kb.common.ilmio
        keys = {key(e) for e in self.data.ilmiot if e.strip()}
        if key(ilmio) not in keys:
            return [self.finding("ilmiot", "error", "ilmiot_missing", ilmio=ilmio)]
        if len(keys) < 2:
            return [self.finding("ilmiot", "warning", "ilmiot_only_one", ilmio=ilmio)]
        return [self.finding("ilmiot", "ok", "ilmiot_ok")]

    def check_lyhyt_kuvaus(self) -> list[Finding]:
        text = unicodedata.normalize("NFC", self.data.lyhyt_kuvaus).strip()
        limit = self.kb.common.lyhyt_kuvaus_max
        if not text:
            return [self.finding("lyhyt_kuvaus", "warning", "lyhyt_kuvaus_missing", max=limit)]
        out: list[Finding] = []
        if len(text) > limit:
            out.append(
                self.finding(
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
            out.append(self.finding("lyhyt_kuvaus", "ok", "lyhyt_kuvaus_ok", length=len(text), max=limit))
        return out

    def check_yllapitajat(self) -> list[Finding]:
        entries = [e.strip() for e in self.data.yllapitajat if e.strip()]
        unique = {e.lower() for e in entries}
        need = self.kb.common.min_yllapitajat
        out: list[Finding] = []
        if len(unique) < need:
            out.append(
                self.finding("yllapitajat", "error", "yllapitajat_too_few", min=need, count=len(unique))
            )
        email = re.compile(self.rules.email_pattern)
        for entry in entries:
            if not email.match(entry.lower()):
                out.append(self.finding("yllapitajat", "warning", "yllapitajat_not_email", value=entry))
        if not out:
            out.append(self.finding("yllapitajat", "ok", "yllapitajat_ok", count=len(unique)))
        return out

    def check_toteutuspaikka(self) -> list[Finding]:
        return self._plain_publication("toteutuspaikka")

    def check_kohderyhma(self) -> list[Finding]:
        return self._plain_publication("kohderyhma")

    def _plain_publication(self, field_name: str) -> list[Finding]:
        missing = self.publication(field_name)
        if missing:
            return [missing]
        return [self.finding(field_name, "ok", "publication_ok", "julkaisu", label=self.labels[field_name])]


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
