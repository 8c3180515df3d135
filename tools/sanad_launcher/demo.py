"""``make demo``: the four scenarios of the original guide, on the real processes.

Starts its own suite (emulator, quota, health, analyzer) on free ports and a throwaway SQLite
store, then walks: normal operation, primary quota exceeded, both providers failing, primary
crash, telling the emulator when to fail. Everything goes through the public gRPC API.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import tempfile
from pathlib import Path

import grpc

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_emulator.control import EmulatorControl
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts, emulator_providers

RETURN_POLICY = (
    "Returns are accepted within 3 days of delivery if the product is unopened. Refunds are "
    "issued as store credit only."
)
ARABIC_POLICY = "يمكن إرجاع المنتجات خلال ثلاثة أيام من الاستلام بشرط عدم فتحها."
OPENAI_DAILY_REQUESTS = 2
ADMIN_TOKEN = secrets.token_urlsafe(16)
"""A one-off admin token, so the demo can reset quota and health between scenarios."""
ADMIN = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


def say(text: str = "") -> None:
    """One line of the demo's narrative."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def describe(response: analyzer_pb2.AnalyzeResponse) -> str:
    """Where an answer came from, and the attempts it took."""
    attempts = ", ".join(
        f"{attempt.provider} "
        + (
            "OK"
            if attempt.success
            else error_class_pb2.ErrorClass.Name(attempt.error_class).removeprefix("ERROR_CLASS_")
        )
        for attempt in response.attempts
    )
    source = analyzer_pb2.Source.Name(response.source).removeprefix("SOURCE_")
    text = f"{source} from {response.provider or '-'}; attempts: [{attempts}]"
    if response.note.en:
        text += f"\n      note: {response.note.ar} / {response.note.en}"
    return text


def request(text: str, shop: str = "Demo Shop") -> analyzer_pb2.AnalyzeRequest:
    """A return-policy request."""
    return analyzer_pb2.AnalyzeRequest(
        shop_name=shop, policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE, policy_text=text
    )


async def walk(suite: LocalSuite) -> None:
    """The four scenarios, each from a clean state (faults, quota, health reset by admin RPCs)."""
    async with (
        grpc.aio.insecure_channel(suite.analyzer_target) as channel,
        grpc.aio.insecure_channel(f"{suite.host}:{suite.ports.quota}") as quota_channel,
        grpc.aio.insecure_channel(f"{suite.host}:{suite.ports.health}") as health_channel,
        EmulatorControl(suite.emulator_url) as emulator,
    ):
        analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        quota = quota_pb2_grpc.QuotaServiceStub(quota_channel)
        health = health_pb2_grpc.ProviderHealthServiceStub(health_channel)

        async def analyze(text: str, shop: str = "Demo Shop") -> None:
            try:
                say("   -> " + describe(await analyzer.Analyze(request(text, shop), timeout=30)))
            except grpc.aio.AioRpcError as error:
                say(f"   -> {error.code().name}: {error.details()}")

        async def counts() -> str:
            stats = await emulator.stats()
            return ", ".join(f"{name} {value.requests}" for name, value in stats.items())

        async def clean_state() -> None:
            await emulator.reset()
            for provider in ("openai", "gemini"):
                await quota.ResetQuota(
                    quota_pb2.ResetQuotaRequest(provider=provider), metadata=ADMIN
                )
                await health.ResetProvider(
                    health_pb2.ResetProviderRequest(provider=provider), metadata=ADMIN
                )

        say("1. Normal operation: a new policy, then the same request again")
        await analyze(RETURN_POLICY)
        await analyze(RETURN_POLICY)
        say(f"   provider requests: {await counts()}")

        await clean_state()
        say(f"\n2. Primary quota exceeded (openai allows {OPENAI_DAILY_REQUESTS} requests a day)")
        for index in range(OPENAI_DAILY_REQUESTS):
            await analyze(f"{RETURN_POLICY} Variant {index}.")
        await analyze(ARABIC_POLICY)

        await clean_state()
        say("\n3. Both providers failing: openai answers 503, gemini 500")
        await emulator.inject("openai", "server_error", status=503)
        await emulator.inject("gemini", "server_error", status=500)
        say("   a policy analysed before (scenario 2), asked for by another shop:")
        await analyze(ARABIC_POLICY, shop="Another Shop")
        say("   a policy never seen before:")
        await analyze("A policy nobody has analysed yet.")

        await clean_state()
        say("\n4. Primary crash: one 503 from openai blacklists it; later requests go")
        say("   straight to gemini")
        await emulator.inject("openai", "server_error", status=503, count=1)
        await analyze("Shipping fees are refunded when an item arrives damaged.")
        await analyze("Delivery takes 3 to 5 working days inside the city.")
        await analyze("Orders can be cancelled until they are shipped.")
        say(f"   provider requests: {await counts()}")


def main() -> None:
    """Run the demo on its own suite and stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="sanad-demo-") as tmp:
        workdir = Path(tmp)
        ports = SuitePorts.free()
        emulator_url = f"http://127.0.0.1:{ports.emulator}"
        suite = LocalSuite(
            store_url=f"sqlite:///{workdir}/demo.db",
            ports=ports,
            log_dir=workdir / "logs",
            with_emulator=True,
            env={
                "SANAD_PROVIDERS": emulator_providers(
                    emulator_url, {"daily_requests": OPENAI_DAILY_REQUESTS}
                ),
                "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
                **NO_METRICS_PORTS,
            },
        )
        say("Starting the suite (emulator, quota, health, analyzer)...\n")
        with suite:
            asyncio.run(walk(suite))


if __name__ == "__main__":
    main()
