"""``sanad``: the operator's command line for a running Sanad suite (health, providers, quota,
caches, admin actions, single and batch analyses).

Holds the typer app (``app``), its few settings (``settings``), the run's one channel per
service (``connection``), one-line errors and exit codes (``errors``), request parsing
(``requests``), tables (``render``) and the resumable batch (``batch``).

It reaches the services only through their public gRPC API, so of Sanad's own code it may
import the client distribution (the generated API ``sanad`` and its helpers ``sanad_client``)
and ``sanad_common.config`` (where settings come from); never a service's package, so it runs
against any deployment of the suite.
"""
