"""One typed settings object for every process, read from ``MATHREEL_*`` environment variables."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values that were once defaults, or that examples and tutorials use: public, so never accepted as a secret.
_PUBLIC_SECRETS = {"changeme", "change-me", "secret", "development-only-secret", "mathreel-dev-secret"}
# The shortest media-signing secret accepted; a generated one is 32 random bytes.
MIN_SIGNING_SECRET_CHARS = 16


class Mode(StrEnum):
    STANDALONE = "standalone"
    DISTRIBUTED = "distributed"


_URL_PASSWORD = re.compile(r"(?P<head>://[^/:@]*:)[^@/]*@")


def _mask_url_password(url: str) -> str:
    return _URL_PASSWORD.sub(r"\g<head>***@", url)


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Every knob of Mathreel. ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_prefix="MATHREEL_", env_file=".env", extra="ignore")

    app_name: str = "Mathreel"
    version: str = "0.1.0"
    environment: Literal["development", "test", "production"] = "development"
    mode: Mode = Mode.STANDALONE
    log_level: str = "INFO"

    # --- state -------------------------------------------------------------------------------------------
    database_url: str = "sqlite+aiosqlite:///.mathreel/mathreel.db"
    database_pool_size: int = 10

    # --- messaging ---------------------------------------------------------------------------------------
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # Prefix of every exchange and queue name, so several deployments (or test runs) can share a broker.
    broker_namespace: str = "mathreel"
    publish_confirm_timeout_seconds: float = 10.0

    # --- cache / rate limiting ---------------------------------------------------------------------------
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prefix of every Redis key, so deployments (or test runs) can share one Redis.
    redis_key_prefix: str = "mathreel:"
    rate_limit_per_minute: int = 100
    max_active_jobs_per_user: int = 3

    # --- object storage ----------------------------------------------------------------------------------
    s3_endpoint_url: str | None = "http://127.0.0.1:8333"
    # Host that browsers use to fetch presigned URLs, when it differs from the one services use.
    s3_public_endpoint_url: str | None = None
    s3_bucket: str = "mathreel"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = "mathreel"
    # No default: required in distributed mode (the local SeaweedFS of ``scripts/services.sh`` documents its own).
    s3_secret_access_key: SecretStr | None = None
    media_dir: Path = Path(".mathreel/media")
    media_url_ttl_seconds: int = 3600
    # Signs standalone mode's media links. Unset: generated on first start and kept beside the development key
    # (``media_signing_secret_path``, mode 0600). A known public value is refused in every environment.
    media_signing_secret: SecretStr | None = None

    # --- auth --------------------------------------------------------------------------------------------
    # Where the Clerk (or development) JWKS lives. Empty in development/standalone: the gateway serves its own.
    jwks_url: str | None = None
    jwt_issuer: str | None = "mathreel-dev"
    authorized_parties: Annotated[list[str], NoDecode] = Field(default_factory=list)
    jwt_leeway_seconds: int = 30
    # Tokens whose lifetime (``exp`` - ``iat``) is longer are refused, so a leaked token cannot be used for months.
    # Clerk's session tokens live 60 s; ``mathreel token`` mints tokens of one hour by default.
    max_token_lifetime_seconds: int = Field(default=24 * 3600, gt=0)
    jwks_cache_seconds: int = 300
    # An unknown key id refetches the JWKS (key rotation), at most this often, so junk tokens cannot flood Clerk.
    jwks_min_refetch_seconds: float = 10.0
    dev_signing_key_path: Path = Path(".mathreel/dev-signing-key.pem")

    # --- HTTP --------------------------------------------------------------------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )
    public_base_url: str = "http://127.0.0.1:8000"
    max_request_bytes: int = 64 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    # Workers and the orchestrator serve /healthz, /readyz and /metrics here.
    health_host: str = "0.0.0.0"
    health_port: int = 8081
    shutdown_grace_seconds: float = 540.0

    # --- pipeline ----------------------------------------------------------------------------------------
    tts_voice: str = "joe"
    tts_engine: Literal["piper", "espeak"] = "piper"
    tts_length_scale: float = 1.0
    # Scenes a visuals worker renders at once (each in its own Manim process).
    visuals_concurrency: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    # Scratch space for renders. Not under a dot-folder: TeX's paranoid output mode refuses paths through one.
    # Attempts per stage message before a transient error fails the job (retries back off 2 s, 10 s, 30 s, 120 s).
    stage_max_attempts: dict[str, int] = Field(
        default_factory=lambda: {"script": 3, "tts": 3, "visuals": 3, "render": 3}
    )
    # CPU work on user text (the offline planner) runs in this many child processes per script worker, each call
    # within the time and each child within the address space below; past either the child is killed and the job
    # fails with input_too_complex. 0 MiB: no memory limit.
    compute_workers: int = 2
    compute_timeout_seconds: float = 30.0
    compute_memory_mb: int = 1024
    # The watchdog re-drives a stage silent for max(this, 4 x its median duration), once; then fails the job.
    watchdog_min_silence_seconds: float = 180.0
    watchdog_interval_seconds: float = 15.0
    work_dir: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "mathreel-work")

    # --- artifact cache (docs/cache.md) -------------------------------------------------------------------
    # Narration and scene clips keyed by what produced them, per user; least recently used evicted past the bounds.
    cache_enabled: bool = True
    cache_max_bytes: int = Field(default=20 * 1024**3, ge=0)
    cache_max_bytes_per_user: int = Field(default=1024**3, ge=0)
    # A worker producing an entry renews its claim every third of this; others take over once it lapses.
    cache_claim_seconds: float = Field(default=60.0, gt=0)

    # --- webhooks ----------------------------------------------------------------------------------------
    # true only in development and tests: lets webhooks go to loopback, private and link-local addresses.
    webhook_allow_private_networks: bool = False
    webhook_max_endpoints_per_user: int = Field(default=10, ge=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Waits before the 2nd, 3rd, ... attempt of a delivery (Standard Webhooks' schedule: ~27.6 h in all).
    webhook_retry_delays_seconds: Annotated[list[Annotated[int, Field(ge=1)]], NoDecode] = Field(
        default_factory=lambda: [5, 300, 1800, 7200, 18000, 36000, 36000]
    )
    # After a rotation the previous secret still signs deliveries (a second signature) for this long.
    webhook_secret_grace_seconds: int = Field(default=24 * 3600, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _csv_lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("authorized_parties", "cors_origins", "webhook_retry_delays_seconds"):
                if key in data:
                    data[key] = _split_csv(data[key])
        return data

    @model_validator(mode="before")
    @classmethod
    def _empty_secrets_are_unset(cls, data: object) -> object:
        """An empty secret (``MATHREEL_MEDIA_SIGNING_SECRET=``, compose's default) means "not set"."""
        if isinstance(data, dict):
            for key in ("media_signing_secret", "s3_secret_access_key"):
                value = data.get(key)
                if value == "" or (isinstance(value, SecretStr) and not value.get_secret_value()):
                    data[key] = None
        return data

    @model_validator(mode="after")
    def _refuse_public_secrets(self) -> Settings:
        if self.media_signing_secret is not None:
            value = self.media_signing_secret.get_secret_value()
            if value.lower() in _PUBLIC_SECRETS or len(value) < MIN_SIGNING_SECRET_CHARS:
                raise ValueError(
                    f"media_signing_secret must be a private random string of at least {MIN_SIGNING_SECRET_CHARS} "
                    "characters; leave it unset in standalone mode to have one generated"
                )
        if self.mode is Mode.DISTRIBUTED and self.s3_secret_access_key is None:
            raise ValueError("s3_secret_access_key must be set in distributed mode")
        if self.environment == "production":
            s3_secret = self.s3_secret_access_key
            if s3_secret is not None and s3_secret.get_secret_value() in _PUBLIC_SECRETS:
                raise ValueError("s3_secret_access_key must be set to a real secret in production")
            if not self.jwks_url:
                raise ValueError("jwks_url must be set in production (the Clerk JWKS endpoint)")
        return self

    def max_attempts(self, stage_queue: str) -> int:
        return max(1, self.stage_max_attempts.get(stage_queue, 3))

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        """Connection URLs may embed passwords: they never reach a log through ``repr``."""
        for name, value in super().__repr_args__():
            yield name, _mask_url_password(value) if isinstance(value, str) and "://" in value else value

    @property
    def is_standalone(self) -> bool:
        return self.mode is Mode.STANDALONE

    @property
    def media_signing_secret_path(self) -> Path:
        """Where a generated media-signing secret is kept: beside the development signing key."""
        return self.dev_signing_key_path.with_name("media-signing-secret")

    @property
    def uses_dev_keys(self) -> bool:
        """True when the gateway signs and serves its own JWKS (development and standalone)."""
        return not self.jwks_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
