"""``make chaos``: the real processes under steady load while their own dependencies fail.

toxiproxy sits between the analyzers and quota, health, Redis and each provider; the suite
kills and restarts processes, injects toxics and provider faults, and records what every
request got. The figures go to ``docs/chaos.md`` with a latency-over-time plot per scenario.
"""
