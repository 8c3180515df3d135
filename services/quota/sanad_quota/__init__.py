"""The quota service (sanad.quota.v1): requests and tokens per provider and window.

May import ``sanad_common`` and the generated API (``sanad``); never another service.
"""
