"""Answers: every fact is on a cited slide, passed deadlines are said to be passed, questions that ask
two things get both, numbers the guide does not give are not invented, and the examples cover each topic."""

from __future__ import annotations

import datetime as dt
import re
from itertools import product

import pytest

from knowledge.answering import Answerer
from knowledge.conversation import Slots
from knowledge.loader import KnowledgeBase
from knowledge.render import MAX_SLIDES_IN_TEXT
from knowledge.text import fold

TODAY = dt.date(2026, 12, 3)  # every deadline of the guide has passed
BEFORE = dt.date(2024, 6, 1)  # before the first deadline
NOON = dt.time(10, 0, tzinfo=dt.UTC)

DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
NUMBER = re.compile(r"(?<![\d.])\d{2,}(?![\d.])")  # 250, 2022; not list numbers "1."
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[a-z]+)+")
TAG = re.compile(r"\(RRP(?:, ?P[34])?(?:, ?I[1-4](?:/[1-4])*)*(?:, ?I[1-4])*\)")
INLINE_SLIDE = re.compile(r"\bdia\w* (\d+(?:(?:, | ja |[–-])\d+)*)", re.IGNORECASE)
INVENTED = "Keksitty esimerkki"
GUIDE_DATE = "21.11.2024"  # the guide's own date, named in notes about updates


def slot_combinations(kb: KnowledgeBase) -> list[Slots]:
    combos = [Slots()]
    combos += [Slots(investments=(code,)) for code in kb.investments]
    combos += [Slots(investments=("P4I1", "P4I4")), Slots(valmennus=True)]
    combos += [Slots(area=r.area) for r in kb.contacts.regions]
    combos += [Slots(county=c.name, area=c.area) for c in kb.counties[:3]]
    return combos


def cited_text(kb: KnowledgeBase, slides: list[int], text: str) -> str:
    """The slide text of the cited slides and of every slide the answer names inline ("dia 16")."""
    named = set(slides)
    for match in INLINE_SLIDE.finditer(text):
        for part in re.split(r", | ja ", match.group(1)):
            first, _, last = part.replace("–", "-").partition("-")
            named.update(range(int(first), int(last or first) + 1))
    return fold(" ".join(kb.slide_text.get(n, "") for n in sorted(named)))


def facts(text: str, kb: KnowledgeBase) -> set[str]:
    """Dates, numbers, e-mail addresses, name tags and people's names stated in an answer."""
    kept = "\n".join(line for line in text.splitlines() if INVENTED not in line)
    found = (
        set(DATE.findall(kept)) | set(NUMBER.findall(INLINE_SLIDE.sub("", kept))) | set(EMAIL.findall(kept))
    )
    found |= {t for t in TAG.findall(kept) if "/" not in t}
    found |= {p.name for p in kb.contacts.people if p.name in kept}
    found |= {r.manager for r in kb.contacts.regions if r.manager and r.manager in kept}
    return found - {GUIDE_DATE}


def normalised(fact: str) -> str:
    """A tag is compared without its brackets: slide 16 writes "(esim. RRP, P4, I1, I4)"."""
    return fold(fact).replace(" ", "").strip("()")


@pytest.mark.parametrize("today", [TODAY, BEFORE])
def test_every_fact_in_an_answer_is_on_a_slide_it_cites(
    kb: KnowledgeBase, answerer: Answerer, today: dt.date
) -> None:
    renderer = answerer.renderer
    missing: list[str] = []
    for entry, slots in product(kb.entries, slot_combinations(kb)):
        text = renderer.render_entry(entry, slots, today)
        slides = renderer.sources(entry, slots)[:MAX_SLIDES_IN_TEXT]
        cited = cited_text(kb, slides, text).replace(" ", "")
        for fact in facts(text, kb):
            if normalised(fact) not in cited:
                missing.append(f"{entry.id} {slots}: {fact!r} not on slides {slides}")
    assert sorted(set(missing)) == []


def test_the_fidelity_check_catches_a_fact_that_is_not_on_the_slides(kb: KnowledgeBase) -> None:
    text = "Määräaika on 31.12.2027 ja yhteyshenkilö Reetta Nick (dia 59)."
    cited = cited_text(kb, [], text).replace(" ", "")
    found = facts(text, kb)
    assert found == {"31.12.2027", "Reetta Nick"}
    assert normalised("31.12.2027") not in cited
    assert normalised("Reetta Nick") in cited  # named on slide 59, which the text cites inline


# -- today's date ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["P3", "P4I1", "P4I2", "P4I3", "P4I4"])
def test_a_passed_deadline_is_said_to_have_passed(answerer: Answerer, kb: KnowledgeBase, code: str) -> None:
    label = kb.investments[code].short
    now = dt.datetime.combine(TODAY, NOON)
    after = answerer.answer(f"Mikä on {label} määräaika?", now).answer
    early = answerer.answer(f"Mikä on {label} määräaika?", dt.datetime.combine(BEFORE, NOON)).answer
    deadline = "31.12.2024" if code in ("P3", "P4I2") else "31.12.2025"
    assert deadline in after and deadline in early
    assert "mennyt" in after
    assert "mennyt" not in early


def test_no_answer_states_a_passed_deadline_as_ahead(kb: KnowledgeBase, answerer: Answerer) -> None:
    """Wherever an answer gives a deadline after today's date has passed it, it says so on that line."""
    offending = []
    for entry, slots in product(kb.entries, slot_combinations(kb)):
        text = answerer.renderer.render_entry(entry, slots, TODAY)
        for line in text.splitlines():
            if INVENTED in line:
                continue
            for date in DATE.findall(line):
                day = dt.datetime.strptime(date, "%d.%m.%Y").date()
                if (
                    "mennessä" in line
                    and day < TODAY
                    and not re.search(r"mennyt|päättynyt|\boli\b|\bolivat\b|\bpiti\b", line)
                ):
                    offending.append(f"{entry.id} {slots}: {line.strip()}")
    assert offending == []


# -- two things in one question, combined tags ---------------------------------------------------
def test_a_question_asking_two_things_gets_both(answerer: Answerer) -> None:
    answer = answerer.answer("Mitkä rahoittajat ja ilmiöt valitaan I4:ssä?")
    assert answer.confident
    assert "Muu EU-rahoitus" in answer.answer and "Kestävä kasvu" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Miten nimetään malli, jota kehitetään sekä I1:ssä että I4:ssä?",
        "Malli on tehty I1- ja I4-rahoituksella, mikä nimi?",
        "nimeäminen kun malli kuuluu inv 1 ja 4",
    ],
)
def test_a_model_in_two_investments_gets_one_tag_with_both(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert answer.confident
    assert "(RRP, P4, I1, I4)" in answer.answer


# -- what the guide does not give -----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "Kuinka monta merkkiä Ratkaisun perusidea -kenttään mahtuu?",
        "Milloin on seuraava Hyppää kehittämisen polulle -verkkoklinikka?",
        "Mitkä ovat pilari 2:n nimeämisohjeet?",
        "Kuka on investointi 3:n yhteyshenkilö THL:ssä?",
    ],
)
def test_numbers_dates_and_people_the_guide_does_not_give_are_not_answered_confidently(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.answer(question)
    assert not answer.confident
    said = "\n".join(line for line in answer.answer.splitlines() if not line.startswith("Lähde:"))
    assert not re.search(r"\b\d{2,}\b", INLINE_SLIDE.sub("", said))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Montako merkkiä lyhyessä kuvauksessa saa olla?", "250"),
        ("Kuinka monta ylläpitäjää toimintamallilla pitää olla?", "2"),
        ("Kuka on investointi 2:n yhteyshenkilö?", "Reetta Nick"),
    ],
)
def test_the_same_kinds_of_question_are_answered_when_the_guide_gives_the_fact(
    answerer: Answerer, question: str, expected: str
) -> None:
    answer = answerer.answer(question)
    assert answer.confident and expected in answer.answer


def test_a_topic_the_named_investment_changes_wins_a_near_tie(answerer: Answerer) -> None:
    answer = answerer.answer("Milloin I2-kuvausten piti olla Innokylässä?")
    assert answer.topic == "aikataulu" and "31.12.2024" in answer.answer


# -- examples -------------------------------------------------------------------------------------
def test_every_topic_has_enough_examples(kb: KnowledgeBase) -> None:
    few = {e.id: len(kb.examples.get(e.id, [])) for e in kb.entries if len(kb.examples.get(e.id, [])) < 20}
    assert few == {}
    assert len(kb.examples.get("__oos__", [])) >= 100
