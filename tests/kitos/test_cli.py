"""`govbot kitos sync` as IT would run it, against the stand-in KITOS."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from tests.support.kitos import API_EMAIL, API_PASSWORD, CVR, StandInKitos


async def _run(database_url: str, kitos: StandInKitos, *args: str, **env: str) -> tuple[int, str]:
    """The command in a worker thread (its own event loop), the stand-in serving meanwhile."""
    values = {
        "GOVBOT_DATABASE_URL": database_url,
        "GOVBOT_KNOWLEDGE_PACK": "rebild",
        "GOVBOT_KITOS_URL": kitos.url,
        "GOVBOT_KITOS_USER": API_EMAIL,
        "GOVBOT_KITOS_PASSWORD": API_PASSWORD,
        "GOVBOT_KITOS_CVR": CVR,
        **env,
    }
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["kitos", *args], env=values)
    return result.exit_code, result.output


async def test_dry_run_then_sync_prints_the_summary(database_url: str, kitos: StandInKitos) -> None:
    owner = kitos.add_user("Mette Holm", "mette.holm@kommune.dk")
    nameless = kitos.add_user("Bo Berg", "")
    kitos.add_usage("SBSYS", [("Systemejer", owner), ("Superbruger", nameless)])
    code, out = await _run(database_url, kitos, "sync", "--dry-run")
    assert code == 0, out
    assert "prøvekørsel — intet gemt" in out and "1 tilføjet" in out
    assert f"konflikt: SBSYS: KITOS-bruger 'Bo Berg' ({nameless}" in out
    assert "rolletype uden mapning: 'Kaffeansvarlig'" in out
    code, out = await _run(database_url, kitos, "sync", "--full")
    assert code == 0 and "KITOS (fuld): 1 systemer" in out and "1 nye personer" in out
    assert API_PASSWORD not in out
    code, out = await _run(database_url, kitos, "sync")
    assert code == 0 and "KITOS (ændringer)" in out and "0 tilføjet" in out


async def test_a_broken_mapping_or_a_down_kitos_stops_with_one_line(
    database_url: str, kitos: StandInKitos, tmp_path: Path
) -> None:
    mapping = tmp_path / "roller.yaml"
    mapping.write_text("roles:\n  Systemejer: kaffeansvarlig\n", encoding="utf-8")
    code, out = await _run(database_url, kitos, "sync", GOVBOT_KITOS_ROLE_MAPPING=str(mapping))
    assert code == 2 and "'kaffeansvarlig' is no role of the rebild pack" in out
    code, out = await _run(database_url, kitos, "sync", GOVBOT_KITOS_PASSWORD="forkert")
    assert code == 1 and "intet er ændret" in out and "e-mail/password" in out
    code, out = await _run(database_url, kitos, "sync", GOVBOT_KITOS_CVR="")
    assert code == 2 and "GOVBOT_KITOS_CVR is required" in out


async def test_roles_end_refuses_a_kitos_assignment_and_names_kitos(
    database_url: str, kitos: StandInKitos
) -> None:
    owner = kitos.add_user("Mette Holm", "mette.holm@kommune.dk")
    kitos.add_usage("SBSYS", [("Systemejer", owner)])
    code, out = await _run(database_url, kitos, "sync")
    assert code == 0, out
    values = {"GOVBOT_DATABASE_URL": database_url, "GOVBOT_KNOWLEDGE_PACK": "rebild"}
    args = ["roles", "end", "--email", "mette.holm@kommune.dk", "--role", "systemejer"]
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, [*args, "--system", "SBSYS"], env=values
    )
    assert result.exit_code == 2 and "rettes i KITOS" in result.output, result.output
    assert "Intet er ændret" in result.output
