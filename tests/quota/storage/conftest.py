"""The quota store contract runs on every backend (see ``tests.support.backends``)."""

from __future__ import annotations

from tests.support.backends import backend, backend_url

__all__ = ["backend", "backend_url"]  # fixtures pytest finds here
