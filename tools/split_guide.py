"""Splits the guide's slide text into one entry per slide (knowledge/data/slide_text.yaml).

Usage: python tools/split_guide.py ../shared/seed/000_cea2bd8afcc4713d.txt > knowledge/data/slide_text.yaml

The guide is slide text followed by an index "Dia N: title". Each slide starts with its title, so
the text is cut where the next title (its first words, spacing ignored) begins.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml


def _key(text: str) -> str:
    return re.sub(r"[\s\-–]+", "", text.lower())


def split(text: str) -> list[tuple[int, str, str]]:
    body, _, index = text.partition("\n\tDia 1:")
    titles = [(int(n), t.strip()) for n, t in re.findall(r"Dia (\d+):([^\n]*)", "Dia 1:" + index)]
    lines = body.split("\n")
    starts: list[int] = []
    cursor = 0
    for dia, title in titles:
        if dia == 1:
            starts.append(0)
            continue
        wanted = _key(title)
        found = -1
        for length in (len(wanted), 24, 16):
            probe = wanted[:length]
            for i in range(cursor, len(lines)):
                if _key("".join(lines[i : i + 8])).startswith(probe):
                    found = i
                    break
            if found >= 0:
                break
        if found < 0:
            raise SystemExit(f"slide {dia} title not found: {title}")
        cursor = found + 1
        starts.append(found)
    slides = []
    for i, (dia, title) in enumerate(titles):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        chunk = "\n".join(line.rstrip() for line in lines[starts[i] : end] if line.strip())
        slides.append((dia, title, chunk.strip()))
    return slides


def main() -> None:
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    out = [{"dia": dia, "text": chunk} for dia, _title, chunk in split(text)]
    sys.stdout.write("# Ohjeen diojen teksti (tools/split_guide.py), haettavaksi ja lähdetarkistukseen.\n")
    sys.stdout.write(yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=200))


if __name__ == "__main__":
    main()
