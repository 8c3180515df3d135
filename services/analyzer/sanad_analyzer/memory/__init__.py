"""What the analyzer remembers of past answers, all of it in the shared Store.

Holds the idempotency cache (the same request answered again, and answers by id), the
degradation store with its near-duplicate index (a stored analysis of the same or a similar
text, for when every provider fails), single flight (identical requests share one provider
call, across replicas through a lease), and the cache statistics.

May import: ``policy``, ``deadline``, ``text``, the generated analyzer messages and
``sanad_common`` (the storage port, errors). Nothing above it: it knows stored answers, not
how an answer is made.
"""
