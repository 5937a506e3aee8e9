"""What an action needs of the acting user, declared where the action is routed, and the one
check of it (storage.access.Access.require), made before the action runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.sdk import TurnContext
from dialogs.turn import turn_session, turn_user
from storage.access import Access, NotAuthorisedError, Role, access_of
from storage.errors import DomainError

# The body an action about a body is about, read from what the action was given (an intent's
# match, a card's data or a confirmed change); it may refuse (an unknown body or meeting).
BodyOf = Callable[[TurnContext, Any], Awaitable[str]]
# The values of the refusal's text, for the turn and the body (None for roles outside bodies).
RefusalValues = Callable[[TurnContext, str | None], Mapping[str, Any]]


@dataclass(frozen=True)
class Requirement:
    """A govbot role an action needs (admins hold every role), and the text saying it is not held.

    A body's role (secretary, chair, member) is needed in the body `body` finds, or, with
    `any_body`, in some body.
    """

    role: Role
    refusal: str
    body: BodyOf | None = None
    any_body: bool = False
    values: RefusalValues | None = None


async def acting_access(context: TurnContext) -> Access:
    """The roles of the user behind this turn, read from the database now."""
    user = turn_user(context)
    return await access_of(
        session=turn_session(context), aad_object_id=user.aad_object_id, email=user.email
    )


async def require(context: TurnContext, requirement: Requirement, given: Any) -> Access:
    """The acting user's access, once it meets `requirement` for `given`; else DomainError."""
    body_key = await requirement.body(context, given) if requirement.body is not None else None
    access = await acting_access(context)
    if requirement.any_body:
        held = (key for role, key in access.grants if role is requirement.role and key)
        body_key = next(held, None)
    try:
        access.require(requirement.role, body_key)
    except NotAuthorisedError as refused:
        values = requirement.values(context, body_key) if requirement.values else {}
        raise DomainError(requirement.refusal, **values) from refused
    return access
