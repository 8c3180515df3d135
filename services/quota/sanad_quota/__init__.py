"""The quota service (sanad.quota.v1): requests and tokens per provider and window."""
