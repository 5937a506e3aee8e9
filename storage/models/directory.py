"""The role directory: people, organisation units, IT systems, role assignments, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class OrgUnit(Base):
    """An organisation unit (forvaltning, center, afdeling)."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))


class Person(Base):
    """An employee; the email address is the identity, the AAD object id is added when seen."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    aad_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))
    anonymised: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItSystem(Base):
    """An IT system in use (a KITOS system usage), with the names people call it."""

    __tablename__ = "it_systems"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    vendor: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kitos_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    lifecycle_status: Mapped[str] = mapped_column(String(32), default="i drift")
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))


class RoleAssignment(Base):
    """A person holding a catalogue role for a system, or organisation-wide (system is NULL)."""

    __tablename__ = "role_assignments"
    __table_args__ = (Index("ix_role_assignments_current", "role_key", "system_id", "valid_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role_key: Mapped[str] = mapped_column(String(64))
    system_id: Mapped[int | None] = mapped_column(ForeignKey("it_systems.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(64), default="manual")
    # Where an imported assignment came from outside govbot (KITOS: usage and user UUIDs).
    source_ref: Mapped[str | None] = mapped_column(String(128), default=None)


class AuditEntry(Base):
    """One change to govbot's records: who, when, what before and after, and from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(64), default="chat")

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


class DirectoryState(Base):
    """One row whose token changes with every directory write, so in-memory indexes know to
    rebuild; a random token (not a counter) so a rolled-back write can never be mistaken for a
    committed one."""

    __tablename__ = "directory_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(36))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
