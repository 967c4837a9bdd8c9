"""The whole check (`validate`) and its readable Finnish summary (`report_text`)."""

from __future__ import annotations

from typing import Any

from dialogs.validator.fields import FIELD_VALIDATORS, Checker
from dialogs.validator.schema import FIELDS, Finding, Perustiedot, Report, is_empty
from knowledge.loader import KnowledgeBase, default_knowledge
from knowledge.rules import Rules, default_rules


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
