"""Sanad's rulebook and its deterministic checker: rules and findings, never responses.

Holds the sourced rules per jurisdiction and policy type (``data/*.toml``, validated by
``rulebook``), the checker (``checker``: a policy, the terms it no longer applies set aside
(``superseded``), read as a ``document`` of sections, items,
sentences and clauses, its ``periods`` bound to them, the return rules in ``returns`` and the
shipping and privacy clauses in ``clauses``, all on the words of ``vocabulary`` and the
matching form of ``normalised``), the jurisdiction a text's signals name
(``jurisdiction_signals``), the score, the rule-based analysis (``review``) and the
evaluation.

May import: ``policy``, ``jurisdiction``, ``text`` and the standard library; nothing of the
analyzer above it (the responses that carry findings are built in ``answers``).
"""
