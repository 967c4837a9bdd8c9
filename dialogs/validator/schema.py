"""The perustiedot as data (`Perustiedot`, validated by pydantic) and what checking them gives
(`Finding`, `Report`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from knowledge.loader import KnowledgeBase
from knowledge.models import InvestmentCode
from knowledge.text import fold

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


def key(text: str) -> str:
    """A comparison key tolerant of case, dashes, spacing and punctuation."""
    return re.sub(r"[^a-zåäöü0-9]", "", fold(text))


def is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not any(isinstance(v, str) and v.strip() for v in value)
    return value is None
