"""Peers beside Sanad: the LiteLLM proxy and the Portkey gateway on the same fake provider.

Each gateway (Sanad, LiteLLM, Portkey) runs in a loopback-only network namespace of its own,
together with two provider emulators (a primary and a fallback, both OpenAI-compatible) and
the load generator, so nothing it does can reach anything else. Every namespace measures the
direct call to the same emulator beside its gateway, so each gateway's added latency is
against a direct call measured in the same namespace, in the same run. The peers are
installed, pinned, under var/bench/peers/, never in the project's environment.

``python -m bench.peers`` runs everything and writes its section of docs/benchmarks.md and
a JSON file; ``--quick`` sends a few requests only.
"""
