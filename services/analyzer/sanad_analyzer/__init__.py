"""The analyzer service (sanad.analyzer.v1): the Analyze request path and what it remembers.

Its parts stand in layers; a part imports only parts of lower layers (``tests/analyzer/
test_layers.py`` holds the code to this list, bottom first):

0. ``policy``, ``jurisdiction``, ``deadline``, ``text``: value types and text handling.
1. ``ports`` (quota and health as the request path sees them), ``rules`` (the rulebook and
   its checker: rules and findings, no responses).
2. ``analysis`` (the answer's schema and wire form), ``prompt`` (the provider prompt).
3. ``providers`` (one adapter per SDK), ``request`` (validation into an AnalysisRequest).
4. ``memory`` (idempotency, degradation, near duplicates, single flight, cache statistics),
   ``attempt_log``, ``instrumentation``, ``retry``, ``settlements``.
5. ``downstream`` (the quota and health gateways), ``answers`` (every AnalyzeResponse),
   ``attempt`` (one provider's turn).
6. ``hedging``.
7. ``pipeline`` (the request path), ``system_health``.
8. ``servicer`` (the gRPC face).
9. ``app`` (builds the process from the settings).
10. ``__main__``.
"""
