"""The årshjul: governance meetings, each body's Teams channel, and reminder opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Meeting(Base):
    """One meeting of a body (or a yearly event such as a seminar)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="meeting")  # meeting | event
    # Set on generated meetings ("styregruppe:2027:1"), so generating again changes nothing.
    plan_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    teams_link: Mapped[str | None] = mapped_column(String(1000))
    agenda: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | cancelled
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BodyChannel(Base):
    """The Teams channel where a body's meeting posts go."""

    __tablename__ = "body_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_key: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(512))
    set_by: Mapped[str] = mapped_column(String(320))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderOptOut(Base):
    """A person who wants no 1:1 reminders for a body (the channel post still comes)."""

    __tablename__ = "reminder_opt_outs"
    __table_args__ = (UniqueConstraint("principal", "body_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(320))
    body_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
