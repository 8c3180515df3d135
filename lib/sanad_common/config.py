"""Configuration for every Sanad service, from defaults, a TOML file and the environment.

Precedence, lowest first: the defaults below, the file named by ``SANAD_CONFIG_FILE`` (TOML,
keys are the field names), then environment variables. Most variables are ``SANAD_`` plus the
field name in capitals; the few that the original system or the provider SDKs already named
keep those names (``OPENAI_API_KEY``, ``MAX_DAILY_REQUESTS``, ``GRACEFUL_DEGRADATION_TTL``...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_FILE_VARIABLE = "SANAD_CONFIG_FILE"


class ConfigurationError(ValueError):
    """Settings that parse but cannot be served, found while a service builds itself."""


def _env(*names: str) -> AliasChoices:
    """Accept a field under its own name (config file) and under the given variable names."""
    return AliasChoices(*names)


class ProviderLimits(BaseModel):
    """Quota limits of one provider; -1 means unlimited, 0 allows nothing."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    daily_requests: int = Field(default=1000, ge=-1)
    """Provider requests allowed per UTC day."""
    daily_tokens: int = Field(default=1_000_000, ge=-1)
    """Provider tokens allowed per UTC day."""
    hourly_requests: int = Field(default=200, ge=-1)
    """Provider requests allowed per UTC hour."""
    hourly_tokens: int = Field(default=200_000, ge=-1)
    """Provider tokens allowed per UTC hour."""
    minute_requests: int = Field(default=-1, ge=-1)
    """Provider requests allowed per UTC minute; unlimited unless set."""
    minute_tokens: int = Field(default=-1, ge=-1)
    """Provider tokens allowed per UTC minute; unlimited unless set."""


class ProviderSettings(BaseModel):
    """One LLM provider the analyzer may call."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    """Name used in quota, health, metrics and responses."""
    kind: str
    """Which adapter speaks to it, one of the analyzer's registered kinds ("openai" also covers
    OpenAI-compatible servers: vLLM, Ollama, Azure OpenAI)."""
    model: str
    """Model name sent to the provider."""
    api_key: SecretStr | None = None
    """API key; without one the analyzer uses the bundled emulator's address if configured."""
    base_url: str | None = None
    """API base URL; None for the SDK's default."""
    api_version: str | None = None
    """Azure OpenAI's ``api-version`` query parameter (kind "openai" only); None sends none."""
    max_output_tokens: int = Field(default=4096, gt=0)
    """Upper bound on completion tokens, also used to estimate a call's quota reservation."""
    limits: ProviderLimits = ProviderLimits()
    """Quota limits for this provider."""


class SanadSources(BaseSettings):
    """Where Sanad's settings come from, for every class that reads them: the services' Settings
    and the sanad CLI's own few (so one environment and one file configure both)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the TOML file, then defaults."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_FILE_VARIABLE)
        if config_file:
            path = Path(config_file)
            if not path.is_file():
                raise FileNotFoundError(f"{CONFIG_FILE_VARIABLE}={config_file}: no such file")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        sources.append(file_secret_settings)
        return tuple(sources)


class Settings(SanadSources):
    """Everything a Sanad service can be told; each service reads the part it needs."""

    model_config = SettingsConfigDict(
        frozen=True,
        use_attribute_docstrings=True,
        env_prefix="SANAD_",
        extra="ignore",
        populate_by_name=True,
    )

    host: str = "localhost"
    """Interface the services listen on ("0.0.0.0" in containers)."""
    analyzer_port: int = Field(default=50051, ge=0, le=65535)
    """Analyzer gRPC port."""
    quota_port: int = Field(default=50052, ge=0, le=65535)
    """Quota gRPC port."""
    health_port: int = Field(default=50053, ge=0, le=65535)
    """Health gRPC port."""
    quota_target: str = "localhost:50052"
    """Where the analyzer finds the quota service."""
    health_target: str = "localhost:50053"
    """Where the analyzer finds the health service."""
    analyzer_target: str = "localhost:50051"
    """Where clients such as the sanad CLI find the analyzer."""
    analyzer_metrics_port: int = Field(default=9451, ge=0, le=65535)
    """Prometheus port of the analyzer; 0 turns the endpoint off."""
    quota_metrics_port: int = Field(default=9452, ge=0, le=65535)
    """Prometheus port of the quota service; 0 turns the endpoint off."""
    health_metrics_port: int = Field(default=9453, ge=0, le=65535)
    """Prometheus port of the health service; 0 turns the endpoint off."""

    store_url: str = "sqlite:///var/sanad.db"
    """Shared store: sqlite:///relative/file.db, sqlite:////absolute/file.db or redis://host:port/db."""
    store_namespace: str = "sanad"
    """Prefix of every key in the store, so deployments can share one Redis."""
    admin_token: SecretStr | None = None
    """Bearer token that admin RPCs require; without one admin RPCs are refused."""
    tls_cert_file: Path | None = None
    """PEM certificate chain this service presents (SANAD_TLS_CERT_FILE): with the key set,
    it serves TLS only, and the analyzer presents it to quota and health as its client
    certificate. Re-read when the file changes."""
    tls_key_file: Path | None = None
    """PEM private key of tls_cert_file (SANAD_TLS_KEY_FILE)."""
    tls_ca_file: Path | None = None
    """PEM CA bundle (SANAD_TLS_CA_FILE) that verifies the clients' certificates on this
    service and the servers' certificates of quota and health for the analyzer, whose channels
    to them are TLS when it is set."""
    tls_client_auth: Literal["none", "optional", "require"] = "none"
    """Client certificates this service asks for (SANAD_TLS_CLIENT_AUTH): require refuses any
    caller without one signed by tls_ca_file; optional and none accept callers without one
    (grpcio's Python servers can require a certificate or not ask for one, so optional does not
    ask: callers then name themselves by tenant key)."""
    tenants_file: Path | None = None
    """TOML file of [[tenants]] (SANAD_TENANTS_FILE): each tenant's id, the SHA-256 of its
    keys and its optional limits. When set, the analyzer's tenant RPCs need the tenant's key
    and quota counts each tenant's limits; unset, any caller names any tenant (a warning at
    start-up)."""
    tenant_metric_labels: int = Field(default=100, ge=0)
    """Tenants (in the file's order) whose usage the metrics show under their own tenant
    label; the others are counted together as "other", so the label stays bounded."""

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("openai_api_key", "OPENAI_API_KEY")
    )
    """OpenAI API key (the SDK's own variable)."""
    openai_base_url: str | None = Field(
        default=None, validation_alias=_env("openai_base_url", "OPENAI_BASE_URL")
    )
    """OpenAI base URL (the SDK's own variable), for the emulator or a compatible server."""
    openai_model: str = "gpt-4o-mini"
    """OpenAI model."""
    gemini_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("gemini_api_key", "GEMINI_API_KEY")
    )
    """Gemini API key."""
    gemini_base_url: str | None = Field(
        default=None, validation_alias=_env("gemini_base_url", "GEMINI_BASE_URL")
    )
    """Gemini base URL, for the emulator."""
    gemini_model: str = "gemini-2.5-flash"
    """Gemini model."""
    providers: tuple[ProviderSettings, ...] = ()
    """Full provider list (config file); when empty, OpenAI then Gemini from the fields above."""

    max_daily_requests: int = Field(
        default=1000, ge=-1, validation_alias=_env("max_daily_requests", "MAX_DAILY_REQUESTS")
    )
    """Default daily request limit per provider."""
    max_daily_tokens: int = Field(
        default=1_000_000, ge=-1, validation_alias=_env("max_daily_tokens", "MAX_DAILY_TOKENS")
    )
    """Default daily token limit per provider."""
    max_hourly_requests: int = Field(
        default=200, ge=-1, validation_alias=_env("max_hourly_requests", "MAX_HOURLY_REQUESTS")
    )
    """Default hourly request limit per provider."""
    max_hourly_tokens: int = Field(
        default=200_000, ge=-1, validation_alias=_env("max_hourly_tokens", "MAX_HOURLY_TOKENS")
    )
    """Default hourly token limit per provider."""
    max_minute_requests: int = Field(default=-1, ge=-1)
    """Default per-minute request limit per provider; -1 (unlimited) turns the limit off."""
    max_minute_tokens: int = Field(default=-1, ge=-1)
    """Default per-minute token limit per provider; -1 (unlimited) turns the limit off."""
    quota_warning_ratio: float = Field(default=0.75, gt=0, le=1)
    """Share of a limit at which usage is reported as a warning."""
    quota_critical_ratio: float = Field(default=0.90, gt=0, le=1)
    """Share of a limit at which usage is reported as critical."""
    quota_reservation_ttl: float = Field(default=180.0, gt=0)
    """Seconds a reservation waits for Commit or Release before it expires: three times the
    analyzer's default deadline, so no call still running can outlive its reservation."""
    quota_sweep_interval: float = Field(default=5.0, gt=0)
    """Seconds between sweeps that give back expired reservations, traffic or not."""

    blacklist_duration: float = Field(default=300.0, gt=0)
    """Seconds a provider stays out after a SERVICE_CRASH."""
    circuit_bucket_seconds: int = Field(default=6, gt=0)
    """Length of one outcome bucket of the circuit's window, in seconds (UTC-aligned)."""
    circuit_window_buckets: int = Field(default=10, gt=0)
    """Buckets in the circuit's window: outcomes older than buckets x bucket length expire."""
    circuit_failure_rate: float = Field(default=0.5, gt=0, le=1)
    """Share of failing calls in the window that opens the circuit."""
    circuit_minimum_calls: int = Field(default=10, gt=0)
    """Calls the window must hold before its failure rate can open the circuit."""
    circuit_consecutive_failures: int = Field(default=5, gt=0)
    """Failures in a row (timeouts, invalid answers, unknown errors) that open the circuit."""
    circuit_half_open_probes: int = Field(default=1, gt=0)
    """Calls a HALF_OPEN circuit lets through; that many successes close it, one failure
    reopens it."""
    circuit_probe_timeout: float = Field(default=60.0, gt=0)
    """Seconds after the last probe was admitted before HALF_OPEN admits probes again (a probe
    whose caller never called or never reported)."""
    circuit_base_ejection: float = Field(default=30.0, gt=0)
    """Seconds a circuit opened by its failure rate or consecutive failures stays open, times the
    number of ejections in a row."""
    circuit_max_ejection: float = Field(default=1800.0, gt=0)
    """Longest ejection, in seconds, however often the provider relapses (before jitter)."""
    circuit_ejection_jitter: float = Field(default=0.1, ge=0, le=1)
    """Random extra share of an ejection (0.1: up to 10 % longer), so replicas and providers do
    not all return at once."""
    circuit_relapse_window: float = Field(default=600.0, ge=0)
    """Seconds after recovery within which a new opening counts as a relapse and ejects longer."""
    provider_retries: int = Field(default=1, ge=0)
    """Further attempts on the same provider after a failure whose class allows one (rate
    limited, invalid answer), each only if it fits in the caller's deadline."""
    retry_backoff: float = Field(default=0.25, gt=0)
    """Base of the exponential backoff between retries, in seconds (full jitter; at least the
    provider's Retry-After)."""
    retry_backoff_max: float = Field(default=4.0, gt=0)
    """Longest backoff between retries, in seconds (before the Retry-After floor)."""
    hedging_enabled: bool = False
    """Hedge every request: when the first provider has not answered after the hedge delay,
    also ask the next one and keep the first valid answer. A request can ask for it alone."""
    hedge_delay: float = Field(default=2.0, gt=0)
    """Seconds before hedging when health knows no recent p95 latency for the first provider."""
    provider_quota_window: int = Field(default=86_400, gt=0)
    """Length of a provider's own quota window (UTC-aligned seconds): a QUOTA_EXCEEDED without
    Retry-After keeps the provider out until this window ends."""

    graceful_degradation_enable: bool = Field(
        default=True,
        validation_alias=_env("graceful_degradation_enable", "GRACEFUL_DEGRADATION_ENABLE"),
    )
    """Serve a stored analysis of the same text when every provider fails."""
    graceful_degradation_ttl: float = Field(
        default=604_800.0,
        gt=0,
        validation_alias=_env("graceful_degradation_ttl", "GRACEFUL_DEGRADATION_TTL"),
    )
    """Seconds a successful analysis stays in the degradation store (7 days)."""
    idempotency_ttl: float = Field(default=86_400.0, gt=0)
    """Seconds an answer stays in the idempotency cache (24 hours)."""
    max_policy_text_chars: int = Field(default=20_000, gt=0)
    """Longest policy text accepted, in characters."""
    max_message_bytes: int = Field(default=1_048_576, gt=1024)
    """Largest gRPC message accepted or sent."""
    default_deadline: float = Field(default=60.0, gt=0)
    """Deadline applied to Analyze when the caller sets none, in seconds."""
    deadline_margin: float = Field(default=0.5, ge=0)
    """Seconds kept back from the caller's deadline to answer from the degradation store."""
    downstream_timeout: float = Field(default=2.0, gt=0)
    """Timeout of one call to the quota or health service, in seconds."""
    downstream_deadline_share: float = Field(default=0.1, gt=0, le=1)
    """Largest share of a request's remaining time one call to quota or health may take."""
    downstream_max_reconnect_backoff: float = Field(default=0.5, gt=0)
    """Longest wait, in seconds, between the analyzer's reconnect attempts to quota or health."""
    quota_safe_fraction: float = Field(default=0.05, ge=0, le=1)
    """Share of a provider's hourly limits one analyzer may spend per safe-budget interval
    while quota cannot be asked (unlimited when the hourly limit is)."""
    quota_safe_requests: int | None = Field(default=None, ge=-1)
    """Safe budget in provider requests per interval and analyzer; 0 fails closed, -1 is
    unlimited, None takes quota_safe_fraction of the hourly request limit."""
    quota_safe_tokens: int | None = Field(default=None, ge=-1)
    """Safe budget in tokens per interval and analyzer; 0 fails closed, -1 is unlimited, None
    takes quota_safe_fraction of the hourly token limit."""
    quota_safe_interval: float = Field(default=3600.0, gt=0)
    """Length in seconds of the safe budget's window (aligned to the Unix epoch, like quota's)."""
    quota_journal_path: str = ""
    """SQLite file journaling local spends; empty for var/analyzer-<port>-spends.db."""
    quota_reconcile_interval: float = Field(default=1.0, gt=0)
    """Seconds between attempts to hand local spends to the quota service."""
    analyzer_id: str = ""
    """This analyzer replica's name in the spends it records; empty for host:port."""
    health_report_queue: int = Field(default=1000, ge=0)
    """Outcome reports kept for the health service while it cannot be reached (oldest dropped)."""
    local_outcome_ttl: float = Field(default=30.0, gt=0)
    """Seconds a provider this analyzer just saw crash stays skipped while health is away."""
    max_concurrent_rpcs: int = Field(default=64, ge=0)
    """RPCs a service runs at once (health checks excepted); more are refused with
    RESOURCE_EXHAUSTED and a RetryInfo. 0 means no limit."""
    max_metadata_bytes: int = Field(default=16_384, gt=1024)
    """Largest request metadata (headers) accepted, in bytes; larger is always refused with
    RESOURCE_EXHAUSTED (gRPC's soft and hard limits are both set to it)."""
    readiness_interval: float = Field(default=1.0, gt=0)
    """Seconds between readiness checks of a ready service (grpc.health.v1 follows them)."""
    shutdown_drain: float = Field(default=1.0, ge=0)
    """Seconds a stopping server keeps serving after it reports NOT_SERVING, so clients that
    watch grpc.health.v1 (round_robin with a healthCheckConfig, meshes) move away before it
    refuses new RPCs (SANAD_SHUTDOWN_DRAIN)."""
    shutdown_grace: float = Field(default=10.0, ge=0)
    """Seconds in-flight RPCs may run on once the server refuses new ones after SIGTERM or
    SIGINT (SANAD_SHUTDOWN_GRACE); whatever still runs after it is cancelled."""
    default_jurisdiction: Literal["SA", "EG", "GENERIC"] = "SA"
    """Rules applied when a request names no jurisdiction (SANAD_DEFAULT_JURISDICTION);
    GENERIC is a baseline for other countries (docs/rules.md)."""
    rules_answer_enable: bool = True
    """Answer from Sanad's rule checker (SOURCE_RULES) when every provider failed and no
    stored analysis matched; off, such a request gets UNAVAILABLE."""
    near_duplicate_threshold: float = Field(default=0.8, gt=0, le=1)
    """Least similarity (0 to 1) at which a stored analysis of another text is served when
    every provider fails; texts whose numbers differ never qualify."""
    degradation_cross_tenant: bool = False
    """Let a degraded answer come from another tenant's stored analysis (off: never)."""
    single_flight_lease: float = Field(default=10.0, gt=0)
    """Seconds a replica's claim on an in-flight request lasts unless renewed; when the
    holder dies, a waiting replica takes over after at most this long."""

    event_loop: Literal["uvloop", "asyncio"] = "uvloop"
    """The services' event loop: uvloop (libuv; about a fifth less CPU per request here) or
    the standard library's."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Least severe log level written."""
    log_format: Literal["json", "console"] = "json"
    """Structured JSON logs, or human-readable lines for a terminal."""

    @model_validator(mode="after")
    def _check_ratios(self) -> Settings:
        if self.quota_warning_ratio > self.quota_critical_ratio:
            raise ValueError("quota_warning_ratio must not exceed quota_critical_ratio")
        if self.quota_reservation_ttl < self.default_deadline:
            raise ValueError("quota_reservation_ttl must be at least default_deadline")
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file must be set together")
        if self.tls_client_auth != "none" and self.tls_cert_file is None:
            raise ValueError("tls_client_auth needs TLS: set tls_cert_file and tls_key_file")
        if self.tls_client_auth == "require" and self.tls_ca_file is None:
            raise ValueError("tls_client_auth = require needs tls_ca_file to verify clients")
        if self.tenants_file is not None and self.degradation_cross_tenant:
            raise ValueError(
                "degradation_cross_tenant would serve one tenant's analyses to another: "
                "it cannot be on with tenants_file"
            )
        return self

    def provider_list(self) -> tuple[ProviderSettings, ...]:
        """The configured providers, in preference order."""
        if self.providers:
            return self.providers
        limits = ProviderLimits(
            daily_requests=self.max_daily_requests,
            daily_tokens=self.max_daily_tokens,
            hourly_requests=self.max_hourly_requests,
            hourly_tokens=self.max_hourly_tokens,
            minute_requests=self.max_minute_requests,
            minute_tokens=self.max_minute_tokens,
        )
        return (
            ProviderSettings(
                name="openai",
                kind="openai",
                model=self.openai_model,
                api_key=self.openai_api_key,
                base_url=self.openai_base_url,
                limits=limits,
            ),
            ProviderSettings(
                name="gemini",
                kind="gemini",
                model=self.gemini_model,
                api_key=self.gemini_api_key,
                base_url=self.gemini_base_url,
                limits=limits,
            ),
        )

    def provider_names(self) -> tuple[str, ...]:
        """Names of the configured providers, in preference order."""
        return tuple(provider.name for provider in self.provider_list())


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; keyword arguments win over every other source (used by tests)."""
    return Settings(**overrides)
