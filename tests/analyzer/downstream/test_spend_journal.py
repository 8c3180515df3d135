"""The spend journal: budget checks, settlement, and what a restart remembers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanad_analyzer.downstream.spend_journal import BudgetLimit, Spend, SpendJournal, WindowUse

WINDOW = 3600.0
LIMIT = BudgetLimit(requests=2, tokens=1000)


def spend(spend_id: str, tokens: int = 100, provider: str = "openai") -> Spend:
    return Spend(spend_id, provider, 1, tokens, WINDOW + 5)


async def test_spends_are_refused_past_the_request_budget(tmp_path: Path) -> None:
    journal = await SpendJournal.open(tmp_path / "spends.db")
    try:
        first = await journal.try_spend(spend("a"), WINDOW, LIMIT)
        second = await journal.try_spend(spend("b"), WINDOW, LIMIT)
        third = await journal.try_spend(spend("c"), WINDOW, LIMIT)
        other_provider = await journal.try_spend(spend("d", provider="gemini"), WINDOW, LIMIT)
        next_window = await journal.try_spend(spend("e"), 2 * WINDOW, LIMIT)
    finally:
        await journal.aclose()

    assert (first, second, third) == (WindowUse(1, 100), WindowUse(2, 200), None)
    assert other_provider == WindowUse(1, 100)
    assert next_window == WindowUse(1, 100)


async def test_spends_are_refused_past_the_token_budget(tmp_path: Path) -> None:
    journal = await SpendJournal.open(tmp_path / "spends.db")
    try:
        fits = await journal.try_spend(spend("a", 900), WINDOW, LIMIT)
        too_many = await journal.try_spend(spend("b", 200), WINDOW, LIMIT)
    finally:
        await journal.aclose()

    assert fits == WindowUse(1, 900)
    assert too_many is None


async def test_unlimited_budget_takes_everything(tmp_path: Path) -> None:
    journal = await SpendJournal.open(tmp_path / "spends.db")
    try:
        uses = [
            await journal.try_spend(spend(str(n), 10**6), WINDOW, BudgetLimit(-1, -1))
            for n in range(5)
        ]
    finally:
        await journal.aclose()

    assert uses[-1] == WindowUse(5, 5 * 10**6)


async def test_only_settled_spends_are_reported_and_a_cancelled_one_is_forgotten(
    tmp_path: Path,
) -> None:
    journal = await SpendJournal.open(tmp_path / "spends.db")
    try:
        for spend_id in ("settled", "open", "cancelled"):
            await journal.try_spend(spend(spend_id), WINDOW, BudgetLimit(-1, -1))
        await journal.settle("settled", 42)
        await journal.cancel("cancelled")
        pending = await journal.unreported(10)
        await journal.mark_reported(["settled"], prune_before=0.0)
        after = await journal.unreported(10)
        used = await journal.used("openai", WINDOW)
    finally:
        await journal.aclose()

    assert [(s.spend_id, s.tokens) for s in pending] == [("settled", 42)]
    assert after == []
    assert used == WindowUse(2, 142)


async def test_a_restart_remembers_the_budget_and_settles_open_spends_at_their_estimate(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spends.db"
    journal = await SpendJournal.open(path)
    await journal.try_spend(spend("before-crash", 300), WINDOW, LIMIT)
    await journal.aclose()

    reopened = await SpendJournal.open(path)
    try:
        used = await reopened.used("openai", WINDOW)
        pending = await reopened.unreported(10)
        await reopened.try_spend(spend("after"), WINDOW, LIMIT)
        refused = await reopened.try_spend(spend("over"), WINDOW, LIMIT)
    finally:
        await reopened.aclose()

    assert used == WindowUse(1, 300)
    assert [(s.spend_id, s.tokens) for s in pending] == [("before-crash", 300)]
    assert refused is None


@pytest.mark.parametrize(("limit", "closed"), [((0, 5), True), ((5, 0), True), ((-1, 5), False)])
def test_a_zero_budget_is_closed(limit: tuple[int, int], closed: bool) -> None:
    assert BudgetLimit(*limit).closed is closed
