"""The `toimintamalli check [--json] FILE` command: validates a perustiedot JSON file by the guide.

Exit status: 0 valid, 1 not valid, 2 unreadable input (one Finnish line on stderr, nothing on stdout).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dialogs.validator import Perustiedot, report_text, validate
from knowledge.rules import CheckInputTexts, default_rules

MAX_BYTES = 1024 * 1024
MAX_ITEMS = 100  # far more than any list field of a model has; keeps the report readable


class InputError(Exception):
    """The input file cannot be read as perustiedot; the message is one Finnish line."""


def _texts() -> CheckInputTexts:
    return default_rules().check_input


def _problem(kind: str, **values: object) -> InputError:
    return InputError(_texts().messages[kind].format(**values))


def _got(value: object) -> str:
    name = type(value).__name__
    return _texts().got.get(name, name)


def _type_problem(file: str, exc: ValidationError) -> InputError:
    texts = _texts()
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    field = loc[0] if loc else "?"
    item = texts.messages["item"].format(n=int(loc[1]) + 1) if len(loc) > 1 and loc[1].isdigit() else ""
    model_field = Perustiedot.model_fields.get(field)
    is_list = model_field is not None and "list" in str(model_field.annotation)
    if err["type"] == "bool_type":
        expected = texts.expected["bool"]
    elif is_list and len(loc) == 1:
        expected = texts.expected["list"]
    else:
        expected = texts.expected["text"]
    return _problem(
        "wrong_type", file=file, field=field, item=item, expected=expected, got=_got(err.get("input"))
    )


def read_perustiedot(file: str) -> Perustiedot:
    """Read and type-check the file; any problem raises InputError naming it (and the field)."""
    path = Path(file)
    if not path.exists():
        raise _problem("not_found", file=file)
    if path.is_dir():
        raise _problem("directory", file=file)
    if not path.is_file():  # a FIFO or a device would block or never end
        raise _problem("not_regular", file=file)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _problem("too_large", file=file, size=size, max=MAX_BYTES)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _problem("unreadable", file=file, reason=exc.strerror or exc) from exc
    if len(raw) > MAX_BYTES:
        raise _problem("too_large", file=file, size=len(raw), max=MAX_BYTES)
    if b"\x00" in raw:
        raise _problem("binary", file=file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem("not_utf8", file=file, position=exc.start) from exc
    if not text.strip():
        raise _problem("empty", file=file)
    try:
        data: Any = json.loads(text)
    except RecursionError as exc:
        raise _problem("too_deep", file=file) from exc
    except json.JSONDecodeError as exc:
        problem = _texts().json_problems.get(exc.msg, exc.msg)
        raise _problem("bad_json", file=file, line=exc.lineno, column=exc.colno, problem=problem) from exc
    except ValueError as exc:  # Python's limit on the digits of an integer
        raise _problem("number_too_long", file=file) from exc
    if not isinstance(data, dict):
        raise _problem("not_object", file=file, got=_got(data))
    for field, value in data.items():
        if isinstance(value, list) and len(value) > MAX_ITEMS:
            raise _problem("too_many_items", file=file, field=field, count=len(value), max=MAX_ITEMS)
    try:
        return Perustiedot.model_validate(data)
    except ValidationError as exc:
        raise _type_problem(file, exc) from exc


def run_check(file: str, as_json: bool) -> int:
    """Validate `file`; print the report (JSON or a Finnish summary); 0 valid, 1 not valid, 2 unreadable."""
    try:
        data = read_perustiedot(file)
    except InputError as exc:
        print(f"Virhe: {exc}", file=sys.stderr)
        return 2
    from knowledge.loader import default_knowledge

    kb = default_knowledge()
    report = validate(data, kb)
    if as_json:
        print(json.dumps(report.as_json(kb), ensure_ascii=False))
    else:
        print(re.sub(r"\*([^*\n]+)\*", r"\1", report_text(report, kb)))  # no chat markup on a terminal
    return 0 if report.valid else 1
