"""Who may do what in govbot: admins, IT screeners, and each body's secretary, chair, members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AccessGrant(Base):
    """One role held by one principal (an AAD object id or an email), optionally for one body."""

    __tablename__ = "access_grants"
    __table_args__ = (Index("ix_access_grants_lookup", "principal", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(320))  # lower-cased AAD object id or email
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(
        String(32)
    )  # admin | it_screener | secretary | chair | member
    body_key: Mapped[str | None] = mapped_column(String(64), index=True)
    granted_by: Mapped[str] = mapped_column(String(320))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
