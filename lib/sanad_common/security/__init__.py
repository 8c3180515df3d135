"""Transport security and callers: TLS material from files that may be replaced at any time
(``tls``: listeners' credentials with gRPC's certificate fetcher, channels' credentials), a
TLS channel that follows its files (``channel``), and what a call presents about its caller
(``caller``: the bearer token, the verified client certificate).

May import the standard library, grpc, cryptography and ``sanad_common.config``.
"""
