"""``sanad``: the operator's command line for a running Sanad suite (health, providers, quota,
caches, admin actions, single and batch analyses)."""
