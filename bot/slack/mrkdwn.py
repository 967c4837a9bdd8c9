"""Text between Slack and the dialogs: incoming markup to plain words, outgoing escaping and splitting.

Slack sends message text with `&`, `<`, `>` escaped and its own tokens (`<@U1>`, `<!channel>`,
`<mailto:a@b.fi|a@b.fi>`, `<https://x|label>`); the dialogs want plain text. Going out, the
whole reply text is escaped so no user text can become a mention, a broadcast or a link.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup (`&` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_token(inner: str, drop_user: str | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user = target[1:]
        if drop_user and user == drop_user:
            return ""
        return "@" + (label or user)
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        if label:
            return label
        word = target[1:].split("^", 1)[0]
        return "@" + word
    if target.startswith("mailto:"):
        return target[len("mailto:") :]
    if target.startswith(("tel:",)):
        return label or target[4:]
    return target  # a link: keep the address itself, the label may hide where it goes


def from_slack(text: str, bot_user_id: str | None = None) -> str:
    """Slack message or command text as plain text; a mention of `bot_user_id` is removed."""
    plain = _TOKEN.sub(lambda m: _plain_token(m.group(1), bot_user_id), text or "")
    return re.sub(r"[ \t]{2,}", " ", unescape(plain)).strip()


def split_text(text: str, limit: int) -> list[str]:
    """Split already-escaped text into pieces of at most `limit` characters.

    Prefers paragraph, then line, then word boundaries; never cuts an `&amp;`-style entity in two.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
            tail = _ENTITY_TAIL.search(window)
            if tail:
                cut = tail.start() or limit
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut (for labels and notifications)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    tail = _ENTITY_TAIL.search(cut)
    if tail:
        cut = cut[: tail.start()]
    return cut.rstrip() + "…"
