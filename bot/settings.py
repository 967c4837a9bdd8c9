"""All settings in one pydantic-settings class; a missing required value fails fast, naming the variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.texts import text


class SettingsError(Exception):
    """A required setting is missing or invalid; the message names the environment variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field(default="", alias="SLACK_APP_TOKEN")
    slack_api_base_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_BASE_URL")
    # Microsoft Teams (the Azure bot registration); without them `toimintamalli teams` runs in local mode
    microsoft_app_id: str = Field(default="", alias="MICROSOFT_APP_ID")
    microsoft_app_password: str = Field(default="", alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str = Field(default="", alias="MICROSOFT_APP_TENANT_ID")
    website_url: str = Field(default="", alias="TOIMINTAMALLI_WEBSITE_URL")  # the Teams app package's pages
    db_path: Path = Field(default=Path("toimintamalli.sqlite"), alias="TOIMINTAMALLI_DB")
    database_url: str = Field(default="", alias="TOIMINTAMALLI_DATABASE_URL")  # PostgreSQL instead of db_path
    port: int = Field(default=3000, alias="PORT")
    tz_name: str = Field(default="Europe/Helsinki", alias="TOIMINTAMALLI_TZ")

    @field_validator("tz_name")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"tuntematon aikavyöhyke {value!r}") from exc
        return value

    @field_validator("slack_api_base_url")
    @classmethod
    def _api_base_url(cls, value: str) -> str:
        """slack_sdk joins method names onto the base URL, which therefore has to end with "/"."""
        value = value.strip() or "https://slack.com/api/"
        return value if value.endswith("/") else value + "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    def require(self, *names: str) -> None:
        """Raise SettingsError naming each missing environment variable among `names`."""
        fields = type(self).model_fields
        missing = [name for name in names if not getattr(self, _attr(fields, name))]
        if missing:
            raise SettingsError(text("cli", "missing_setting", names=", ".join(missing)))


def _attr(fields: dict[str, Any], env_name: str) -> str:
    return next(name for name, info in fields.items() if info.alias == env_name)


def load_settings() -> Settings:
    """Read settings from the environment and .env; invalid values become a SettingsError."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        raise SettingsError(text("cli", "bad_setting", name=name, message=first["msg"])) from exc
