"""Text handling shared by the caches and the rules: normalisation, numbers with their units,
and the MinHash fingerprint of the near-duplicate index.

May import: the standard library; nothing else of the analyzer.
"""
