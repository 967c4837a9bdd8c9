"""The perustiedot rules as data: messages, slides, writing-tip patterns and dialog texts (rules.yaml)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.loader import DATA_DIR, KnowledgeError, _describe, _read
from knowledge.models import INVESTMENT_CODES, InvestmentCode

RULES_FILE = "rules.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"virheellinen säännöllinen lauseke: {exc}") from exc
    return value


class WritingTip(_Strict):
    id: str
    pattern: str
    message: str
    sources: list[int] = Field(min_length=1)

    _regex = field_validator("pattern")(_check_regex)


class PassiveRule(_Strict):
    pattern: str
    ignore: list[str] = Field(default_factory=list)
    min_count: int = 2
    message: str
    sources: list[int] = Field(min_length=1)

    _regex = field_validator("pattern")(_check_regex)


class StepText(_Strict):
    label: str
    prompt: str
    help: str
    help_known: str = ""  # the help when the investments and county are known: {pattern}, {slides}
    aliases: list[str] = Field(default_factory=list)
    error: str = ""
    alt_prompt: str = ""  # used when the prompt's suggestion cannot be built


class DialogTexts(_Strict):
    intro: str
    resume_question: str
    resume_choices: list[str] = Field(min_length=3, max_length=3)
    resume_where: str
    cancelled: str
    skipped: str
    first_step: str
    unknown_field: str
    invalid_retry: str
    warnings_noted: str
    current_value: str
    edit_list_hint: str
    accept_label: str
    yes_label: str
    no_label: str
    summary_title: str
    summary_errors: str
    summary_warnings: str
    summary_ok: str
    summary_notes: str
    summary_missing: str
    summary_valid: str
    summary_publishable: str
    summary_not_publishable: str
    summary_suggested: str
    summary_json: str
    summary_next: str
    finished: str
    status: str
    yes_words: list[str]
    no_words: list[str]
    accept_words: list[str]
    done_words: list[str]
    question_words: list[str]
    commands: dict[str, list[str]]
    stop_words: list[str]
    continue_words: list[str]
    draft_kept: str
    cancel_confirm: str
    cancel_kept: str
    still_empty: str
    changed: str
    did_you_mean: str
    did_you_mean_form: str
    too_long: str
    not_saved: str
    stale_click: str
    stale_click_no_dialog: str
    private_only: str
    dialog_elsewhere: str
    stored_with_errors: str
    summary_unasked: str
    saved_summary_title: str
    nothing_saved: str
    name_from_process: str
    # Innokylä's own terms for the choice fields, by field: written form -> the term ("stm" -> "…(STM)")
    option_aliases: dict[str, dict[str, str]]
    steps: dict[str, StepText]


class CheckInputTexts(_Strict):
    """Messages of `toimintamalli check` for input it cannot read."""

    messages: dict[str, str]
    expected: dict[str, str]
    got: dict[str, str]
    json_problems: dict[str, str]


class Rules(_Strict):
    county_short: str
    county_keep_name_unless: str
    county_suffixes: list[str] = Field(default_factory=list)
    rrp_kokonaisuus_words: list[str] = Field(min_length=1)
    rrp_kokonaisuus_name: str
    funder_aliases: dict[str, list[str]]
    kokonaisuus_aliases: dict[str, list[str]] = Field(default_factory=dict)
    email_pattern: str
    sources: dict[str, list[int]]
    investment_sources: dict[str, list[int]] = Field(default_factory=dict)
    investment_source_fields: list[str] = Field(default_factory=list)
    messages: dict[str, str]
    writing_tips: list[WritingTip]
    passive: PassiveRule
    dialog: DialogTexts
    check_input: CheckInputTexts
    words: dict[str, list[str]]

    _regex = field_validator("email_pattern")(_check_regex)

    def words_for(self, command: str) -> frozenset[str]:
        """The words of `command` (rules.yaml `words`); an unknown command is a data error."""
        try:
            return frozenset(self.words[command])
        except KeyError as exc:
            raise KnowledgeError(
                f"{RULES_FILE}: komennon '{command}' sanoja ei ole (kenttä 'words')"
            ) from exc

    def msg(self, key: str, **values: object) -> str:
        """The message `key` filled with `values`; an unknown key or placeholder is a data error."""
        try:
            template = self.messages[key]
        except KeyError as exc:
            raise KnowledgeError(f"{RULES_FILE}: viestiä '{key}' ei ole (kenttä 'messages')") from exc
        try:
            return template.format(**values)
        except (KeyError, IndexError) as exc:
            raise KnowledgeError(f"{RULES_FILE}: viestin '{key}' paikkamerkki {exc} puuttuu") from exc

    def dia(self, field: str, codes: list[InvestmentCode] | list[str] | None = None) -> list[int]:
        """The slides a finding on `field` rests on, with the chosen investments' own slides."""
        slides = list(self.sources.get(field, []))
        if codes and field in self.investment_source_fields:
            slides += [d for c in codes for d in self.investment_sources.get(c, [])]
        return list(dict.fromkeys(slides))


def combined_tag(codes: list[InvestmentCode] | list[str]) -> str:
    """The name tag for one or several investments in guide order: (RRP, P3) or (RRP, P4, I1, I4)."""
    ordered = [c for c in INVESTMENT_CODES if c in codes]
    parts = ["RRP"]
    if "P3" in ordered:
        parts.append("P3")
    p4 = [c[2:] for c in ordered if c.startswith("P4")]
    if p4:
        parts.append("P4")
        parts.extend(p4)
    return "(" + ", ".join(parts) + ")"


def load_rules(data_dir: Path | None = None) -> Rules:
    """Read and validate rules.yaml of `data_dir` (default: the packaged data)."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / RULES_FILE
    raw = _read(path)
    try:
        rules = Rules.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"{RULES_FILE}: {_describe(exc)}") from exc
    return rules


@functools.lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The packaged rules, loaded once per process."""
    return load_rules()
