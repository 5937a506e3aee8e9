"""Personal data: the export, erasure that keeps history without the name, retention, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import cli
from bot.cli_support import run_in_transaction
from knowledge.packs import load_pack
from storage import meetings, membership, outbox, reminders
from storage.access import Actor, Role, access_of, grant_role
from storage.audit import Author, record_change
from storage.conversations import ConversationInfo, remember_conversation
from storage.db import Database
from storage.models import (
    AuditEntry,
    Base,
    BotStateDocument,
    ConversationRef,
    Person,
    RoleAssignment,
)
from storage.models.base import utcnow
from storage.personal_data import erase_person, export_personal_data, subject_of
from storage.portfolio import register_initiative
from storage.portfolio_followers import follow_initiative
from storage.procurement import Requester, submit_request
from storage.reminders import Planning
from storage.retention import purge_abandoned_dialogs, purge_idle
from tests.portfolio.factories import new_initiative

AAD = "00000000-0000-0000-0000-0000000000a1"
EMAIL = "anne.jensen@randers.dk"
ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Copenhagen")
FEATURE_KINDS = (
    "procurement_requests",
    "initiatives",
    "initiative_following",
    "reminder_opt_outs",
    "deliveries",
)


async def _anne(session: AsyncSession) -> Person:
    person = Person(email=EMAIL, name="Anne Jensen", aad_object_id=AAD)
    session.add(person)
    await session.flush()
    session.add(RoleAssignment(person_id=person.id, role_key="systemejer", source="test"))
    await grant_role(
        session=session,
        principal=AAD,
        role=Role.SECRETARY,
        body_key="styregruppe",
        by=Author("admin@x"),
    )
    await remember_conversation(
        session=session,
        info=ConversationInfo(
            conversation_id="a:1personal-anne",
            conversation_type="personal",
            channel_id="msteams",
            service_url="https://smba.example/",
            reference={},
            user_id="29:1user-anne",
            aad_object_id=AAD,
            user_name="Anne Jensen",
        ),
    )
    session.add(
        BotStateDocument(
            key="msteams/users/29:1user-anne", document={"profile": {"language": "en"}}, etag="1"
        )
    )
    await record_change(
        session,
        "person",
        person.id,
        by=Author(AAD),
        action="update",
        before={"name": "Anne Jensen"},
        after={"name": "Anne Jensen", "email": EMAIL},
    )
    await session.flush()
    return person


async def _anne_everywhere(session: AsyncSession) -> Person:
    """Anne in every feature: a request, an initiative, one she follows, an opt-out, and the
    reminders of a body she is secretary of (also named on her colleague's)."""
    anne = await _anne(session)
    pack = load_pack("norddjurs")
    session.add(Person(email="bo.berg@randers.dk", name="Bo Berg"))
    await session.flush()
    await membership.add_member(
        session=session,
        plan=Planning(pack, TZ, utcnow()),
        body="styregruppe",
        principal="bo.berg@randers.dk",
        role=Role.MEMBER,
        by=Author(AAD, "meetings"),
    )
    await reminders.set_opt_out(
        session=session, principal=AAD, body="programgruppe", opted_out=True
    )
    await meetings.generate_year(
        session=session, plan=Planning(pack, TZ, utcnow()), year=utcnow().year + 1, actor=AAD
    )
    await submit_request(
        session=session,
        requester=Requester(principal=AAD, name="Anne Jensen", email=EMAIL, aad_object_id=AAD),
        pack_key="norddjurs", unit="Kultur", need="Et bookingsystem", answers={},
    )  # fmt: skip
    mine = Actor(principal=AAD, name="Anne Jensen", email=EMAIL)
    await register_initiative(session=session, new=new_initiative(), actor=mine)
    bos = await register_initiative(
        session=session, new=new_initiative(title="Bos initiativ"),
        actor=Actor(principal="bo.berg@randers.dk", name="Bo Berg"),
    )  # fmt: skip
    await follow_initiative(session=session, initiative_id=bos.id, actor=mine)
    await session.flush()
    return anne


async def test_the_export_covers_every_feature(session: AsyncSession) -> None:
    await _anne_everywhere(session)
    subject = await subject_of(session=session, email=EMAIL)
    sections = {
        s.kind: s.items for s in await export_personal_data(session=session, subject=subject)
    }
    for kind in FEATURE_KINDS:
        assert sections.get(kind), kind
    assert sections["initiative_following"][0]["initiative_id"]
    assert {row["status"] for row in sections["deliveries"]} == {"pending"}
    assert all(row["source"] == "meetings" for row in sections["deliveries"])


async def test_erasure_leaves_the_person_in_no_table(session: AsyncSession) -> None:
    person = await _anne_everywhere(session)
    pending = await outbox.deliveries(session=session, status=("pending",), principal=AAD)
    assert pending, "Anne's reminders are planned"
    subject = await subject_of(session=session, email=EMAIL)
    await erase_person(session=session, subject=subject, actor="admin@x")
    await session.flush()

    traces = []
    for table in Base.metadata.sorted_tables:
        for row in await session.execute(select(table)):
            for column, value in row._mapping.items():
                found = str(value).lower()
                if any(needle in found for needle in ("anne jensen", EMAIL, AAD)):
                    traces.append(f"{table.name}.{column}: {value}")
    assert traces == []
    for delivery in pending:
        row = await outbox.get_delivery(session=session, key=delivery.key)
        assert row is None, "the key named her"
    erased = await outbox.deliveries(session=session, key_prefix="erased:")
    assert erased and {d.status for d in erased} == {"cancelled"}
    assert all(d.person_id in (None, person.id) for d in erased)
    bo = await outbox.deliveries(
        session=session, status=("pending",), principal="bo.berg@randers.dk"
    )
    assert bo and all(d.report_to == () for d in bo), "nor is she told when Bo is unreachable"


def test_person_show_in_a_fresh_process_reports_every_feature(
    database_url: str, tmp_path: Path
) -> None:
    """Nothing but `python -m bot` is imported: the registry cannot depend on import order."""
    run_in_transaction(database_url, _anne_everywhere)
    env = {**os.environ, "GOVBOT_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run(
        [sys.executable, "-m", "bot", "person", "show", EMAIL],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    sections = json.loads(shown.stdout)
    for kind in FEATURE_KINDS:
        assert sections.get(kind), kind


async def test_the_export_shows_everything_stored(session: AsyncSession) -> None:
    await _anne(session)
    subject = await subject_of(session=session, aad_object_id=AAD, channel_user_id="29:1user-anne")
    sections = {
        s.kind: s.items for s in await export_personal_data(session=session, subject=subject)
    }
    assert sections["person"][0]["name"] == "Anne Jensen"
    assert sections["roles"][0]["role"] == "systemejer"
    assert sections["access"][0]["body"] == "styregruppe"
    assert sections["conversations"][0]["user_name"] == "Anne Jensen"
    assert sections["preferences"][0]["preferences"]["profile"]["language"] == "en"


async def test_erasure_ends_roles_and_keeps_history_without_the_name(session: AsyncSession) -> None:
    person = await _anne(session)
    subject = await subject_of(session=session, email=EMAIL)
    await erase_person(session=session, subject=subject, actor="admin@x")
    await session.flush()

    await session.refresh(person)
    assert person.anonymised and "Anne" not in person.name and person.aad_object_id is None
    role = await session.scalar(select(RoleAssignment).where(RoleAssignment.person_id == person.id))
    assert role is not None and role.valid_to is not None, "the role is ended, not deleted"
    assert not (await access_of(session=session, aad_object_id=AAD)).grants
    assert await session.scalar(select(ConversationRef)) is None
    assert await session.scalar(select(BotStateDocument)) is None
    audit = list(await session.scalars(select(AuditEntry)))
    dumped = json.dumps([(a.actor, a.before, a.after) for a in audit], ensure_ascii=False)
    assert len(audit) >= 3, "history is kept"
    assert "Anne" not in dumped and EMAIL not in dumped and AAD not in dumped


async def test_retention_forgets_only_idle_rows(session: AsyncSession) -> None:
    old = utcnow() - timedelta(days=400)
    session.add(
        BotStateDocument(key="msteams/conversations/old", document={}, etag="1", updated_at=old)
    )
    session.add(BotStateDocument(key="msteams/conversations/new", document={}, etag="1"))
    await session.flush()
    result = await purge_idle(
        session=session,
        state_before=utcnow() - timedelta(days=90),
        conversations_before=utcnow() - timedelta(days=365),
    )
    assert result.state_documents == 1
    keys = list(await session.scalars(select(BotStateDocument.key)))
    assert keys == ["msteams/conversations/new"]


async def test_abandoned_dialogs_lose_their_answers_but_keep_the_rest(
    session: AsyncSession,
) -> None:
    stale = utcnow() - timedelta(days=2)
    dialog = {"DialogState": {"dialog_stack": [{"id": "ProcurementDialog", "need": "CPR-liste"}]}}
    session.add_all(
        [
            BotStateDocument(
                key="msteams/conversations/abandoned",
                document={**dialog, "govbot": {"welcomed": True}},
                etag="1",
                updated_at=stale,
            ),
            BotStateDocument(key="msteams/conversations/active", document=dialog, etag="1"),
            BotStateDocument(
                key="msteams/users/someone", document={"profile": {}}, etag="1", updated_at=stale
            ),
        ]
    )
    await session.flush()

    cleared = await purge_abandoned_dialogs(
        session=session, idle_before=utcnow() - timedelta(days=1)
    )

    assert cleared == 1
    rows = {r.key: r for r in await session.scalars(select(BotStateDocument))}
    abandoned = rows["msteams/conversations/abandoned"]
    assert abandoned.document == {"govbot": {"welcomed": True}}
    assert abandoned.etag != "1", "a turn still holding the old state must not write it back"
    assert "DialogState" in rows["msteams/conversations/active"].document
    assert rows["msteams/users/someone"].document == {"profile": {}}


def test_access_and_person_commands(database: Database, database_url: str) -> None:
    env = {"GOVBOT_DATABASE_URL": database_url}
    runner = CliRunner()
    granted = runner.invoke(
        cli, ["access", "grant", "Eva@Randers.dk", "member", "--body", "styregruppe"], env=env
    )
    assert granted.exit_code == 0, granted.output
    bad = runner.invoke(cli, ["access", "grant", "eva@randers.dk", "member"], env=env)
    assert bad.exit_code == 2 and "--body" in bad.output
    listed = runner.invoke(cli, ["access", "list", "--json"], env=env)
    (row,) = json.loads(listed.output)
    assert row["principal"] == "eva@randers.dk" and row["body"] == "styregruppe"
    assert row["by"].startswith("cli:")
    shown = runner.invoke(cli, ["person", "show", "eva@randers.dk"], env=env)
    assert json.loads(shown.output)["access"][0]["role"] == "member"
    revoked = runner.invoke(
        cli, ["access", "revoke", "eva@randers.dk", "member", "--body", "styregruppe"], env=env
    )
    assert revoked.exit_code == 0
    again = runner.invoke(
        cli, ["access", "revoke", "eva@randers.dk", "member", "--body", "styregruppe"], env=env
    )
    assert again.exit_code == 1 and "no member grant" in again.output
    erased = runner.invoke(cli, ["person", "erase", "eva@randers.dk", "--yes"], env=env)
    assert erased.exit_code == 0 and "access=1" in erased.output
    assert runner.invoke(cli, ["retention", "run"], env=env).exit_code == 0
