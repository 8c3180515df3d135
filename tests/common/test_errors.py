"""A ServiceError's status: the rich details in their trailer, and a negative retry pushback
when the error says when to come back, so gRPC's own retry policy leaves it to the caller."""

from __future__ import annotations

import grpc

from sanad_common.errors import (
    NO_RETRY_PUSHBACK,
    RETRY_PUSHBACK_KEY,
    STATUS_DETAILS_KEY,
    ServiceError,
    error_info,
    retry_info,
)


def trailers(error: ServiceError) -> dict[str, str | bytes]:
    return dict(error.to_status().trailing_metadata)


def test_an_error_with_retry_info_asks_for_no_automatic_retry() -> None:
    error = ServiceError(
        grpc.StatusCode.UNAVAILABLE, "no provider", [error_info("X"), retry_info(30)]
    )
    assert trailers(error)[RETRY_PUSHBACK_KEY] == NO_RETRY_PUSHBACK
    assert STATUS_DETAILS_KEY in trailers(error)
    assert error.to_status().code is grpc.StatusCode.UNAVAILABLE


def test_an_error_without_retry_info_leaves_retries_to_the_policy() -> None:
    error = ServiceError(grpc.StatusCode.UNAVAILABLE, "store down", [error_info("X")])
    assert RETRY_PUSHBACK_KEY not in trailers(error)
