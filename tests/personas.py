"""The check dialog's six personas as scripts of what each user types, and the perustiedot each
exports: run in the terminal's router (tests/scripts/test_dialog_personas.py) and through Slack's DM by typing
and by clicking (tests/slack/test_dialog_personas_slack.py). `NEW_SESSION` marks where the user comes
back later (a new terminal run; in Slack the next message after `lopeta`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NEW_SESSION = "<new session>"
EMAILS = "maija.meikalainen@example.fi, matti.virtanen@example.fi"
ACCEPT_PREFILLS_AND_FINISH = ("ok", "ok", "ok", "ok", EMAILS, "valmis")  # the guide's four pre-fills
RRP_FUNDERS = ["Muu EU-rahoitus", "Sosiaali- ja terveysministeriö (STM)"]


@dataclass(frozen=True)
class Persona:
    id: str
    script: tuple[str, ...]
    expected: dict[str, Any]

    @property
    def turns(self) -> int:
        return sum(1 for line in self.script if line != NEW_SESSION)


PERSONAS = (
    Persona(
        "careful",
        (
            "check",
            "I4",
            "Pohjois-Savo",
            "Chat-neuvonta",
            "ok",
            "Sote-ammattilainen neuvoo asiakasta chatissa ja ohjaa hänet oikeaan palveluun.",
            "Kuopio",
            "Aikuiset asiakkaat",
            "ok",
            "ok",
            "ok",
            "Osallisuus",
            EMAILS,
            "valmis",
        ),
        {
            "nimi": "Chat-neuvonta, Pohjois-Savon HVA (RRP, P4, I4)",
            "investoinnit": ["P4I4"],
            "hyvinvointialue": "Pohjois-Savon hyvinvointialue",
            "kokonaisuudet": ["Pohjois-Savon hyvinvointialueen RRP-kokonaisuus"],
            "rahoittajat": RRP_FUNDERS,
            "aihealueet": ["RRP", "Digitaaliset palvelut"],
            "ilmiot": ["Kestävä kasvu", "Osallisuus"],
            "toteutuspaikka": "Kuopio",
            "kohderyhma": "Aikuiset asiakkaat",
            "yllapitajat": ["maija.meikalainen@example.fi", "matti.virtanen@example.fi"],
        },
    ),
    Persona(
        "hurried",  # typos, no ä/ö, "ja"-lists, kylla, two investments typed as "inv4 ja 2"
        (
            "chek",
            "inv4 ja 2",
            "pirknamaa",
            "kylla",
            "Digineuvonta",
            "kylla",
            "Digineuvonta ohjaa asiakkaan oikeaan palveluun.",
            "Tampere",
            "ikaihmiset",
            "ok",
            "stm ja eu",
            "ok",
            "kestava kasvu ja Digitalisaatio",
            "Maija Meikäläinen (maija@example.fi) ja matti@example.fi",
            "valmis",
        ),
        {
            "nimi": "Digineuvonta, Pirkanmaan HVA (RRP, P4, I2, I4)",
            "investoinnit": ["P4I2", "P4I4"],
            "hyvinvointialue": "Pirkanmaan hyvinvointialue",
            "rahoittajat": RRP_FUNDERS,
            "ilmiot": ["Kestävä kasvu", "Digitalisaatio"],
            "toteutuspaikka": "Tampere",
            "kohderyhma": "ikaihmiset",
            "yllapitajat": ["maija@example.fi", "matti@example.fi"],
        },
    ),
    Persona(
        "changes_mind",  # back twice, renames the process, then goes on
        (
            "check",
            "I1",
            "ei",
            "Kainuu",
            "Kotiutus",
            "ok",
            "Kotiutus sujuu.",
            "Kajaani",
            "takaisin",
            "takaisin",
            "muokkaa nimi",
            "Kotiutumisen tuki",
            "Kotiutuvat asiakkaat",
            *ACCEPT_PREFILLS_AND_FINISH,
        ),
        {
            "nimi": "Kotiutumisen tuki, Kainuun HVA (RRP, P4, I1)",
            "investoinnit": ["P4I1"],
            "valmennus": False,
            "hyvinvointialue": "Kainuun hyvinvointialue",
            "lyhyt_kuvaus": "Kotiutus sujuu.",
            "toteutuspaikka": "Kajaani",
            "kohderyhma": "Kotiutuvat asiakkaat",
            "aihealueet": ["RRP", "Prosessien kehittäminen"],
            "ilmiot": ["Kestävä kasvu"],
        },
    ),
    Persona(
        "valmennus",  # the name typed with the guide's en dash
        (
            "check",
            "I1",
            "kyllä",
            "Kainuu",
            "Kotiutumisen asiakasprosessi",
            "Kotiutumisen asiakasprosessi, Kainuun HVA, Sujuvat palvelut –valmennus, (RRP, P4, I1)",
            "Kotiutuminen sairaalasta kotiin sujuu yhdellä suunnitelmalla.",
            "Kajaani",
            "Kotiutuvat asiakkaat",
            *ACCEPT_PREFILLS_AND_FINISH,
        ),
        {
            "nimi": "Kotiutumisen asiakasprosessi, Kainuun HVA, Sujuvat palvelut –valmennus, (RRP, P4, I1)",
            "investoinnit": ["P4I1"],
            "valmennus": True,
            "kokonaisuudet": [
                "Kainuun hyvinvointialueen RRP-kokonaisuus",
                "Sujuvat palvelut –valmennus (RRP, P4, I1)",
            ],
            "rahoittajat": RRP_FUNDERS,
        },
    ),
    Persona(
        "pillar_3_lists",  # P3, funders in Innokylä's own words with a comma, topics added
        (
            "check",
            "P3",
            "Lappi",
            "IPS",
            "ok",
            "IPS tukee työllistymistä.",
            "Rovaniemi",
            "Työikäiset",
            "ok",
            "eu-rahoitus, stm",
            "ok",
            "ok",
            EMAILS,
            "valmis",
        ),
        {
            "nimi": "IPS, Lapin HVA (RRP, P3)",
            "investoinnit": ["P3"],
            "hyvinvointialue": "Lapin hyvinvointialue",
            "rahoittajat": RRP_FUNDERS,
            "aihealueet": ["RRP", "Työkyky"],
            "toteutuspaikka": "Rovaniemi",
        },
    ),
    Persona(
        "comes_back",  # quits, comes back later, is asked first, goes on
        (
            "check",
            "I2",
            "Eloisa",
            "lopeta",
            NEW_SESSION,
            "Hyvinvointilähete",
            "1",
            "Hyvinvointilähete",
            "ok",
            "Hyvinvointilähete ohjaa asiakkaan järjestöjen toimintaan.",
            "Mikkeli ja Savonlinna",
            "Aikuiset",
            *ACCEPT_PREFILLS_AND_FINISH,
        ),
        {
            "nimi": "Hyvinvointilähete, Etelä-Savon HVA (RRP, P4, I2)",
            "investoinnit": ["P4I2"],
            "hyvinvointialue": "Etelä-Savon hyvinvointialue",
            "toteutuspaikka": "Mikkeli ja Savonlinna",
            "aihealueet": ["RRP", "Hyvinvoinnin ja terveyden edistäminen"],
        },
    ),
)


def mismatches(persona: Persona, exported: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The expected fields the export got wrong: {field: (expected, exported)}."""
    return {
        name: (want, exported.get(name))
        for name, want in persona.expected.items()
        if exported.get(name) != want
    }
