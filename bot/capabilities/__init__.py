"""Each capability adds its dialogs and routes to the bot through one `register` function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.proactive import ProactiveSender
from bot.routing import Routes
from bot.sdk import ConversationState, DialogSet, UserState
from bot.settings import Settings
from dialogs.confirmation import Apply, Confirmations
from dialogs.permissions import Requirement
from storage.db import Database


@dataclass
class Runtime:
    """What a capability may use when it registers itself."""

    settings: Settings
    database: Database
    conversation_state: ConversationState
    user_state: UserState
    dialogs: DialogSet
    # Destructive changes waiting for a yes (dialogs/confirmation.py), one store for all.
    confirmations: Confirmations
    routes: Routes = field(default_factory=Routes)
    # Sends to other conversations (IT's channel, a requester, a body's members); None in tests
    # and tools that have no channel to send through.
    proactive: ProactiveSender | None = None
    # Wakes the outbox dispatcher: `after_commit(ctx, runtime.outbox_kick)` once a turn planned
    # a delivery. Without a running dispatcher it does nothing; the next pass sends the row.
    outbox_kick: Callable[[], Awaitable[None]] = field(default=lambda: _no_dispatcher())

    def confirmable(self, kind: str, apply: Apply, *, requires: Requirement | None = None) -> None:
        """Let changes of `kind` be confirmed: the yes button (or a typed yes) runs `apply`, for
        users who still meet `requires` once the token is spent."""
        self.confirmations.on_yes(kind, apply, requires=requires)
        self.routes.submit(kind, self.confirmations.pressed_yes)


async def _no_dispatcher() -> None:
    """Nothing to wake: tools without a dispatcher leave rows for the next pass."""
