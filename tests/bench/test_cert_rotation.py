"""The rotation scenario, briefly: no call fails and every process takes the new files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cert_rotation import run

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def test_replacing_every_certificate_under_load_fails_no_call(tmp_path: Path) -> None:
    result = await run(seconds=6.0, concurrency=4, workdir=tmp_path)

    assert result.tally.answered["before"] and result.tally.answered["after"]
    assert result.tally.channels["after"] > 0
    assert dict(result.tally.failed) == {}
    assert result.tally.local == 0
    assert set(result.served.values()) == {result.new_serial} != {result.old_serial}
    assert result.reloads == {"analyzer": 2, "quota": 1, "health": 1}
