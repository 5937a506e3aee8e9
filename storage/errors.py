"""The base of govbot's domain errors: a refusal the user is told about, in their language.

Raised by record services and conversations alike; bot/routing.py is the one place that
catches it and says `text(key, lang, **params)`. Params are plain values (already in the
user's language where that matters: the raiser knows which).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class DomainError(Exception):
    """An action refused for a reason the user is told: a message key and its values."""

    # The message of a subclass that always says the same thing.
    default_key: ClassVar[str] = "errors.refused"

    def __init__(
        self, key: str | None = None, /, *, then: Sequence[tuple[str, str]] = (), **params: Any
    ) -> None:
        self.key: str = key or self.default_key
        self.params: dict[str, Any] = params
        # Where the user can go from here: (button title, the message it sends), if any.
        self.then: tuple[tuple[str, str], ...] = tuple(then)
        super().__init__(self.key)


# --- refusals several record services share -----------------------------------------------


class UnknownRecordError(DomainError):
    """Nothing of a kind is known by what was asked for (an id, an email, a key): each kind is
    a subclass saying so in its own message, which names what was wanted as `param`."""

    param: ClassVar[str] = "id"

    def __init__(self, wanted: int | str) -> None:
        named: dict[str, Any] = {self.param: wanted}
        super().__init__(**named)
        self.wanted = wanted


class UnknownPersonError(UnknownRecordError):
    """Nobody is known by that identity (an email, an AAD object id or a person id)."""

    default_key = "access.person_unknown"
    param = "name"


class UnknownMeetingError(UnknownRecordError):
    """No meeting has that id."""

    default_key = "meetings.unknown_meeting"
