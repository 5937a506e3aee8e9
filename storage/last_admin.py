"""The rule that govbot always keeps an administrator: ending every active admin grant is
refused, whoever asks and however."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Grant, Role, list_grants
from storage.errors import DomainError


class LastAdminError(DomainError):
    """The grants to end are every active administrator's."""

    default_key = "access.last_admin"


async def refuse_last_admin(*, session: AsyncSession, ending: Iterable[Grant], name: str) -> None:
    """LastAdminError (naming `name`) when ending `ending` would leave govbot with no admin."""
    ending_ids = {grant.id for grant in ending if grant.role is Role.ADMIN}
    if not ending_ids:
        return
    admins = await list_grants(session=session, role=Role.ADMIN)
    if all(grant.id in ending_ids for grant in admins):
        raise LastAdminError(name=name)
