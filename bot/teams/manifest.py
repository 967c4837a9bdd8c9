"""`toimintamalli teams package [--out FILE]`: the Teams app package (manifest.json and two icons in a zip).

The manifest names the bot (MICROSOFT_APP_ID, the Azure bot registration's id), the scopes where it
runs (personal, team, groupChat), the command list, and the operator's web address
(TOIMINTAMALLI_WEBSITE_URL; Teams wants a website, a privacy and a terms-of-use page). The icons are
drawn here (192×192 colour, 32×32 white outline on transparent), so nothing binary is kept in the repo.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

from bot.settings import Settings, SettingsError, load_settings
from bot.texts import text as bot_text

SCHEMA = "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.17"
ACCENT = (0x1F, 0x5F, 0x8B)  # the colour icon's background
SCOPES = ["personal", "team", "groupChat"]
COMMANDS = (("apua", "command_help"), ("check", "command_check"), ("määräajat", "command_deadlines"),
            ("muistutus", "command_reminders"))  # fmt: skip


def _t(key: str) -> str:
    return bot_text("teams", key)


def png(size: int, pixel: Any) -> bytes:
    """A PNG of size×size RGBA pixels, `pixel(x, y) -> (r, g, b, a)`."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _letter_t(x: int, y: int, size: int) -> bool:
    """The letter T, in the middle of the icon."""
    unit = size / 8
    bar = 2 * unit <= y < 3 * unit and 2 * unit <= x < 6 * unit
    stem = 3 * unit <= y < 6 * unit and 3.5 * unit <= x < 4.5 * unit
    return bar or stem


def color_icon() -> bytes:
    return png(192, lambda x, y: (255, 255, 255, 255) if _letter_t(x, y, 192) else (*ACCENT, 255))


def outline_icon() -> bytes:
    return png(32, lambda x, y: (255, 255, 255, 255) if _letter_t(x, y, 32) else (0, 0, 0, 0))


def build_manifest(settings: Settings, website: str) -> dict[str, Any]:
    app_id = settings.microsoft_app_id
    commands = [{"title": title, "description": _t(key)} for title, key in COMMANDS]
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": "1.0.0",
        "id": app_id,
        "developer": {
            "name": _t("app_full_name"),
            "websiteUrl": website,
            "privacyUrl": website,
            "termsOfUseUrl": website,
        },
        "name": {"short": _t("app_short_name"), "full": _t("app_full_name")},
        "description": {"short": _t("app_short_description"), "full": _t("app_full_description")},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": SCOPES, "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def write_package(settings: Settings, website: str, out: Path) -> Path:
    manifest = build_manifest(settings, website)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    out.write_bytes(buffer.getvalue())
    return out


def run_package(out: str) -> int:
    settings = load_settings()
    settings.require("MICROSOFT_APP_ID", "TOIMINTAMALLI_WEBSITE_URL")
    website = settings.website_url
    if not website.startswith("https://"):
        raise SettingsError(bot_text("cli", "website_not_https", website=website))
    path = write_package(settings, website, Path(out))
    print(bot_text("cli", "teams_packaged", path=path, app_id=settings.microsoft_app_id), file=sys.stdout)
    return 0
