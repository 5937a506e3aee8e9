"""Opening the bot's 1:1 chat with a member, installing the app for them first if need be.

Teams refuses to open a chat (403/404) with a user who does not have the app. With Graph
configured, govbot installs it for them (TeamsAppInstallation.ReadWriteSelfForUser.All) and
opens the chat once the installation has reached Teams; without it, the member is unreachable
and the reason says how an admin fixes that.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.dispatch_pacing import UNREACHABLE_STATUSES, status_of
from bot.graph import GraphClient, GraphError
from bot.logs import fields
from bot.proactive import ProactiveSender
from bot.sdk import ErrorResponseException
from storage.conversations import ConversationInfo, PersonalTarget

log = logging.getLogger(__name__)


# Why a member could not be reached, as stored on the row (the digest and the status view
# turn each into a sentence in the reader's language, see bot.outbox_unreachable).
NOT_INSTALLED = "the app is not installed for the user"
NOT_IN_CATALOG = "the app is not in the organisation's app catalog"
INSTALL_REFUSED = "Graph refused to install the app"


class NotInstalledError(Exception):
    """The app is not installed for the member and govbot cannot install it (`reason`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InstallationPendingError(Exception):
    """The app was installed for the member, but Teams does not open the chat yet."""


@dataclass
class PersonalChats:
    """Opens 1:1 chats; installs the app through Graph when Teams says it is missing."""

    sender: ProactiveSender
    graph: GraphClient | None = None
    # The Teams app's manifest id (the bot's app id), looked up in the org's app catalog.
    manifest_id: str = ""
    attempts: int = 5
    wait_seconds: float = 2.0
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    _catalog_id: str | None = field(default=None, repr=False)

    async def open(self, target: PersonalTarget) -> ConversationInfo:
        """The chat with `target`: opened now, or after installing the app for them."""
        chat = await self._create(target)
        if chat is not None:
            return chat
        if self.graph is None:
            raise NotInstalledError(NOT_INSTALLED)
        await self._install(target)
        for _ in range(self.attempts):
            await self.sleep(self.wait_seconds)  # the installation takes a moment to reach Teams
            chat = await self._create(target)
            if chat is not None:
                return chat
        raise InstallationPendingError(target.aad_object_id)

    async def _create(self, target: PersonalTarget) -> ConversationInfo | None:
        """The chat with `target`, or None while the app is not installed for them."""
        try:
            return await self.sender.create_personal(target)
        except ErrorResponseException as error:
            if status_of(error) not in UNREACHABLE_STATUSES:
                raise
        return None

    async def find_entra_id(self, email: str) -> str | None:
        """The member's Entra object id by their mail, when Graph is configured."""
        if self.graph is None:
            return None
        return await self.graph.user_id_by_mail(email)

    async def _install(self, target: PersonalTarget) -> None:
        assert self.graph is not None
        if self._catalog_id is None:
            self._catalog_id = await self.graph.catalog_app_id(self.manifest_id)
        if self._catalog_id is None:
            raise NotInstalledError(NOT_IN_CATALOG)
        try:
            await self.graph.install_for_user(target.aad_object_id, self._catalog_id)
        except GraphError as error:
            if error.status == 429:
                raise
            log.warning("app installation refused", extra=fields(status=error.status))
            raise NotInstalledError(f"{INSTALL_REFUSED}: {error.status}") from error
        log.info("app installed for a member")
