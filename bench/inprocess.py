"""Section 2: role lookup and knowledge answer latency in-process, and CSV import speed."""

from __future__ import annotations

from pathlib import Path

from bench.report import Row, skipped

SECTION = "in-process"


async def measure(
    workdir: Path, url: str, systems: list[str], lookups: int, import_rows: int
) -> list[Row]:
    """Lookups and answers p50/p99; import rows/s."""
    return [
        skipped(SECTION, "role lookup p50/p99", "not yet"),
        skipped(SECTION, "knowledge answer p50/p99", "not yet"),
        skipped(SECTION, "CSV import", "not yet"),
    ]
