"""Result rows, the printed table, and `bench/results.md` with machine, versions and date."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

RESULTS_FILE = Path(__file__).with_name("results.md")
PACKAGES = (
    "botbuilder-core",
    "botbuilder-integration-aiohttp",
    "aiohttp",
    "SQLAlchemy",
    "aiosqlite",
    "psycopg",
)


@dataclass(frozen=True)
class Row:
    """One measured (or skipped) line of the table."""

    section: str
    name: str
    value: str
    target: str = ""
    ok: bool | None = None  # None = no target, or skipped

    @property
    def verdict(self) -> str:
        """'ok', 'MISSED' or '' for rows without a target."""
        return "" if self.ok is None else ("ok" if self.ok else "MISSED")


def measured(
    section: str,
    name: str,
    value: float,
    unit: str = "",
    *,
    target: str = "",
    ok: bool | None = None,
    digits: int = 1,
) -> Row:
    """A row holding a number."""
    return Row(section, name, f"{value:,.{digits}f}{unit}", target, ok)


def skipped(section: str, name: str, why: str) -> Row:
    """A row for a measurement that could not run, saying why."""
    return Row(section, name, f"skipped: {why}")


def table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table."""
    header = ("section", "measurement", "value", "target", "")
    cells = [header, *((r.section, r.name, r.value, r.target, r.verdict) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(header))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, {platform.platform()}",
        "cpu": _cpu_model(),
        "load average at start": load,
        "python": platform.python_version(),
        "commit": _commit(),
    }
    for package in PACKAGES:
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = "not installed"
    return info


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return "?"
    return found.stdout.strip() or "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def markdown(rows: list[Row], info: dict[str, str], *, mode: str, notes: list[str]) -> str:
    """results.md: machine, versions, date, the table, and notes."""
    lines = [f"# govbot bench results ({mode})", ""]
    lines += [f"- **{key}**: {value}" for key, value in info.items()]
    lines += ["", "| section | measurement | value | target | |", "|---|---|---|---|---|"]
    lines += [f"| {r.section} | {r.name} | {r.value} | {r.target} | {r.verdict} |" for r in rows]
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def write_results(rows: list[Row], info: dict[str, str], *, mode: str, notes: list[str]) -> Path:
    """Write results.md next to this module and return its path."""
    RESULTS_FILE.write_text(markdown(rows, info, mode=mode, notes=notes), encoding="utf-8")
    return RESULTS_FILE
