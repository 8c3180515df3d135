"""Starts the whole suite as real processes: for ``make run``, the integration tests and the
benchmark, so all three use the services exactly as they are deployed."""
