"""``python -m sanad_emulator``: serve the emulated providers until SIGTERM or SIGINT.

Prints exactly one line to stdout when ready, ``sanad-emulator listening on
http://HOST:PORT``, so a parent process started with ``--port 0`` learns the port.
Everything else goes to the ``logging`` module on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from aiohttp import web

from sanad_emulator.server import create_app

log = logging.getLogger("sanad_emulator")

# Hung requests are released at shutdown; this only bounds a handler that still lingers.
_SHUTDOWN_TIMEOUT_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="sanad-emulator",
        description="Emulate the OpenAI and Gemini HTTP APIs, with injectable faults.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=8090,
        help="port to bind, 0 for a free one (default %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging level (default %(default)s)",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    asyncio.run(_serve(args.host, args.port))


async def _serve(host: str, port: int) -> None:
    runner = web.AppRunner(create_app(), shutdown_timeout=_SHUTDOWN_TIMEOUT_S)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_port = runner.addresses[0][1]
        shown_host = f"[{host}]" if ":" in host else host
        sys.stdout.write(f"sanad-emulator listening on http://{shown_host}:{bound_port}\n")
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("shutting down")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    main()
