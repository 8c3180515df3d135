"""Sanad's Python client: helpers beside the generated API in the ``sanad`` package.

Channels with TLS, a tenant key and a default service config; the rich details of a failed
call as a plain value; and retries that wait as long as the server asked.
"""

from sanad_client.channels import (
    DEFAULT_SERVICE_CONFIG,
    SANAD_SERVICES,
    Tls,
    channel_options,
    open_aio_channel,
    open_channel,
    service_config,
)
from sanad_client.errors import (
    SANAD_DOMAIN,
    FieldViolation,
    QuotaViolation,
    RichError,
    decode_error,
)
from sanad_client.retry import call_with_retry_info, call_with_retry_info_async, is_overloaded

__all__ = [
    "DEFAULT_SERVICE_CONFIG",
    "SANAD_DOMAIN",
    "SANAD_SERVICES",
    "FieldViolation",
    "QuotaViolation",
    "RichError",
    "Tls",
    "call_with_retry_info",
    "call_with_retry_info_async",
    "channel_options",
    "decode_error",
    "is_overloaded",
    "open_aio_channel",
    "open_channel",
    "service_config",
]
