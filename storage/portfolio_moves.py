"""An initiative's lifecycle moves: who may make which, checked on the server, then recorded.

Who may make a move is read from the pack's rules (knowledge.portfolio) and checked against
the actor's body grants (storage.access).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import (
    InitiativeStatus,
    PortfolioRules,
    Transition,
)
from storage.access import Access, Actor, Role, principal_of
from storage.audit import Author, record_change
from storage.models import (
    InitiativeEvent,
)
from storage.models.base import utcnow
from storage.portfolio import (
    ENTITY,
    InitiativeRecord,
    PortfolioError,
    initiative_record,
    initiative_row,
)


class MoveNotAllowedError(PortfolioError):
    """The pack's rules have no move from the initiative's status to the wanted one."""

    default_key = "portfolio.refused.not_allowed"

    def __init__(self, current: InitiativeStatus, wanted: InitiativeStatus) -> None:
        super().__init__(from_status=current, to_status=wanted)
        self.current = current
        self.wanted = wanted


class StaleMoveError(PortfolioError):
    """The initiative has moved on since the card that asked for this move was shown."""

    default_key = "portfolio.refused.stale"

    def __init__(self, current: InitiativeStatus) -> None:
        super().__init__(status=current)
        self.current = current


class NotBodyMemberError(PortfolioError):
    """The actor sits in none of the bodies that may make this move."""

    default_key = "portfolio.refused.not_member"

    def __init__(self, bodies: tuple[str, ...]) -> None:
        super().__init__(bodies=bodies)
        self.bodies = bodies


class ReasonRequiredError(PortfolioError):
    """This move must say why (e.g. afvist, sat på pause)."""

    default_key = "portfolio.refused.reason"


def granting_body(transition: Transition, access: Access) -> str | None:
    """The body through which `access` may make `transition` ("admin" for admins), else None."""
    for body in transition.bodies:
        if access.in_body(body) & {Role(r) for r in transition.roles}:
            return body
    return "admin" if access.is_admin else None


def allowed_moves(
    status: InitiativeStatus, access: Access, rules: PortfolioRules
) -> list[tuple[Transition, str]]:
    """The moves out of `status` this user may make, each with the body that allows it."""
    moves = []
    for transition in rules.moves_from(status):
        body = granting_body(transition, access)
        if body is not None:
            moves.append((transition, body))
    return moves


async def move_initiative(
    *,
    session: AsyncSession,
    initiative_id: int,
    to: InitiativeStatus,
    actor: Actor,
    access: Access,
    rules: PortfolioRules,
    reason: str | None = None,
    expected_from: InitiativeStatus | None = None,
    source: str = "chat",
) -> InitiativeRecord:
    """Move an initiative one lifecycle step, if the pack's rules let the actor's body do it."""
    row = await initiative_row(session, initiative_id)
    current = InitiativeStatus(row.status)
    if expected_from is not None and expected_from != current:
        raise StaleMoveError(current)
    transition = rules.transition(current, to)
    if transition is None:
        raise MoveNotAllowedError(current, to)
    body = granting_body(transition, access)
    if body is None:
        raise NotBodyMemberError(transition.bodies)
    reason = (reason or "").strip() or None
    if transition.reason_required and not reason:
        raise ReasonRequiredError()
    now = utcnow()
    row.status = to.value
    row.status_changed_at = now
    row.updated_at = now
    session.add(
        InitiativeEvent(
            initiative_id=row.id,
            at=now,
            actor=principal_of(actor.principal),
            actor_name=actor.name,
            from_status=current.value,
            to_status=to.value,
            body_key=None if body == "admin" else body,
            reason=reason,
        )
    )
    await session.flush()
    await record_change(
        session,
        ENTITY,
        row.id,
        by=Author(principal_of(actor.principal), source),
        action="move",
        before={"status": current.value},
        after={"status": to.value, "body": body, "reason": reason},
    )
    return await initiative_record(session, row)
