"""How the bundled provider emulator's answers are recognised: by the model name the local
launcher gives its providers, so no one mistakes the emulator's filler for an analysis."""

from __future__ import annotations

from typing import Final

EMULATED_MODEL_PREFIX: Final = "sanad-emulator-"
"""Model names the launcher configures when it starts the emulator begin with this."""


def emulated_model(model: str) -> str:
    """The model name to configure for ``model`` served by the emulator."""
    return EMULATED_MODEL_PREFIX + model


def is_emulated_model(model: str) -> bool:
    """True for a model name of the bundled emulator."""
    return model.startswith(EMULATED_MODEL_PREFIX)
