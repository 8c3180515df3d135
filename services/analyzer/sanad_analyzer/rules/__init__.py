"""Sanad's rulebook and its deterministic checker: rules and findings, never responses.

Holds the sourced rules per jurisdiction and policy type (``data/*.toml``, validated by
``rulebook``), the checker (``checker`` with ``periods`` and ``clauses`` on the matching form
of ``normalised``), the score, the rule-based analysis (``review``) and the evaluation.

May import: ``policy``, ``jurisdiction``, ``text`` and the standard library; nothing of the
analyzer above it (the responses that carry findings are built in ``answers``).
"""
