"""How the check dialog reads what people type: commands in any spelling, lists as people write them, and
values matched to Innokylä's own terms.

Pure functions of the text and the word lists in knowledge/data/rules.yaml; no dialog state here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.rules import DialogTexts
from knowledge.text import fold, without_umlauts

FUZZY_COMMAND = 80  # a one-word input this close to a command word is that command ("chek", "takasin")
FUZZY_OPTION = 85  # a list item this close to one of Innokylä's options is that option
FUZZY_GUESS = 75  # … and this close, a guess the user is asked to confirm ("tarkoititko Pirkanmaa?")
MIN_FUZZY_LENGTH = 4  # shorter words must be written exactly ("ok", "k")

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_STRONG = re.compile(r"[,;\n&]|\s+/\s+")
_CONJUNCTION = re.compile(r"\s+(?:ja|sekä|seka|and|och|\+)\s+")
_TRIM = " .•-*\t"


def plain(text: str) -> str:
    """Case, ä/ö and surrounding punctuation do not matter: "Kyllä!" and "kylla" are the same word."""
    return without_umlauts(fold(text).strip(" .!?"))


def is_word(text: str, words: Iterable[str]) -> bool:
    return plain(text) in {plain(w) for w in words}


@dataclass(frozen=True)
class _Vocabulary:
    """The dialog's words, read once per word lists (not on every input and list item)."""

    commands: dict[str, str]  # plain word -> command
    edit_words: list[str]  # the words of "muokkaa"
    one_word: list[str]  # the command words without a space (the ones a typo is matched to)
    reserved: frozenset[str]


_VOCABULARIES: dict[int, tuple[DialogTexts, _Vocabulary]] = {}


def _vocabulary(texts: DialogTexts) -> _Vocabulary:
    found = _VOCABULARIES.get(id(texts))
    if found is None or found[0] is not texts:
        commands = {plain(w): name for name, forms in texts.commands.items() for w in forms}
        words: set[str] = set()
        for forms in texts.commands.values():
            words.update(forms)
        words.update(texts.accept_words, texts.yes_words, texts.no_words, texts.done_words)
        words.update(texts.resume_choices, texts.stop_words, texts.continue_words)
        vocabulary = _Vocabulary(
            commands=commands,
            edit_words=[w for w, name in commands.items() if name == "muokkaa"],
            one_word=[w for w in commands if " " not in w],
            reserved=frozenset({plain(w) for w in words} - {""}),
        )
        found = _VOCABULARIES[id(texts)] = (texts, vocabulary)
    return found[1]


def command(text: str, texts: DialogTexts) -> tuple[str | None, str]:
    """The dialog command the text is ("takaisin", "muokkaa nimi", a typo such as "chek") and its argument."""
    folded = plain(text)
    if not folded:
        return None, ""
    head, _, rest = folded.partition(" ")
    vocabulary = _vocabulary(texts)
    words = vocabulary.commands
    if folded in words:
        return words[folded], ""
    if words.get(head) == "muokkaa" or _close(head, vocabulary.edit_words):
        return "muokkaa", rest.strip()
    if words.get(head) == "check" and rest:  # "check näytä"
        return "check", rest.strip()
    if " " not in folded:
        found = _close(folded, vocabulary.one_word)
        if found:
            return words[found], ""
    return None, ""


def _close(word: str, options: list[str]) -> str | None:
    if len(word) < MIN_FUZZY_LENGTH or not options:
        return None
    best = process.extractOne(word, options, scorer=fuzz.ratio, score_cutoff=FUZZY_COMMAND)
    return best[0] if best and len(best[0]) >= MIN_FUZZY_LENGTH else None


def reserved(texts: DialogTexts) -> frozenset[str]:
    """Every word the dialog reads as an intent (commands, yes/no, accept, done, resume): never data."""
    return _vocabulary(texts).reserved


def is_reserved(text: str, texts: DialogTexts) -> bool:
    return plain(text) in reserved(texts) or command(text, texts)[0] is not None


def _pieces(text: str) -> list[str]:
    """Split on commas, semicolons, new lines and "&" outside parentheses ("(RRP, P4, I1)" stays)."""
    items: list[str] = []
    depth, current = 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0 and _STRONG.fullmatch(char):
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [item.strip(_TRIM) for item in items if item.strip(_TRIM)]


def split_items(text: str, options: Iterable[str] = ()) -> list[str]:
    """A list as people write it: "a, b ja c", "a; b", lines, "a & b". An item is split at "ja"/"sekä"
    only where a side is one of `options` (so "Sosiaali- ja terveysministeriö (STM)" and "Asiakasohjaus
    ja neuvonta" stay whole, while "Kestävä kasvu ja Digitalisaatio" becomes two)."""
    known = list(options)
    items: list[str] = []
    for piece in _pieces(text):
        items.extend(_split_conjunctions(piece, known))
    return items


def _split_conjunctions(piece: str, options: list[str]) -> list[str]:
    if option_of(piece, options) or not _CONJUNCTION.search(piece):
        return [piece]
    for match in _CONJUNCTION.finditer(piece):
        left, right = piece[: match.start()].strip(_TRIM), piece[match.end() :].strip(_TRIM)
        if left.endswith("-") or not left or not right:  # "Sosiaali- ja terveys…"
            continue
        if option_of(left, options) or option_of(right, options):
            return [*_split_conjunctions(left, options), *_split_conjunctions(right, options)]
    return [piece]


def option_of(
    item: str, options: Iterable[str], aliases: dict[str, str] | None = None, cutoff: float = FUZZY_OPTION
) -> str | None:
    """The option the item names: exactly, by an alias ("stm", "eu"), or by a small typo."""
    wanted = plain(item)
    if not wanted:
        return None
    table = {plain(o): o for o in options}
    for alias, option in (aliases or {}).items():
        table.setdefault(plain(alias), option)
    if wanted in table:
        return table[wanted]
    if len(wanted) < MIN_FUZZY_LENGTH:
        return None
    best = process.extractOne(wanted, list(table), scorer=fuzz.ratio, score_cutoff=cutoff)
    return table[best[0]] if best else None


def canonical_items(
    items: list[str], options: Iterable[str], aliases: dict[str, str] | None = None
) -> list[str]:
    """Items in Innokylä's own form where they name an option, else with a capital first letter; each
    once, in the order given."""
    known = list(options)
    out: list[str] = []
    for item in items:
        value = option_of(item, known, aliases) or (item[:1].upper() + item[1:])
        if plain(value) not in {plain(v) for v in out}:
            out.append(value)
    return out


def emails(text: str) -> list[str]:
    """The e-mail addresses in a text ("Maija (maija@x.fi) ja matti@x.fi"), each once, as written."""
    found: list[str] = []
    for address in EMAIL.findall(text):
        address = address.strip(".")
        if address.lower() not in {a.lower() for a in found}:
            found.append(address)
    return found
