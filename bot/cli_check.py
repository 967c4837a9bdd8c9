"""The `toimintamalli check [--json] FILE` command: validates a perustiedot JSON file by the guide.

Exit status: 0 valid, 1 not valid, 2 unreadable input (one Finnish line on stderr, nothing on stdout).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dialogs.validator import Perustiedot, report_text, validate

MAX_BYTES = 1024 * 1024

_PYTHON_TYPES_FI = {
    "int": "luku",
    "float": "luku",
    "str": "teksti",
    "list": "luettelo",
    "dict": "olio",
    "bool": "totuusarvo",
    "NoneType": "null",
}
_TYPE_NAMES = {
    "string_type": "tekstiä",
    "list_type": "luettelo (lista) tekstejä",
    "bool_type": "true tai false",
}


_JSON_PROBLEMS_FI = {
    "Expecting value": "arvo puuttuu",
    "Expecting property name enclosed in double quotes": "avaimen pitää olla lainausmerkeissä",
    "Expecting ',' delimiter": "pilkku puuttuu",
    "Expecting ':' delimiter": "kaksoispiste puuttuu",
    "Unterminated string starting at": "lainausmerkit jäivät auki",
    "Extra data": "JSONin perässä on ylimääräistä tekstiä",
    "Invalid control character at": "tekstissä on ohjausmerkki",
    "Invalid \\escape": "virheellinen \\-merkintä",
}


class InputError(Exception):
    """The input file cannot be read as perustiedot; the message is one Finnish line."""


def _type_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    field = loc[0] if loc else "?"
    where = f"kenttä {field}" + (f" (kohta {int(loc[1]) + 1})" if len(loc) > 1 and loc[1].isdigit() else "")
    expected = _TYPE_NAMES.get(err["type"])
    if expected is None and field in Perustiedot.model_fields:
        annotation = str(Perustiedot.model_fields[field].annotation)
        expected = "luettelo (lista) tekstejä" if "list" in annotation else "tekstiä"
    got = type(err.get("input")).__name__
    return f"{where}: pitää olla {expected or 'oikeaa tyyppiä'}, nyt {_PYTHON_TYPES_FI.get(got, got)}."


def read_perustiedot(file: str) -> Perustiedot:
    """Read and type-check the file; any problem raises InputError naming it."""
    path = Path(file)
    if not path.exists():
        raise InputError(f"Tiedostoa {file} ei löydy.")
    if path.is_dir():
        raise InputError(f"{file} on hakemisto, ei JSON-tiedosto.")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"Tiedosto {file} on liian suuri ({size} tavua); enintään {MAX_BYTES} tavua.")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"Tiedostoa {file} ei voi lukea: {exc.strerror}.") from exc
    if len(raw) > MAX_BYTES:
        raise InputError(f"Tiedosto {file} on liian suuri; enintään {MAX_BYTES} tavua.")
    if b"\x00" in raw:
        raise InputError(f"Tiedosto {file} ei ole tekstiä (binääritiedosto?); odotin perustiedot-JSONia.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"Tiedosto {file} ei ole UTF-8-tekstiä (tavu {exc.start}); tallenna se UTF-8-muodossa."
        ) from exc
    if not text.strip():
        raise InputError(f"Tiedosto {file} on tyhjä; odotin perustiedot-JSON-oliota.")
    try:
        data: Any = json.loads(text)
    except RecursionError as exc:
        raise InputError(f"Tiedoston {file} JSON on liian syvälle sisäkkäinen.") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"Tiedosto {file} ei ole kelvollista JSONia (rivi {exc.lineno}, sarake {exc.colno}: "
            f"{_JSON_PROBLEMS_FI.get(exc.msg, exc.msg)})."
        ) from exc
    if not isinstance(data, dict):
        kind = _PYTHON_TYPES_FI.get(type(data).__name__, type(data).__name__)
        raise InputError(f"Tiedoston {file} JSONin pitää olla olio {{…}}, nyt {kind}.")
    try:
        return Perustiedot.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"Tiedoston {file} {_type_problem(exc)}") from exc


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
        print(report_text(report, kb))
    return 0 if report.valid else 1
