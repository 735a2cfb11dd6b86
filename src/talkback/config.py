"""The one source of configuration: `TALKBACK_*` environment variables or a TOML file.

`TALKBACK_CONFIG` may name a TOML file whose keys are the field names below; environment
variables win over the file, so a deployment can keep secrets out of it.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALKBACK_", extra="ignore")

    data_dir: Path = Field(
        default=Path("talkback-data"),
        description="Where the default SQLite database and the demo's generated secret live.",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite+aiosqlite:///FILE or postgresql+asyncpg://…; default in data_dir",
    )
    broker_url: str = "memory://"
    smtp_url: str | None = Field(
        default=None,
        description="Where mail is sent: smtp://host:25, smtp+starttls://user:pass@host:587 "
        "or smtps://user:pass@host:465. Without it the server sends no mail.",
    )
    mail_from: str = Field(
        default="talkback@localhost",
        description="The sender address of every mail; its domain ends each Message-ID.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="This server's address as readers reach it: links in mail start with it.",
    )
    demo_mailbox: bool = Field(
        default=False,
        description="Without TALKBACK_SMTP_URL, keep mail in a local mailbox page "
        "(/demo/mailbox); `talkback demo` turns this on.",
    )
    outbox_worker: Literal["in-process", "off"] = Field(
        default="in-process",
        description="`off` when `talkback worker` runs elsewhere and the web processes "
        "should only write to the outbox.",
    )
    outbox_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    outbox_lease_seconds: float = Field(
        default=60.0, gt=0, description="How long a worker holds a message it is sending."
    )
    outbox_keep_days: float = Field(
        default=30.0,
        gt=0,
        description="Sent mail and webhook calls are deleted from the outbox this long after.",
    )
    outbox_first_retry_seconds: float = Field(
        default=15.0, gt=0, description="The first wait after a failed delivery; it doubles."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="How long a webhook receiver may take to answer."
    )
    secret_key: SecretStr | None = None
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = Field(
        default=None, description="Stripe API address; tests point it at a local fake."
    )
    demo_payments: bool = Field(
        default=False,
        description="Without a Stripe key, take gifts on a local test checkout page "
        "(`talkback demo` turns this on).",
    )
    rate_limits: Literal["on", "off"] = "on"
    scorer: str | None = Field(
        default=None,
        max_length=300,
        description="`module:attribute` of a factory of another toxicity scorer "
        "(docs/moderation.md); unset, the shipped model.",
    )
    page_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Bytes of rendered thread pages kept per process.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, /metrics answers only requests with `Authorization: Bearer "
        "<token>`; unset, it answers only loopback clients (docs/operations.md).",
    )
    live_heartbeat_seconds: float = Field(
        default=15.0,
        gt=0,
        le=300,
        description="An idle live stream (SSE) sends a comment line after this many seconds "
        "of silence, so proxies and browsers keep it open.",
    )
    trusted_proxies: str = Field(
        default="",
        max_length=2000,
        description="Comma-separated addresses or networks of the reverse proxies whose "
        "`X-Forwarded-For` and `X-Forwarded-Proto` are believed (docs/deploy.md); empty, "
        "nobody's are, and cookies are Secure only on a direct TLS connection.",
    )
    live_streams_per_address: int = Field(
        default=32,
        ge=1,
        le=10_000,
        description="Live streams (SSE) one client address may hold open in one server "
        "process; one more is answered 429.",
    )
    body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="A request body not fully received this long after its headers is "
        "answered 408, so a client trickling bytes cannot hold a request open.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("TALKBACK_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'talkback.db'}"

    def require_secret_key(self) -> str:
        """The signing key; a server without one would hand out forgeable tokens."""
        if self.secret_key is None or not self.secret_key.get_secret_value():
            raise MissingSecretKey(
                "TALKBACK_SECRET_KEY is not set; set it to a long random string "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return self.secret_key.get_secret_value()


class MissingSecretKey(RuntimeError):
    pass


def with_persisted_secret(settings: Settings) -> Settings:
    """Return settings that carry a secret key, generating one into data_dir on first use.

    Used by `talkback demo` so a newcomer needs no configuration, while tokens issued by one
    run stay valid after a restart.
    """
    if settings.secret_key is not None:
        return settings
    key_file = settings.data_dir / "secret_key"
    if not key_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return settings.model_copy(update={"secret_key": SecretStr(key_file.read_text().strip())})


@lru_cache
def get_settings() -> Settings:
    return Settings()
