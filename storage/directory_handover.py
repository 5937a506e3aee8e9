"""Hand-over: every current role of one person moves to another, in one audited change."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Author, record_change
from storage.directory import (
    Assignment,
    DirectoryError,
    PersonInfo,
    current_assignments,
    end_assignment,
    person_info,
    set_assignment,
    unit_names,
)
from storage.errors import UnknownPersonError
from storage.models import Person


@dataclass(frozen=True)
class Handover:
    """One person's current roles moving to another."""

    source: PersonInfo
    target: PersonInfo
    moves: tuple[Assignment, ...]
    already_held: tuple[Assignment, ...] = field(default=())


async def plan_handover(*, session: AsyncSession, source_id: int, target_id: int) -> Handover:
    """What handing every current role of `source_id` over to `target_id` would change."""
    if source_id == target_id:
        raise DirectoryError("directory.same_person")
    units = await unit_names(session)
    source = await session.get(Person, source_id)
    target = await session.get(Person, target_id)
    if source is None or target is None:
        raise UnknownPersonError(str(source_id if source is None else target_id))
    held = {
        (a.role_key, a.system.id if a.system else None, a.org_unit)
        for a in await current_assignments(session=session, person_id=target_id)
    }
    moves: list[Assignment] = []
    already: list[Assignment] = []
    for assignment in await current_assignments(session=session, person_id=source_id):
        key = (
            assignment.role_key,
            assignment.system.id if assignment.system else None,
            assignment.org_unit,
        )
        (already if key in held else moves).append(assignment)
    return Handover(
        person_info(source, units), person_info(target, units), tuple(moves), tuple(already)
    )


async def apply_handover(
    *, session: AsyncSession, source_id: int, target_id: int, by: Author
) -> Handover:
    """Move every current role of `source_id` to `target_id`; ends the old assignments."""
    plan = await plan_handover(session=session, source_id=source_id, target_id=target_id)
    for assignment in (*plan.moves, *plan.already_held):
        await end_assignment(session=session, assignment_id=assignment.id, by=by)
    for assignment in plan.moves:
        await set_assignment(
            session=session,
            person_id=target_id,
            role_key=assignment.role_key,
            system_id=assignment.system.id if assignment.system else None,
            org_unit=assignment.org_unit,
            by=by,
        )
    await record_change(
        session,
        "person",
        source_id,
        by=by,
        action="handover",
        before={"roles": [a.id for a in (*plan.moves, *plan.already_held)]},
        after={"to_person_id": target_id},
    )
    return plan
