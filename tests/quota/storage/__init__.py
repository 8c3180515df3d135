"""Tests of quota's storage (``sanad_quota.storage``): its contract on every backend, its keys."""
