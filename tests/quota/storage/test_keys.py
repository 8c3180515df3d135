"""The quota key layout is what stores already hold: a renamed key would orphan their data."""

from __future__ import annotations

from sanad_quota.storage.keys import (
    counter_key,
    crossing_log_key,
    crossing_seq_key,
    idempotency_claim_key,
    pending_key,
    record_key,
    reset_marker_key,
    spend_claim_key,
    tenant_of,
    tenant_scope,
    warned_key,
)
from sanad_quota.storage.port import Tally

TALLY = Tally("hour", 1735689600, "tokens")


def test_every_key_keeps_its_stored_name() -> None:
    assert [
        counter_key("openai", TALLY),
        warned_key("openai", TALLY),
        reset_marker_key("openai", TALLY),
        record_key("openai", "t1"),
        pending_key("openai"),
        idempotency_claim_key("openai", "k1"),
        spend_claim_key("openai", "s1"),
        crossing_seq_key("openai"),
        crossing_log_key("openai"),
    ] == [
        "quota:{openai}:hour:1735689600:tokens",
        "quota:{openai}:hour:1735689600:tokens:warned",
        "quota:{openai}:reset:hour:1735689600",
        "quota:{openai}:res:t1",
        "quota:{openai}:pending",
        "quota:{openai}:idem:k1",
        "quota:{openai}:spend:s1",
        "quota:{openai}:crossing-seq",
        "quota:{openai}:crossings",
    ]


def test_a_tenant_has_its_own_scope_beside_the_providers() -> None:
    scope = tenant_scope("shop-a.eg")

    assert counter_key(scope, TALLY) == "quota:{tenant:shop-a.eg}:hour:1735689600:tokens"
    assert (tenant_of(scope), tenant_of("openai")) == ("shop-a.eg", None)
