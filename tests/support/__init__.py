"""What test packages share: services run in process or as processes, store backends and
fixtures, Redis clusters, waiting helpers. May import any Sanad package; no test module."""
