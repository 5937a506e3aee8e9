"""Procurement requests ("kontakt IT tidligt"): answers, departures, IT's loop, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ProcurementRequest(Base):
    """One employee's need for a system: submitted to IT, stopped at reuse, or withdrawn."""

    __tablename__ = "procurement_requests"
    __table_args__ = (Index("ix_procurement_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_key: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    requester: Mapped[str] = mapped_column(String(320), index=True)  # principal
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_email: Mapped[str | None] = mapped_column(String(320))
    requester_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    requester_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )
    lang: Mapped[str] = mapped_column(String(2), default="da")
    unit: Mapped[str] = mapped_column(String(200))
    need: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    departures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reuse_candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reuse_system_id: Mapped[int | None] = mapped_column(
        ForeignKey("it_systems.id", ondelete="SET NULL")
    )
    screener: Mapped[str | None] = mapped_column(String(320))
    screener_name: Mapped[str | None] = mapped_column(String(200))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class ProcurementEvent(Base):
    """One step in a request's history: a status change, a question from IT, or an answer."""

    __tablename__ = "procurement_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))  # status | question | answer
    actor: Mapped[str] = mapped_column(String(320))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    answers_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("procurement_events.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class ProcurementChannel(Base):
    """Where IT's screening cards go; the newest row wins over GOVBOT_IT_CHANNEL."""

    __tablename__ = "procurement_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(512))
    set_by: Mapped[str] = mapped_column(String(320))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
