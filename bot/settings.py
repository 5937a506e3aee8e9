"""One typed settings object, read from the environment and `.env`."""

from __future__ import annotations

import ipaddress
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.db import async_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/govbot.db"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """govbot's configuration. Bot Framework's own variable names are accepted as they are."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    app_id: str = Field("", validation_alias=_env("MicrosoftAppId", "MICROSOFT_APP_ID"))
    app_password: SecretStr = Field(
        SecretStr(""), validation_alias=_env("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", validation_alias=_env("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    app_tenant_id: str = Field(
        "", validation_alias=_env("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="GOVBOT_DATABASE_URL")
    knowledge_pack: Literal["randers", "norddjurs", "rebild"] = Field(
        "randers", validation_alias="GOVBOT_KNOWLEDGE_PACK"
    )
    host: str = Field("127.0.0.1", validation_alias="GOVBOT_HOST")
    port: int = Field(3978, ge=1, le=65535, validation_alias="GOVBOT_PORT")
    timezone: str = Field("Europe/Copenhagen", validation_alias="GOVBOT_TIMEZONE")
    # What govbot speaks until the user writes clearly in the other language or chooses it in
    # their profile; the Teams UI locale does not decide (many Danes run Teams in English).
    language: Literal["da", "en"] = Field("da", validation_alias="GOVBOT_LANGUAGE")
    allowed_tenants: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(), validation_alias="GOVBOT_ALLOWED_TENANTS"
    )
    # Only for testing against a local token issuer; empty = Bot Framework's published metadata.
    openid_metadata_url: str = Field("", validation_alias="GOVBOT_OPENID_METADATA_URL")
    # 30: a fast user clicking through the ~20-step procurement screening stays under it.
    rate_limit_per_minute: int = Field(30, ge=0, validation_alias="GOVBOT_RATE_LIMIT_PER_MINUTE")
    state_retention_days: int = Field(90, ge=1, validation_alias="GOVBOT_STATE_RETENTION_DAYS")
    conversation_retention_days: int = Field(
        365, ge=1, validation_alias="GOVBOT_CONVERSATION_RETENTION_DAYS"
    )
    demo_data: bool = Field(False, validation_alias="GOVBOT_DEMO_DATA")
    allow_anonymous: bool = Field(False, validation_alias="GOVBOT_ALLOW_ANONYMOUS")
    admins: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(), validation_alias="GOVBOT_ADMINS"
    )
    it_screeners: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(), validation_alias="GOVBOT_IT_SCREENERS"
    )
    it_channel: str = Field("", validation_alias="GOVBOT_IT_CHANNEL")
    reminder_rate: float = Field(30.0, gt=0, le=1000, validation_alias="GOVBOT_REMINDER_RATE")
    reminder_grace_hours: float = Field(
        24.0, ge=0, le=24 * 30, validation_alias="GOVBOT_REMINDER_GRACE_HOURS"
    )
    # How long a secretary's digest of unreached members gathers the rest of its batch.
    reminder_digest_seconds: float = Field(
        10.0, ge=0, le=3600, validation_alias="GOVBOT_REMINDER_DIGEST_SECONDS"
    )
    # Where the tenant's Bot Connector is before govbot has seen any conversation in it (Teams'
    # serviceUrl, e.g. https://smba.trafficmanager.net/emea/); one seen later takes over.
    teams_service_url: str = Field("", validation_alias="GOVBOT_TEAMS_SERVICE_URL")
    # Microsoft Graph (optional; app credentials): finds members' Entra ids by email and
    # installs the app for a member who does not have it. All three, or none.
    graph_tenant_id: str = Field("", validation_alias="GOVBOT_GRAPH_TENANT_ID")
    graph_client_id: str = Field("", validation_alias="GOVBOT_GRAPH_CLIENT_ID")
    graph_client_secret: SecretStr = Field(
        SecretStr(""), validation_alias="GOVBOT_GRAPH_CLIENT_SECRET"
    )
    # The Teams app's manifest id, to find it in the org's app catalog; empty = the bot's app
    # id (govbot's manifest uses it as the app id).
    teams_app_id: str = Field("", validation_alias="GOVBOT_TEAMS_APP_ID")
    # Only for testing against a local stand-in; empty = Microsoft's public endpoints.
    graph_url: str = Field("", validation_alias="GOVBOT_GRAPH_URL")
    graph_login_url: str = Field("", validation_alias="GOVBOT_GRAPH_LOGIN_URL")
    # Off for tools and tests that drive the outbox dispatcher themselves.
    dispatcher: bool = Field(True, validation_alias="GOVBOT_DISPATCHER")
    dialog_expiry_minutes: int = Field(
        24 * 60, ge=1, validation_alias="GOVBOT_DIALOG_EXPIRY_MINUTES"
    )
    # Where the trained intent model is kept between start-ups (rebuilt when training changes).
    model_cache: Path | None = Field(Path("var/nlu"), validation_alias="GOVBOT_MODEL_CACHE")
    # A follow-up ("og dataejeren?") is read against the last answer only this long.
    subject_expiry_minutes: int = Field(30, ge=1, validation_alias="GOVBOT_SUBJECT_EXPIRY_MINUTES")
    max_message_chars: int = Field(4000, ge=100, validation_alias="GOVBOT_MAX_MESSAGE_CHARS")
    max_request_bytes: int = Field(256 * 1024, ge=4096, validation_alias="GOVBOT_MAX_REQUEST_BYTES")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias="GOVBOT_LOG_LEVEL"
    )
    # KITOS API v2: empty URL = no sync. The user is a KITOS "API-bruger" with read access.
    kitos_url: str = Field("", validation_alias="GOVBOT_KITOS_URL")
    kitos_user: str = Field("", validation_alias="GOVBOT_KITOS_USER")
    kitos_password: SecretStr = Field(SecretStr(""), validation_alias="GOVBOT_KITOS_PASSWORD")
    kitos_cvr: str = Field("", validation_alias="GOVBOT_KITOS_CVR")
    kitos_interval_minutes: int = Field(
        30, ge=1, le=24 * 60, validation_alias="GOVBOT_KITOS_INTERVAL_MINUTES"
    )
    # Off for tools and tests that run `govbot kitos sync` themselves.
    kitos_schedule: bool = Field(True, validation_alias="GOVBOT_KITOS_SCHEDULE")
    # Empty = the mapping shipped with govbot (knowledge/kitos/roles.yaml).
    kitos_role_mapping: Path | None = Field(None, validation_alias="GOVBOT_KITOS_ROLE_MAPPING")

    @field_validator("allowed_tenants", "admins", "it_screeners", mode="before")
    @classmethod
    def _split_comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        # Every later reader (serve, the CLI, migrations) gets the async-driver form.
        return async_url(value).render_as_string(hide_password=False)

    @property
    def messages_url(self) -> str:
        """Where this process serves Bot Framework activities, e.g. for the Agents Playground."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/api/messages"

    @field_validator("kitos_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("use the KITOS address, e.g. https://kitos.dk")
        return value

    @field_validator("kitos_cvr")
    @classmethod
    def _cvr(cls, value: str) -> str:
        if value and not (value.isdigit() and len(value) == 8):
            raise ValueError("a CVR number is 8 digits")
        return value

    @model_validator(mode="after")
    def _kitos_complete(self) -> Settings:
        if self.kitos_url:
            for name in ("kitos_user", "kitos_cvr", "kitos_password"):
                value = getattr(self, name)
                if not (value.get_secret_value() if isinstance(value, SecretStr) else value):
                    variable = _variable_name(name)
                    raise ValueError(f"{variable} is required when GOVBOT_KITOS_URL is set")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        """The municipality's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def graph_configured(self) -> bool:
        """Graph app credentials are set (tenant, client id and secret)."""
        return bool(
            self.graph_tenant_id
            and self.graph_client_id
            and self.graph_client_secret.get_secret_value()
        )

    @property
    def development_mode(self) -> bool:
        """No app id: activities are not authenticated (Bot Framework's anonymous mode)."""
        return not self.app_id

    @property
    def host_is_loopback(self) -> bool:
        """True when the server only listens on a loopback address."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises SettingsError with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        if not error["loc"]:  # a rule over several fields names its variable itself
            raise SettingsError(str(error["msg"]).removeprefix("Value error, ")) from None
        variable = _variable_name(str(error["loc"][0]))
        raise SettingsError(f"{variable}: {error['msg']}") from None


def _variable_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return str(alias or field)
