"""`govbot import roles` and `govbot roles export|handover` as an admin would run them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from tests.directory.helpers import BROKEN_CSV, DANISH_CSV, write_csv, write_kitos


def _run(database_url: str, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        list(args),
        env={"GOVBOT_DATABASE_URL": database_url, "GOVBOT_KNOWLEDGE_PACK": "rebild"},
    )
    return result.exit_code, result.output


def test_import_refuses_a_broken_file_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    code, out = _run(
        database_url, "import", "roles", str(write_csv(tmp_path / "b.csv", BROKEN_CSV))
    )
    assert code == 2
    assert "linje 3: ukendt rolle 'Kaffeansvarlig'" in out and "intet er ændret" in out
    code, out = _run(database_url, "roles", "export", "--out", str(tmp_path / "empty.csv"))
    assert code == 0 and out.startswith("0 tildelinger")


def test_import_twice_then_kitos_with_replace_then_round_trip(
    database_url: str, tmp_path: Path
) -> None:
    csv_file = str(write_csv(tmp_path / "roller.csv", DANISH_CSV))
    code, out = _run(database_url, "import", "roles", csv_file)
    assert code == 0 and "11 tilføjet, 0 uændret, 0 afsluttet" in out
    code, out = _run(database_url, "import", "roles", csv_file)
    assert "0 tilføjet, 11 uændret" in out
    kitos = str(write_kitos(tmp_path / "kitos.xlsx"))
    code, out = _run(database_url, "import", "roles", kitos, "--replace", "--dry-run")
    assert "prøvekørsel" in out and "5 tilføjet" in out and "11 afsluttet" in out
    code, out = _run(database_url, "import", "roles", kitos, "--replace")
    assert "5 tilføjet, 0 uændret, 11 afsluttet" in out
    for fmt in ("csv", "xlsx"):
        exported = str(tmp_path / f"export.{fmt}")
        code, out = _run(database_url, "roles", "export", "--format", fmt, "--out", exported)
        assert code == 0 and out.startswith("5 tildelinger")
        code, out = _run(database_url, "import", "roles", exported, "--replace")
        assert "0 tilføjet, 5 uændret, 0 afsluttet" in out


def test_handover_from_the_cli(database_url: str, tmp_path: Path) -> None:
    _run(database_url, "import", "roles", str(write_csv(tmp_path / "roller.csv", DANISH_CSV)))
    code, out = _run(
        database_url,
        "roles",
        "handover",
        "--from",
        "lars.bech@kommune.dk",
        "--to",
        "sofie.lund@kommune.dk",
        "--yes",
    )
    assert code == 0
    assert "Systemejer — Momentum" in out and "Dataejer — Momentum" in out
    assert "2 roller overdraget" in out
