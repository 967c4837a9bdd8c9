"""Checks perustiedot against the guide's rules; a finding names the field, severity, fix and slides.

The rules themselves are data (knowledge/data/investments.yaml, common.yaml and rules.yaml); this
package only applies them: `schema` (the data and results), `names` (the name grammar), `fields`
(one `check_<field>` per field), `report` (the whole check and its summary). Validators are found by
field name (`FIELD_VALIDATORS`, as rasa-sdk's `validate_<slot>`), so the dialog and the `check`
command share one definition.
"""

from __future__ import annotations

from dialogs.validator.fields import FIELD_VALIDATORS, Checker, writing_tips
from dialogs.validator.names import (
    build_name,
    code_label,
    county_finder,
    county_label,
    parse_name,
    parse_tag,
    resolve_investment,
    resolve_investments,
)
from dialogs.validator.report import report_text, validate
from dialogs.validator.schema import FIELDS, Finding, Perustiedot, Report, Severity, is_empty, key

__all__ = [
    "FIELDS",
    "FIELD_VALIDATORS",
    "Checker",
    "Finding",
    "Perustiedot",
    "Report",
    "Severity",
    "build_name",
    "code_label",
    "county_finder",
    "county_label",
    "is_empty",
    "key",
    "parse_name",
    "parse_tag",
    "report_text",
    "resolve_investment",
    "resolve_investments",
    "validate",
    "writing_tips",
]
