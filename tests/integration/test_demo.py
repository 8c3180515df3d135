"""`make demo` runs from start to end and shows the four scenarios' outcomes."""

from __future__ import annotations

import asyncio
import sys

import pytest

pytestmark = pytest.mark.integration


async def test_demo_walks_the_four_scenarios() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sanad_launcher.demo",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    text = out.decode()

    assert process.returncode == 0, err.decode()[-2000:]
    assert "-> IDEMPOTENCY_CACHE from openai; attempts: []" in text
    assert "-> FRESH from gemini; attempts: [openai QUOTA_EXCEEDED, gemini OK]" in text
    assert "attempts: [openai SERVICE_CRASH, gemini SERVICE_CRASH]" in text
    assert "تم استرجاع تحليل مشابه من الذاكرة المؤقتة" in text
    assert "-> UNAVAILABLE: no provider could answer" in text
    assert "provider requests: openai 1, gemini 3" in text
