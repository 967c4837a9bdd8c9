"""Pydantic models of the knowledge base: every data file is validated against these at load time."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

InvestmentCode = Literal["P3", "P4I1", "P4I2", "P4I3", "P4I4"]
INVESTMENT_CODES: tuple[InvestmentCode, ...] = ("P3", "P4I1", "P4I2", "P4I3", "P4I4")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Investment(Strict):
    code: InvestmentCode
    label: str
    short: str
    tag: str
    pattern: str
    example: str
    example_slide: int | None = None  # the slide the example is on; None: an invented example
    example_note: str | None = None
    inference: str | None = None  # what answers infer about this investment, said as an inference
    aihealue: str
    kansallinen_kokonaisuus: str | None = None
    kokonaisuus_contact: str | None = None
    contacts: list[str] = Field(default_factory=list)
    deadline: dt.date
    what_to_describe: str
    variant_note: str | None = None
    extra_funders: str | None = None
    sources: list[int] = Field(min_length=1)


class PublicationField(Strict):
    field: str
    label: str


class Valmennus(Strict):
    name: str
    pattern: str
    example: str
    variant_note: str
    join_note: str
    kokonaisuus: str
    contacts: list[str]
    link: str
    sources: list[int]


class Phase(Strict):
    name: str
    when: str
    what: str
    ends: dt.date  # the last day of `when`, to say that a phase is over


class Common(Strict):
    rahoittajat: list[str]
    rahoittajat_sources: list[int]
    aihealue_rrp: str
    max_muut_aihealueet: int
    aihealueet_sources: list[int]
    ilmio: str
    ilmiot_sources: list[int]
    lyhyt_kuvaus_max: int
    lyhyt_kuvaus_sources: list[int]
    min_yllapitajat: int
    yllapitajat_sources: list[int]
    oma_kokonaisuus: str
    kokonaisuudet_sources: list[int]
    julkaisukentat: list[PublicationField]
    julkaisu_sources: list[int]
    valmennus: Valmennus
    phases: list[Phase]
    phases_sources: list[int]


class County(Strict):
    name: str
    genitive: str
    area: str
    forms: list[str] = Field(min_length=1)


class Person(Strict):
    name: str
    role: str
    topics: list[str]


class Region(Strict):
    area: str
    manager: str | None


class Contacts(Strict):
    email_format: str
    support_email: str
    support_label: str
    people: list[Person]
    regions: list[Region]
    sources: list[int]

    def person(self, name: str) -> Person:
        return next(p for p in self.people if p.name == name)

    def region(self, area: str) -> Region:
        return next(r for r in self.regions if r.area == area)


class Deadline(Strict):
    id: str
    date: dt.date
    title: str
    what: str
    investments: list[InvestmentCode] = Field(default_factory=list)
    sources: list[int] = Field(default_factory=list)


class Slide(Strict):
    dia: int
    title: str
    content: bool = True


class Entry(Strict):
    """One topic of the guide that the assistant can answer."""

    id: str
    title: str
    sources: list[int] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    answer: str | None = None
    template: str | None = None
    link: str | None = None
    needs: list[Literal["investment", "county", "area", "valmennus"]] = Field(default_factory=list)
    # facts without which the guide does not answer: "manager" = the region's development manager,
    # "contact" = a named contact person of the asked investment
    requires: list[Literal["manager", "contact"]] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)


class Concept(Strict):
    """A word family: each prefix in `forms` normalises to `id` (inflections, synonyms, English, Swedish)."""

    id: str
    forms: list[str] = Field(min_length=1)
    weight: float = 1.0
    intent: bool = False  # names what is asked (nimi, määräaika…): entries keyed on it rank higher


class OutOfScope(Strict):
    id: str
    forms: list[str]
    reply: str
    # topics that answer part of the category ("should we delete a model that failed?" -> ei_toimi):
    # when one of them is the question's clear topic, it is answered
    except_topics: list[str] = Field(default_factory=list)
