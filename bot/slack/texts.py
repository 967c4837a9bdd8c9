"""The Slack surface's own wording (labels, notes, errors); the guidance itself comes from the dialogs."""

from __future__ import annotations

DID_YOU_MEAN = "*Tarkoititko…?*"
SELECT_ONE = "Valitse…"
SELECT_MANY = "Valitse yksi tai useampi…"
DONE = "Valmis"
FEEDBACK_PROMPT = "Oliko vastauksesta apua?"
FEEDBACK_UP = "👍 Kyllä"
FEEDBACK_DOWN = "👎 Ei"
FEEDBACK_THANKS = {
    "up": "Kiitos palautteesta! 👍",
    "down": "Kiitos palautteesta! 👎 Välitän kysymyksen ohjeen ylläpitäjille.",
}
PICKED = "Valitsit: {label}"
CHECK_IN_DM = "Aloitin perustietojen tarkistuksen yksityisviestissä: avaa sovelluksen Viestit-välilehti."
DM_FAILED = (
    "En saanut avattua yksityisviestiä ({error}). Kirjoita minulle suoraan sovelluksen Viestit-välilehdellä."
)
POST_FAILED = "En voinut vastata kanavalle ({error}). Tässä vastaus yksityisviestinä:"
NOTHING_PICKED = "Valitse ensin vähintään yksi vaihtoehto ja paina sitten {done}."
HOME_TITLE = "Toimintamalli-avustaja"
HOME_INTRO = (
    "Autan kuvaamaan RRP-toimintamallin Innokylässä THL:n ohjeen mukaan. Kysy minulta viestillä, "
    "mainitse minut kanavalla tai käytä komentoa /toimintamalli."
)
HOME_DRAFT = "*Perustietojen luonnos*"
HOME_NO_DRAFT = "Ei keskeneräistä tarkistusta."
HOME_SUBSCRIPTIONS = "*Muistutukset*"
HOME_DEADLINES = "*Tulevat määräajat*"
HOME_NO_DEADLINES = "Ei tulevia määräaikoja."
HOME_START_CHECK = "Aloita tarkistus"
HOME_OPEN_FORM = "Täytä lomakkeella"
MODAL_TITLE = "Perustiedot"
MODAL_SUBMIT = "Tarkista"
MODAL_CLOSE = "Peruuta"
MODAL_NAME_HINT = "Jätä tyhjäksi, niin nimi muodostetaan ohjeen mallin mukaan vastauksistasi."
MODAL_LIST_HINT = "Yksi per rivi. Jätä tyhjäksi, niin käytän ohjeen mukaista ehdotusta."
MODAL_PLAIN_LIST_HINT = "Yksi per rivi."
MODAL_VALMENNUS_HINT = "Vain investoinnissa P4I1."
MODAL_FAILED = (
    "En saanut lomaketta auki ({error}). Kokeile uudelleen tai käytä komentoa /toimintamalli check."
)
FORM_WORDS = ("lomake", "form")
TOKEN_REFUSED = (
    "Slack ei hyväksy muuttujan SLACK_BOT_TOKEN tunnusta ({error}). Tarkista tunnus (xoxb-…) sovelluksen "
    "OAuth & Permissions -sivulta tai asenna sovellus uudelleen työtilaan."
)
FILES_NOT_READ = "En lue liitetiedostoja. Kirjoita kysymyksesi tai vastauksesi viestiin."
