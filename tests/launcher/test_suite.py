"""Answers served by the bundled emulator are named as the emulator's, never as a real model."""

from __future__ import annotations

import json

import pytest

from sanad_common.emulator import is_emulated_model
from sanad_launcher.suite import LocalSuite, emulator_providers


def test_with_the_emulator_the_models_are_named_as_emulated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    env = LocalSuite(store_url="sqlite:///x.db").service_env()
    assert is_emulated_model(env["SANAD_OPENAI_MODEL"])
    assert is_emulated_model(env["SANAD_GEMINI_MODEL"])


def test_with_a_real_key_the_models_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real")
    monkeypatch.delenv("SANAD_OPENAI_MODEL", raising=False)
    env = LocalSuite(store_url="sqlite:///x.db").service_env()
    assert "SANAD_OPENAI_MODEL" not in env


def test_the_emulator_provider_list_names_emulated_models() -> None:
    providers = json.loads(emulator_providers("http://127.0.0.1:1"))
    assert all(is_emulated_model(provider["model"]) for provider in providers)
