"""The domain's refusals: one family with a text key and its values; the last-admin rule."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage import directory, membership, personal_data
from storage.access import LastAdminError, Role, grant_role, revoke_role
from storage.audit import Author
from storage.bodies import UnknownBodyError
from storage.errors import DomainError, UnknownMeetingError, UnknownPersonError, UnknownRecordError
from storage.portfolio_moves import MoveNotAllowedError


def test_one_unknown_person_for_every_service() -> None:
    assert directory.UnknownPersonError is membership.UnknownPersonError is UnknownPersonError
    assert personal_data.UnknownPersonError is UnknownPersonError
    error = UnknownPersonError("anne@norddjurs.dk")
    assert isinstance(error, DomainError)
    assert (error.key, error.params, error.wanted) == (
        "access.person_unknown",
        {"name": "anne@norddjurs.dk"},
        "anne@norddjurs.dk",
    )


def test_unknown_records_name_what_was_wanted_under_their_own_message() -> None:
    meeting, body = UnknownMeetingError(7), UnknownBodyError("direktionen")
    assert (meeting.key, meeting.params, meeting.wanted) == (
        "meetings.unknown_meeting",
        {"id": 7},
        7,
    )
    assert (body.key, body.params) == ("meetings.unknown_body", {"name": "direktionen"})
    assert isinstance(body, UnknownRecordError) and not isinstance(body, UnknownPersonError)


def test_a_typed_error_carries_its_values() -> None:
    error = MoveNotAllowedError("ide", "i_drift")  # type: ignore[arg-type]
    assert error.key == "portfolio.refused.not_allowed"
    assert error.params == {"from_status": "ide", "to_status": "i_drift"}


async def test_the_last_admin_keeps_the_role(session: AsyncSession) -> None:
    await grant_role(session=session, principal="ada@kommune.dk", role=Role.ADMIN, by=Author("t"))
    with pytest.raises(LastAdminError) as refused:
        await revoke_role(
            session=session, principal="ada@kommune.dk", role=Role.ADMIN, by=Author("t")
        )
    assert (refused.value.key, refused.value.params) == (
        "access.last_admin",
        {"name": "ada@kommune.dk"},
    )
    await grant_role(session=session, principal="bo@kommune.dk", role=Role.ADMIN, by=Author("t"))
    assert await revoke_role(
        session=session, principal="ada@kommune.dk", role=Role.ADMIN, by=Author("t")
    )
    with pytest.raises(LastAdminError):
        await revoke_role(
            session=session, principal="bo@kommune.dk", role=Role.ADMIN, by=Author("t")
        )
