"""Near-duplicate lookup latency with many stored analyses, and the index's memory per entry.

For each store (Redis, SQLite) the index of one policy type and tenant is bulk-loaded with
``--entries`` documents through the index's ``add_many`` (a thousand per call), then
``--lookups`` lookups are timed through ``find``: half are near-duplicates of stored texts
(shop renamed, a sentence added), half texts never stored. Memory per entry is Redis's
``used_memory`` growth, or the SQLite files' growth (with the write-ahead log), divided by
the entries.

Synthetic texts: each is six sentences drawn from a pool of 3,000 (so texts overlap in part,
as real policies do), a shop name and two numbers. Fingerprinting costs about a millisecond
of CPU per text, so to stay within minutes only ``--real`` texts are fingerprinted; the other
documents reuse those fingerprints (same stored size) under random band values, which is how
distinct texts spread over the bands. Lookups target the real texts. Writes its own section
of the report file (from its heading to the next), leaving the other sections as they are.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from bench.report import write_section
from sanad_analyzer.memory.near_duplicates import IndexedText, NearDuplicateIndex
from sanad_analyzer.policy import PolicyType
from sanad_common.storage import Store, open_store
from sanad_launcher.redis_server import RedisServer

SECTION = "## Near-duplicate lookup"
POLICY = PolicyType.RETURN_EXCHANGE
TENANT = "bench"
_WORDS = tuple(
    [
        "return",
        "refund",
        "exchange",
        "item",
        "product",
        "order",
        "customer",
        "days",
        "within",
        "receipt",
        "delivery",
        "store",
        "credit",
        "original",
        "packaging",
        "unused",
        "condition",
        "shipping",
        "fee",
        "charge",
        "policy",
        "request",
        "contact",
        "support",
        "approve",
        "inspect",
        "damaged",
        "defective",
        "wrong",
        "size",
        "colour",
        "invoice",
        "payment",
        "method",
        "bank",
        "transfer",
        "card",
        "wallet",
        "warranty",
        "period",
        "sale",
        "final",
        "clearance",
        "gift",
        "voucher",
        "courier",
        "pickup",
        "إرجاع",
        "استبدال",
        "المنتج",
        "العميل",
        "خلال",
        "الاستلام",
        "الفاتورة",
        "الشحن",
        "رسوم",
        "المبلغ",
        "حالة",
        "الأصلية",
    ]
)
BATCH = 1000


@dataclass(frozen=True)
class Figures:
    """One store's results."""

    store: str
    entries: int
    load_seconds: float
    found_p50_ms: float
    found_p99_ms: float
    unseen_p50_ms: float
    unseen_p99_ms: float
    recall: float
    bytes_per_entry: float


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "."
        for _ in range(3000)
    ]
    return [
        f"{rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS)} shop policy. "
        + " ".join(rng.sample(pool, 6))
        + f" Returns within {rng.randint(1, 60)} days; fee {rng.randint(1, 30)}%."
        for _ in range(count)
    ]


def _percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


async def _used_bytes(store_name: str, url: str, path: Path | None) -> int:
    if store_name == "redis":
        client = Redis.from_url(url)
        try:
            info = await client.info("memory")
            return int(info["used_memory"])
        finally:
            await client.aclose()
    assert path is not None
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _documents(entries: int, real: int) -> tuple[list[str], list[IndexedText]]:
    """The real texts, and every document to load (real ones first)."""
    texts = _texts(real, seed=7)
    documents = [IndexedText.of(f"h{number}", text) for number, text in enumerate(texts)]
    rng = random.Random(5)
    for number in range(real, entries):
        model = documents[number % real]
        band_keys = tuple(
            f"{band.split(':')[0]}:{rng.getrandbits(64):016x}" for band in model.bands
        )
        documents.append(IndexedText(f"h{number}", model.fingerprint, band_keys))
    return texts, documents


async def bench_store(
    store_name: str,
    url: str,
    path: Path | None,
    loaded: tuple[list[str], list[IndexedText]],
    lookups: int,
) -> Figures:
    """Load the index, then time lookups."""
    texts, documents = loaded
    store: Store = await open_store(url, namespace="bench")
    try:
        index = NearDuplicateIndex(store, ttl=3600, threshold=0.8, cross_tenant=False)
        before = await _used_bytes(store_name, url, path)
        started = time.perf_counter()
        for first in range(0, len(documents), BATCH):
            await index.add_many(POLICY, TENANT, documents[first : first + BATCH])
        load_seconds = time.perf_counter() - started
        after = await _used_bytes(store_name, url, path)
        rng = random.Random(11)
        found_times: list[float] = []
        unseen_times: list[float] = []
        hits = 0
        unseen = _texts(lookups, seed=13)
        for number in range(lookups):
            if number % 2 == 0:
                target = rng.randrange(len(texts))
                text = "Renamed " + texts[target] + " Please keep the receipt."
                began = time.perf_counter()
                match = await index.find(POLICY, TENANT, text)
                found_times.append(time.perf_counter() - began)
                hits += match is not None and match.text_hash == f"h{target}"
            else:
                began = time.perf_counter()
                await index.find(POLICY, TENANT, unseen[number])
                unseen_times.append(time.perf_counter() - began)
        return Figures(
            store=store_name,
            entries=len(documents),
            load_seconds=load_seconds,
            found_p50_ms=_percentile(found_times, 0.5),
            found_p99_ms=_percentile(found_times, 0.99),
            unseen_p50_ms=_percentile(unseen_times, 0.5),
            unseen_p99_ms=_percentile(unseen_times, 0.99),
            recall=hits / max(len(found_times), 1),
            bytes_per_entry=(after - before) / len(documents),
        )
    finally:
        await store.aclose()


def render(figures: list[Figures], command: str, lookups: int, real: int, load: float) -> str:
    """The report's section."""
    lines = [
        SECTION,
        "",
        f"Command: `{command}` (module `bench.near_duplicate_lookup`). One policy type and "
        f"tenant holding the given number of analyses, bulk-loaded with `add_many`; {real:,} "
        "of them are real fingerprints of synthetic policies, the others reuse those "
        "fingerprints under random band values (see the module docstring). "
        f"{lookups} lookups through `find`, half near-duplicates of the real texts (shop "
        "renamed, sentence added), half texts never stored; each includes fingerprinting "
        "the text asked about. Memory is the index only (document entries and band sets), "
        "not the stored analyses. 'found' is the share of near-duplicate lookups that "
        f"returned their stored text. Load average at the end of the run: {load:.1f} (the "
        "machine's two cores are shared).",
        "",
        "| store | entries | load (s) | near-duplicate p50 / p99 (ms) | unseen p50 / p99 (ms) "
        "| found | bytes per entry |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.store} | {f.entries:,} | {f.load_seconds:.1f} | {f.found_p50_ms:.2f} / "
        f"{f.found_p99_ms:.2f} | {f.unseen_p50_ms:.2f} / {f.unseen_p99_ms:.2f} | "
        f"{f.recall:.3f} | {f.bytes_per_entry:,.0f} |"
        for f in figures
    ]
    return "\n".join(lines) + "\n"


async def main_async(args: argparse.Namespace) -> list[Figures]:
    """Every store asked for, one after another."""
    figures: list[Figures] = []
    loaded = _documents(args.entries, min(args.real, args.entries))
    with tempfile.TemporaryDirectory(prefix="sanad-bench-") as tmp:
        for store_name in args.stores:
            if store_name == "sqlite":
                path = Path(tmp) / "index.db"
                figures.append(
                    await bench_store(store_name, f"sqlite:///{path}", path, loaded, args.lookups)
                )
            else:
                with RedisServer() as server:
                    figures.append(
                        await bench_store(store_name, server.url, None, loaded, args.lookups)
                    )
    return figures


def main() -> None:
    """Parse arguments, run, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--real", type=int, default=3000, help="texts really fingerprinted")
    parser.add_argument(
        "--stores", nargs="+", choices=("redis", "sqlite"), default=["redis", "sqlite"]
    )
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    figures = asyncio.run(main_async(args))
    section = render(
        figures, "make bench", args.lookups, min(args.real, args.entries), os.getloadavg()[0]
    )
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
