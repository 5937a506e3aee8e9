"""The KITOS sync against the stand-in KITOS, on every backend: a first full sync, changes,
deletions, conflicts, unmapped roles, an expiring token, throttling and KITOS going down."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.kitos.client import KitosUnavailableError
from storage.audit import Author
from storage.db import Database
from storage.directory import KitosManagedError, current_assignments, end_assignment, ensure_person
from storage.kitos_runs import high_water_marks, last_runs
from storage.models import AuditEntry, ItSystem, Person, RoleAssignment
from tests.kitos.conftest import SyncRun
from tests.support.kitos import StandInKitos


def _municipality(kitos: StandInKitos) -> dict[str, str]:
    """A small KITOS: three systems, four users (one without an e-mail)."""
    mette = kitos.add_user("Mette Holm", "Mette.Holm@kommune.dk")
    jonas = kitos.add_user("Jonas Kirk", "jonas.kirk@kommune.dk")
    soren = kitos.add_user("Søren Østergaard", "soren.ostergaard@kommune.dk")
    ida = kitos.add_user("Ida Bæk", "")
    ids = {"mette": mette, "jonas": jonas, "soren": soren, "ida": ida}
    ids["sbsys"] = kitos.add_usage(
        "SBSYS",
        [("Systemejer", mette), ("Superbruger", jonas)],
        unit="Borgerservice",
        local_name="ESDH",
    )
    ids["nexus"] = kitos.add_usage(
        "KMD Nexus", [("Systemejer", soren), ("Kaffeansvarlig", jonas)], unit="Sundhed og Omsorg"
    )
    kitos.tick()
    ids["aula"] = kitos.add_usage("Aula", [("Systemansvarlig", jonas)])
    return ids


async def _holders(database: Database, system: str, role: str) -> list[str]:
    async with database.transaction() as session:
        system_id = await session.scalar(select(ItSystem.id).where(ItSystem.name == system))
        assignments = await current_assignments(session=session, system_id=system_id, role_key=role)
        return sorted(a.person.email for a in assignments)


async def test_first_sync_brings_systems_holders_and_their_kitos_identity(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    ids = _municipality(kitos)
    report = await sync()
    assert report.full and report.systems == 3
    assert report.added == 4 and report.ended == 0 and report.people_added == 3
    assert await _holders(database, "SBSYS", "systemejer") == ["mette.holm@kommune.dk"]
    async with database.transaction() as session:
        sbsys = await session.scalar(select(ItSystem).where(ItSystem.name == "SBSYS"))
        assert sbsys is not None and sbsys.kitos_uuid == ids["sbsys"]
        assert "ESDH" in sbsys.aliases
        audit = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "assign")))
        assert {a.source for a in audit} == {"kitos"}
        assert any(ids["sbsys"] in str(a.after) and ids["mette"] in str(a.after) for a in audit)
        marks = await high_water_marks(session=session)
        assert set(marks) == {"ItSystemUsage", "ItContract", "DeletedItSystemUsage"}
        _, last_ok = await last_runs(session=session)
        assert last_ok is not None and last_ok.counts["added"] == 4
    # The API's rules were kept: pages of at most 250, the organisation asked for by CVR.
    sizes = {q.get("pageSize") for _, q in kitos.requests if "pageSize" in q}
    assert sizes == {"250"}


async def test_unmapped_roles_and_conflicts_are_reported_not_dropped_or_guessed(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    ids = _municipality(kitos)
    async with database.transaction() as session:  # two directory people called Ida Bæk
        await ensure_person(
            session=session, email="ida.baek@kommune.dk", name="Ida Bæk", by=Author("t")
        )
        await ensure_person(
            session=session, email="ida.b@kommune.dk", name="Ida Bæk", by=Author("t")
        )
    kitos.set_roles(ids["aula"], [("Systemansvarlig", ids["jonas"]), ("Dataejer", ids["ida"])])
    report = await sync()
    unmapped = {u.name: u.assignments for u in report.unmapped}
    assert unmapped == {"Kaffeansvarlig": 1, "Kontraktmanager": 0}  # a role type in no use
    assert len(report.conflicts) == 1
    conflict = report.conflicts[0]
    assert conflict.user_uuid == ids["ida"] and conflict.usage_uuid == ids["aula"]
    assert conflict.reason == "no_email_ambiguous" and len(conflict.candidates) == 2
    assert await _holders(database, "Aula", "dataejer") == []
    async with database.transaction() as session:
        newest, _ = await last_runs(session=session)
        assert newest is not None and newest.conflicts[0]["user_uuid"] == ids["ida"]
        assert newest.unmapped_roles[0]["name"] == "Kaffeansvarlig"


async def test_a_user_without_email_is_matched_by_a_unique_name(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    ids = _municipality(kitos)
    async with database.transaction() as session:
        await ensure_person(
            session=session, email="ida.baek@kommune.dk", name="Ida Bæk", by=Author("t")
        )
    kitos.set_roles(ids["aula"], [("Dataejer", ids["ida"])])
    report = await sync()
    assert report.conflicts == ()
    assert await _holders(database, "Aula", "dataejer") == ["ida.baek@kommune.dk"]


async def test_an_incremental_sync_replaces_a_role_holder_and_reads_only_changes(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    ids = _municipality(kitos)
    await sync()
    kitos.tick(30)
    kitos.set_roles(ids["sbsys"], [("Systemejer", ids["soren"]), ("Superbruger", ids["jonas"])])
    kitos.requests.clear()
    report = await sync()
    # SBSYS, and Aula again: changedSinceGtEq includes the newest change already read.
    assert not report.full and report.systems == 2
    assert (report.added, report.changed, report.ended) == (1, 1, 1)
    assert await _holders(database, "SBSYS", "systemejer") == ["soren.ostergaard@kommune.dk"]
    assert await _holders(database, "KMD Nexus", "systemejer") == ["soren.ostergaard@kommune.dk"]
    usage_queries = [q for path, q in kitos.requests if path == "/api/v2/it-system-usages"]
    assert usage_queries and all("changedSinceGtEq" in q for q in usage_queries)
    async with database.transaction() as session:
        ended = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "end", AuditEntry.source == "kitos")
        )
        assert ended is not None and ids["mette"] in str(ended.after)
    again = await sync()  # nothing changed since: nothing happens
    assert (again.added, again.ended) == (0, 0)


async def test_a_deleted_usage_ends_its_roles(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    ids = _municipality(kitos)
    await sync()
    kitos.tick(5)
    kitos.delete_usage(ids["aula"])
    report = await sync()
    assert report.deleted == 1 and report.ended == 1
    assert await _holders(database, "Aula", "systemansvarlig") == []
    assert await _holders(database, "SBSYS", "systemejer") == ["mette.holm@kommune.dk"]


async def test_paging_reads_to_the_end(
    kitos: StandInKitos, database: Database, sync: SyncRun, kitos_config: object
) -> None:
    user = kitos.add_user("Mette Holm", "mette.holm@kommune.dk")
    for n in range(260):
        kitos.add_usage(f"System {n:03}", [("Systemejer", user)])
    report = await sync()
    assert report.systems == 260 and report.added == 260
    pages = [q["page"] for p, q in kitos.requests if p == "/api/v2/it-system-usages"]
    assert pages == ["0", "1"]


async def test_a_token_expiring_mid_sync_is_replaced(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    _municipality(kitos)
    kitos.expire_at = "/api/v2/it-system-usages"  # the token dies as the usages are asked for
    report = await sync()
    assert report.systems == 3 and kitos.tokens_issued == 2


async def test_throttling_is_waited_out_as_retry_after_says(
    kitos: StandInKitos, database: Database, sync: SyncRun, slept: list[float]
) -> None:
    _municipality(kitos)
    kitos.throttle, kitos.retry_after = 2, "7"
    report = await sync()
    assert report.systems == 3
    assert slept == [7.0, 7.0]


async def test_kitos_going_down_mid_sync_changes_nothing(
    kitos: StandInKitos, database: Database, sync: SyncRun, slept: list[float]
) -> None:
    ids = _municipality(kitos)
    await sync()
    assert slept == []
    kitos.tick(10)
    kitos.set_roles(ids["sbsys"], [("Systemejer", ids["soren"])])
    kitos.delete_usage(ids["aula"])
    kitos.down_from = len(kitos.requests) + 4  # after the usages, before the deletions
    with pytest.raises(KitosUnavailableError):
        await sync()
    assert len(slept) == 5  # every retry waited (on the injected sleep, not real time)
    assert await _holders(database, "SBSYS", "systemejer") == ["mette.holm@kommune.dk"]
    assert await _holders(database, "Aula", "systemansvarlig") == ["jonas.kirk@kommune.dk"]
    async with database.transaction() as session:
        newest, last_ok = await last_runs(session=session)
        assert newest is not None and newest.status == "failed"
        assert last_ok is not None and last_ok.id != newest.id
    kitos.down_from = None
    report = await sync()  # the marks did not move: the next run picks up everything
    assert report.deleted == 1 and report.changed == 1


async def test_a_dry_run_counts_and_keeps_nothing(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    _municipality(kitos)
    report = await sync(dry_run=True)
    assert report.added == 4 and report.dry_run
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(RoleAssignment)) == 0
        assert await session.scalar(select(func.count()).select_from(Person)) == 0
        assert await high_water_marks(session=session) == {}


async def test_hand_edits_to_kitos_assignments_are_refused(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    _municipality(kitos)
    await sync()
    async with database.transaction() as session:
        held = await current_assignments(session=session, role_key="systemejer")
        with pytest.raises(KitosManagedError) as refused:
            await end_assignment(session=session, assignment_id=held[0].id, by=Author("admin"))
        assert refused.value.key == "directory.kitos_managed"


async def test_contract_roles_hold_their_own_and_follow_their_contract(
    kitos: StandInKitos, database: Database, sync: SyncRun
) -> None:
    ids = _municipality(kitos)
    karen = kitos.add_user("Karen Dahl", "karen.dahl@kommune.dk")
    contract = kitos.add_contract(
        "ESDH-kontrakt", [ids["sbsys"]], [("Kontraktejer", karen), ("Kontraktmanager", karen)]
    )
    report = await sync()
    assert await _holders(database, "SBSYS", "kontraktejer") == ["karen.dahl@kommune.dk"]
    assert "Kontraktmanager" in {u.name for u in report.unmapped}
    kitos.tick(30)  # the usage changes, the contract does not: its role stays
    kitos.set_roles(ids["sbsys"], [("Systemejer", ids["soren"])])
    await sync()
    assert await _holders(database, "SBSYS", "kontraktejer") == ["karen.dahl@kommune.dk"]
    kitos.tick(30)  # the contract changes hands
    kitos.set_contract_roles(contract, [("Kontraktejer", ids["mette"])])
    report = await sync()
    assert await _holders(database, "SBSYS", "kontraktejer") == ["mette.holm@kommune.dk"]
    assert await _holders(database, "SBSYS", "systemejer") == ["soren.ostergaard@kommune.dk"]
    assert report.changed == 1


async def test_kitos_unreachable_is_retried_then_recorded_as_failed(
    kitos: StandInKitos, database: Database, sync: SyncRun, slept: list[float]
) -> None:
    _municipality(kitos)
    await sync()
    await kitos.stop()  # nobody listens on its port any more
    with pytest.raises(KitosUnavailableError):
        await sync()
    assert slept == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert await _holders(database, "SBSYS", "systemejer") == ["mette.holm@kommune.dk"]
    async with database.transaction() as session:
        newest, last_ok = await last_runs(session=session)
        assert (
            newest is not None and newest.status == "failed" and "attempts" in (newest.error or "")
        )
        assert last_ok is not None
