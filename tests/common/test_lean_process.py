"""release_free_heap gives freed C heap back to the system, where glibc leaves it resident."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from sanad_common.lean_process import release_free_heap

CHUNK_BYTES = 100 * 1024
"""Below glibc's mmap threshold, so each chunk comes from the heap, not its own mapping."""
CHUNKS = 640
"""64 MiB in all: far above what the rest of the test process moves meanwhile."""


def _rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_below_a_live_chunk_leaves_the_resident_memory() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    chunks = [libc.malloc(CHUNK_BYTES) for _ in range(CHUNKS)]
    for chunk in chunks:
        ctypes.memset(chunk, 1, CHUNK_BYTES)  # resident only once written
    pinned = libc.malloc(CHUNK_BYTES)  # above the others: the heap's top cannot shrink past it
    try:
        for chunk in chunks:
            libc.free(chunk)
        freed_but_resident = _rss_mib()
        assert release_free_heap()
        assert _rss_mib() < freed_but_resident - 32
    finally:
        libc.free(pinned)
