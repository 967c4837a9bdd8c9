"""Finnish-aware text normalisation: folding, tokenising and control-character clean-up."""

from __future__ import annotations

import re
import unicodedata

DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
_COMPASS = re.compile(
    r"\b(etelä|pohjois|itä|länsi|keski|sisä|varsinais|kanta|päijät|eteläinen|läntinen)\s+(?=[a-zåäö])"
)
_TOKEN = re.compile(r"[a-zåäöüé0-9]+(?:[-:][a-zåäöüé0-9]+)*")


def clean(text: str, unify_dashes: bool = True) -> str:
    """Remove control and zero-width characters and (unless told not to) unify dashes, keeping the
    user's wording."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    if unify_dashes:
        text = text.translate(DASHES)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n"))
    return re.sub(r"[ \t]+", " ", text).strip()


_NO_UMLAUTS = str.maketrans("äöå", "aoa")


def without_umlauts(text: str) -> str:
    """The text as typed on a keyboard without ä, ö and å ("maaraaika", "loydy")."""
    return text.translate(_NO_UMLAUTS)


def fold(text: str) -> str:
    """Lower-case, cleaned text; compass prefixes join their place name ("etelä savo" -> "etelä-savo")."""
    text = clean(text).lower()
    return _COMPASS.sub(r"\1-", text)


def tokens(folded: str) -> list[str]:
    """Word tokens of folded text; hyphenated compounds are kept whole (split later by the search)."""
    return _TOKEN.findall(folded)
