"""Typed settings read from ``LEARNPROOF_*`` environment variables.

Settings fail fast: a production deployment with insecure defaults refuses to start
with a message naming the variable to set.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core import master_secret
from app.core.urls import PublicUrls


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to set."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNPROOF_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/learnproof.db"
    # Optional owner of the schema for `learnproof db upgrade` (PostgreSQL): the service then
    # runs as a role that cannot alter or empty the audit log (`learnproof db grant-runtime`).
    migration_database_url: str | None = None
    # Connections each process keeps open; beyond it up to 10 more are opened and closed
    # per use, which under concurrent requests costs a PostgreSQL backend start each time.
    database_pool_size: int = Field(default=20, ge=1, le=1_000)
    # About how many requests one kept-alive HTTP connection serves (0: no limit); see
    # app/connection_reuse.py.
    requests_per_connection: int = Field(default=25, ge=0, le=1_000_000)
    public_url: str = "http://127.0.0.1:8000"
    keys_dir: Path = Path("./keys")
    master_key: SecretStr | None = None
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_issuers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # DIDs whose accreditation credentials the verifier's accreditation check honours.
    trusted_accreditors: Annotated[list[str], NoDecode] = Field(default_factory=list)
    clock_skew_seconds: int = Field(default=300, ge=0, le=86_400)
    status_list_ttl_seconds: int = Field(default=300, ge=0, le=86_400)
    # Large enough for a 50,000-item batch; verification bounds depth and size separately.
    max_body_bytes: int = Field(default=16_000_000, ge=1_024)
    job_worker: bool = True
    # How long a verification may reuse our own issuers' keys and status lists (seconds).
    own_documents_cache_seconds: float = Field(default=2.0, ge=0, le=300)
    # One overall deadline per remote fetch: connect, headers and body together.
    fetch_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    fetch_max_bytes: int = Field(default=2_000_000, ge=1_024)
    # Bounds on one verification request (README "Limits per request").
    verify_cpu_seconds: float = Field(default=2.0, gt=0, le=600)
    verify_wall_seconds: float = Field(default=20.0, gt=0, le=600)
    verify_max_json_values: int = Field(default=20_000, ge=100)
    verify_max_json_depth: int = Field(default=32, ge=8, le=200)
    verify_max_presentation_values: int = Field(default=200_000, ge=100)
    verify_max_quads: int = Field(default=20_000, ge=100)
    verify_max_blank_nodes: int = Field(default=5_000, ge=10)
    # Single issuances one worker process runs at once (alone or as a group); more wait their
    # turn on the event loop, in arrival order, and then run as a group of at most
    # `issue_group_size` in one transaction (README "How a single issuance runs").
    issue_concurrency: int = Field(default=1, ge=1, le=256)
    issue_group_size: int = Field(default=8, ge=1, le=64)
    # `serve --workers N` (Linux): each worker process on a CPU of its own (app/cli/workers.py).
    pin_workers: bool = True
    # Verification runs in a pool of its own, so it cannot starve the rest of the service.
    verify_workers: int = Field(default=4, ge=1, le=256)
    verify_queue: int = Field(default=32, ge=0, le=10_000)
    # Per client (IP address): a bucket of CPU seconds, refilled at this rate.
    verify_client_cpu_seconds: float = Field(default=20.0, gt=0)
    verify_client_cpu_per_second: float = Field(default=0.5, gt=0)
    log_json: bool | None = None
    # Batch issuance: larger batches become a background job, issued so many items per
    # transaction (a crash repeats none and loses none of a committed chunk).
    batch_inline_items: int = Field(default=1_000, ge=1, le=50_000)
    batch_chunk_items: int = Field(default=100, ge=1, le=10_000)
    # Webhooks: deliver the outbox in this process; timeouts, retry window, auto-disable.
    webhook_worker: bool = True
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_hours: float = Field(default=24.0, ge=1, le=24 * 30)
    webhook_disable_after_hours: float = Field(default=72.0, ge=1, le=24 * 90)
    # credential.expiring fires this many days before validUntil.
    expiry_notice_days: int = Field(default=30, ge=0, le=3_650)

    @field_validator("fetch_allow_hosts", "trusted_issuers", "trusted_accreditors", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("LEARNPROOF_PUBLIC_URL must be an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError("LEARNPROOF_PUBLIC_URL must not carry a query or fragment")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_is_secure(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if urlsplit(self.public_url).scheme != "https":
            problems.append("LEARNPROOF_PUBLIC_URL must use https in production")
        if self.master_key is None or not self.master_key.get_secret_value():
            problems.append(
                "LEARNPROOF_MASTER_KEY must be set in production (a generated development "
                "key file is refused); create one with `learnproof keys master-key`"
            )
        elif (weak := master_secret.problem(self.master_key.get_secret_value())) is not None:
            problems.append(master_secret.describe(weak))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def urls(self) -> PublicUrls:
        """Every public URL and DID of this service, built and parsed in one place."""
        return PublicUrls(self.public_url)

    @cached_property
    def public_host(self) -> str:
        """Host (and port) of the public URL, as it appears in did:web identifiers."""
        parts = urlsplit(self.public_url)
        return parts.netloc

    @property
    def log_as_json(self) -> bool:
        return self.log_json if self.log_json is not None else self.env == "production"

    @property
    def schema_database_url(self) -> str:
        """The URL migrations run with: the migration role's when one is configured."""
        return self.migration_database_url or self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    """Read settings from the environment, turning validation errors into ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            lines.append(f"{where}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(lines)) from None
