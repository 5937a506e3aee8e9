"""The KITOS sync's own records: a high-water mark per entity type, and each run's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class KitosHighWater(Base):
    """How far the sync has read one KITOS feed (system usages by lastModified, deletions by
    occurredAtUtc); the next incremental run asks for changes since this instant."""

    __tablename__ = "kitos_high_water"

    entity_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    mark: Mapped[datetime]


class KitosSyncRun(Base):
    """One sync run that finished or failed (dry runs are not recorded)."""

    __tablename__ = "kitos_sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    full: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))  # "ok" or "failed"
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    conflicts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unmapped_roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
