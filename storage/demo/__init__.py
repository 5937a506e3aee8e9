"""Demo data for `make run` (GOVBOT_DEMO_DATA): one realistic, fictional municipality.

Loaded once per database: an audit-log row marks it as done. Each capability adds one module
here with `async def load(*, session, pack_key) -> None` and lists it in DEMO_MODULES.
"""

from __future__ import annotations

from importlib import import_module

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Author, record_change
from storage.models import AuditEntry

DEMO_MODULES = ("storage.demo.directory", "storage.demo.portfolio", "storage.demo.meetings")
MARKER = "demo_data"


async def load_demo_data(*, session: AsyncSession, pack_key: str) -> bool:
    """Load every capability's demo data unless already loaded; True when it loaded now."""
    done = await session.scalar(
        select(AuditEntry.id).where(AuditEntry.entity == MARKER, AuditEntry.action == "load")
    )
    if done is not None:
        return False
    for name in DEMO_MODULES:
        await import_module(name).load(session=session, pack_key=pack_key)
    await record_change(
        session,
        MARKER,
        None,
        by=Author("demo", "demo"),
        action="load",
        after={"modules": list(DEMO_MODULES), "pack": pack_key},
    )
    return True
