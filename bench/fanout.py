"""Sections 3 and 4: reminder fan-out under Teams' limits, and two servers on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from bench.report import Row, skipped


async def measure(workdir: Path, deliveries: int) -> list[Row]:
    """Fan-out time against the theoretical minimum."""
    return [skipped("fan-out", "reminder fan-out", "not yet")]


async def measure_scale_out(workdir: Path, deliveries: int) -> list[Row]:
    """Two servers share PostgreSQL."""
    return [skipped("scale-out", "two servers on PostgreSQL", "not yet")]
