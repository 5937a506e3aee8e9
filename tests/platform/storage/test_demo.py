"""The demo municipality `make run` loads: once, for any pack, with every capability's data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.demo import load_demo_data
from storage.models import AccessGrant, Initiative, ItSystem, Meeting, RoleAssignment


@pytest.mark.parametrize("pack", ["randers", "norddjurs", "rebild"])
async def test_demo_data_loads_once_with_every_capability(session: AsyncSession, pack: str) -> None:
    assert await load_demo_data(session=session, pack_key=pack) is True

    async def count(model: type) -> int:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    assert await count(ItSystem) >= 40
    assert await count(RoleAssignment) >= 100
    assert await count(Initiative) >= 3
    assert await count(Meeting) >= 4
    assert await count(AccessGrant) >= 4

    before = {model: await count(model) for model in (ItSystem, Initiative, Meeting)}
    assert await load_demo_data(session=session, pack_key=pack) is False
    assert {model: await count(model) for model in before} == before
