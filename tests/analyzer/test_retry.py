"""Which failures are retried on the same provider, and how long the wait is."""

from __future__ import annotations

import pytest

from sanad_analyzer.retry import RetryPolicy
from sanad_common.error_class import ErrorClass

POLICY = RetryPolicy(retries=2, backoff=0.5, backoff_max=1.5)


@pytest.mark.parametrize("error_class", list(ErrorClass))
def test_only_rate_limits_and_invalid_answers_are_retried(error_class: ErrorClass) -> None:
    retried = error_class in {ErrorClass.RATE_LIMITED, ErrorClass.INVALID_RESPONSE}
    assert POLICY.allows(error_class, 0) is retried
    assert not POLICY.allows(error_class, 2)


def test_the_backoff_doubles_up_to_its_cap_with_full_jitter() -> None:
    assert [POLICY.wait(n, None, jitter=1.0) for n in range(4)] == [0.5, 1.0, 1.5, 1.5]
    assert POLICY.wait(1, None, jitter=0.5) == 0.5
    assert POLICY.wait(0, None, jitter=0.0) == 0.0


def test_a_retry_after_is_the_floor_of_the_wait() -> None:
    assert POLICY.wait(0, 3.0, jitter=1.0) == 3.0
    assert POLICY.wait(3, 0.2, jitter=1.0) == 1.5
