"""The initiative portfolio: initiatives, their related systems, followers and status history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Initiative(Base):
    """A digitalisation initiative in the portfolio (KITOS has no project module since 2022)."""

    __tablename__ = "initiatives"
    __table_args__ = (Index("ix_initiatives_status_unit", "status", "unit_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    org_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="SET NULL"), index=True
    )
    unit_name: Mapped[str] = mapped_column(String(200))  # the directory's name, else as given
    category: Mapped[str] = mapped_column(String(32))
    core_task: Mapped[str] = mapped_column(String(200))
    gain_quality: Mapped[str | None] = mapped_column(String(500))
    gain_efficiency: Mapped[str | None] = mapped_column(String(500))
    gain_wellbeing: Mapped[str | None] = mapped_column(String(500))
    funding: Mapped[str] = mapped_column(String(32))
    estimated_cost: Mapped[int | None] = mapped_column()  # whole kroner
    business_case: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    lead_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    lead_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), default="ide")
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by: Mapped[str] = mapped_column(String(320), index=True)  # principal
    registered_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InitiativeSystem(Base):
    """An IT system an initiative touches: matched to the directory when possible."""

    __tablename__ = "initiative_systems"
    __table_args__ = (UniqueConstraint("initiative_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    system_id: Mapped[int | None] = mapped_column(ForeignKey("it_systems.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))


class InitiativeFollower(Base):
    """Someone who joined an initiative ("koblet sig på") instead of registering a duplicate."""

    __tablename__ = "initiative_followers"
    __table_args__ = (UniqueConstraint("initiative_id", "principal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    principal: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class InitiativeEvent(Base):
    """One step in an initiative's life: who moved it from what to what, when and why."""

    __tablename__ = "initiative_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    actor_name: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    body_key: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
