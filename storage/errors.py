"""The domain's refusals: one family, said to the user once, at the edge, in their language.

A `DomainError` names the text to say (`key`, a key of dialogs' locale files) and the values
that fill it (`params`, plain domain values such as ids, statuses and names; the edge turns a
status into its label). `str(error)` is a short English detail for logs and the CLI. Each
service module declares its own errors beside its functions as subclasses; the ones several
services share live here.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A change or lookup the records refuse; `key` and `params` are what to tell the user."""

    key: ClassVar[str] = "errors.generic"

    def __init__(self, detail: str = "", /, **params: Any) -> None:
        super().__init__(detail or self.key)
        self.params: dict[str, Any] = params


class UnknownPersonError(DomainError):
    """Nobody is known by that identity (an email, an AAD object id or a person id)."""

    key = "access.person_unknown"

    def __init__(self, identity: str) -> None:
        super().__init__(identity, name=identity)
        self.identity = identity


class UnknownMeetingError(DomainError):
    """No meeting has that id."""

    key = "meetings.unknown_meeting"

    def __init__(self, meeting_id: int) -> None:
        super().__init__(str(meeting_id), id=meeting_id)
        self.meeting_id = meeting_id
