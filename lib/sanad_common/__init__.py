"""What every Sanad service shares: configuration, the generic store, server start-up (with its
interceptors and errors), telemetry, and the few rules services must apply alike (clock, time
windows, provider checks, error classes).

May import the standard library, third-party libraries and the generated API (``sanad``);
never a service (``sanad_analyzer``, ``sanad_quota``, ``sanad_health``) nor a tool.
"""
