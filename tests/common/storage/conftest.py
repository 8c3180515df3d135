"""Generic store tests run on every backend (see ``tests.support.backends``)."""

from __future__ import annotations

import pytest

from sanad_common.storage import Store
from tests.support.backends import Backend, backend, backend_url

__all__ = ["backend", "backend_url"]  # fixtures pytest finds here


@pytest.fixture
async def store(backend: Backend) -> Store:
    """A store in a fresh namespace on this test's backend."""
    return await backend.open()
