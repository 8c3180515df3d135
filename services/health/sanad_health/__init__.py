"""The provider health service (sanad.health.v1): outcomes, circuits, primary order.

May import ``sanad_common`` and the generated API (``sanad``); never another service.
"""
