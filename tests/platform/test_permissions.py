"""Permissions declared per action (dialogs/permissions.py): every change a capability offers
declares the govbot role it needs where it is routed, and the one check (Access.require) lets
admins and the right body's holders through and refuses everyone else with the declared text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botbuilder.core import ConversationState, MemoryStorage, TurnContext, UserState
from botbuilder.dialogs import DialogSet
from botbuilder.schema import Activity
from sqlalchemy.ext.asyncio import AsyncSession

from bot.assembly import CAPABILITIES
from bot.capabilities import Runtime
from bot.settings import Settings
from dialogs.confirmation import Confirmations
from dialogs.permissions import Requirement, require
from dialogs.turn import LANG_KEY, SESSION_KEY, USER_KEY, TurnUser
from storage.access import Role, grant_role
from storage.audit import Author
from storage.db import Database
from storage.errors import DomainError

# Every intent and card action that changes something only some users may change.
GUARDED = {
    "access.grant": Role.ADMIN,
    "access.revoke": Role.ADMIN,
    "access.list": Role.ADMIN,
    "privacy.erase": Role.ADMIN,
    "directory.handover": Role.ADMIN,
    "directory.set": Role.ADMIN,
    "directory.end": Role.ADMIN,
    "directory.kitos_status": Role.ADMIN,
    "procurement.set_channel": Role.ADMIN,
    "procurement.open": Role.IT_SCREENER,
    "procurement.take": Role.IT_SCREENER,
    "procurement.ask": Role.IT_SCREENER,
    "procurement.approve": Role.IT_SCREENER,
    "procurement.conditions": Role.IT_SCREENER,
    "procurement.reject": Role.IT_SCREENER,
    "procurement.dispensation": Role.IT_SCREENER,
    "meetings.generate": Role.SECRETARY,
    "meetings.add": Role.SECRETARY,
    "meetings.move": Role.SECRETARY,
    "meetings.cancel": Role.SECRETARY,
    "meetings.delivery_status": Role.SECRETARY,  # who was reached is the secretary's to read
    "meetings.place": Role.SECRETARY,
    "meetings.teams_link": Role.SECRETARY,
    "meetings.agenda": Role.SECRETARY,
    "meetings.add_member": Role.SECRETARY,
    "meetings.remove_member": Role.SECRETARY,
    "meetings.set_channel": Role.SECRETARY,
}
CONFIRMED = {
    "access.grant": Role.ADMIN,
    "access.revoke": Role.ADMIN,
    "privacy.erase": Role.ADMIN,
    "directory.handover": Role.ADMIN,
    "directory.set": Role.ADMIN,
    "directory.end": Role.ADMIN,
    "meetings.move": Role.SECRETARY,
    "meetings.cancel": Role.SECRETARY,
}


def test_every_change_declares_the_role_it_needs(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(knowledge_pack="norddjurs")
    state = ConversationState(MemoryStorage())
    runtime = Runtime(
        settings=settings,
        database=Database.connect(settings.database_url),
        conversation_state=state,
        user_state=UserState(MemoryStorage()),
        dialogs=DialogSet(state.create_property("dialogs")),
        confirmations=Confirmations(state.create_property("pending")),
    )
    for capability in CAPABILITIES:
        capability.register(runtime)
    declared = {key: r.role for key, r in runtime.routes.requirements.items()}
    assert declared == GUARDED
    confirmed = runtime.confirmations.requirements
    assert {k: r.role for k, r in confirmed.items() if r is not None} == CONFIRMED
    assert set(confirmed) == set(CONFIRMED), "every confirmed change is re-checked"


def turn(session: AsyncSession, user: str) -> TurnContext:
    context = TurnContext(object(), Activity(type="message", text="x"))  # type: ignore[arg-type]
    context.turn_state[SESSION_KEY] = session
    context.turn_state[USER_KEY] = TurnUser(channel_user_id=f"29:{user}", email=user)
    context.turn_state[LANG_KEY] = "da"
    return context


async def _body(context: TurnContext, given: Any) -> str:
    return str(given)


def _values(context: TurnContext, body_key: str | None) -> dict[str, Any]:
    return {"body": body_key}


OF_BODY = Requirement(Role.SECRETARY, "meetings.not_allowed", body=_body, values=_values)
ANY_BODY = Requirement(Role.SECRETARY, "meetings.not_allowed_any", any_body=True)
ADMIN = Requirement(Role.ADMIN, "access.not_admin")


async def test_the_check_lets_admins_and_the_bodys_holders_through(session: AsyncSession) -> None:
    for principal, role, body in (
        ("ada@kommune.dk", Role.ADMIN, None),
        ("sif@kommune.dk", Role.SECRETARY, "styregruppe"),
        ("mo@kommune.dk", Role.MEMBER, "styregruppe"),
    ):
        await grant_role(
            session=session, principal=principal, role=role, body_key=body, by=Author("t")
        )
    admin, secretary, member = (
        turn(session, u) for u in ("ada@kommune.dk", "sif@kommune.dk", "mo@kommune.dk")
    )
    for requirement in (OF_BODY, ANY_BODY, ADMIN):
        await require(admin, requirement, "styregruppe")
    await require(secretary, OF_BODY, "styregruppe")
    await require(secretary, ANY_BODY, None)

    with pytest.raises(DomainError) as refused:
        await require(secretary, OF_BODY, "programgruppe")
    assert (refused.value.key, refused.value.params) == (
        "meetings.not_allowed",
        {"body": "programgruppe"},
    )
    for requirement in (OF_BODY, ANY_BODY, ADMIN):
        with pytest.raises(DomainError) as refused:
            await require(member, requirement, "styregruppe")
        assert refused.value.key == requirement.refusal
