"""Roster sync: learn the Entra object id of every member of the teams and chats govbot is in.

Teams lists a team's (or group chat's) members page by page with a continuation token; each
member's email links the directory person to the object id the bot needs to open a 1:1 chat
with them. A sync runs when the bot is added to a team or members join it, and once a day over
every team and group chat the bot has seen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.connectors import bot_connector
from bot.logs import fields
from bot.sdk import CloudAdapter
from storage.conversations import ConversationInfo, shared_conversations
from storage.db import Database
from storage.roster_links import RosterMember, link_roster

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Roster:
    """Where one roster is listed: a team (by its team id) or a group chat."""

    roster_id: str
    service_url: str


def roster_of(conversation: ConversationInfo) -> Roster | None:
    """The roster a conversation belongs to; None for a 1:1 chat (it has no roster to learn)."""
    if conversation.conversation_type == "personal":
        return None
    return Roster(conversation.team_id or conversation.conversation_id, conversation.service_url)


class RosterSync:
    """Pages through rosters on the Bot Connector and links their members in the directory."""

    def __init__(
        self, database: Database, adapter: CloudAdapter, app_id: str, *, page_size: int = 500
    ) -> None:
        self.database = database
        self.adapter = adapter
        self.app_id = app_id
        self.page_size = page_size
        self._running: set[asyncio.Task[int]] = set()

    async def sync(self, roster: Roster) -> int:
        """Read every page of `roster`; returns how many directory people were newly linked."""
        connector = await bot_connector(self.adapter, self.app_id, roster.service_url)
        token: str | None = None
        linked = 0
        while True:
            page = await connector.conversations.get_teams_conversation_paged_members(
                roster.roster_id, self.page_size, token
            )
            members = [
                RosterMember(m.aad_object_id, m.email or m.user_principal_name, m.name, m.id)
                for m in page.members or []
                if m.aad_object_id
            ]
            async with self.database.transaction() as session:
                linked += await link_roster(session=session, members=members)
            token = page.continuation_token
            if not token:
                return linked

    def sync_soon(self, roster: Roster) -> asyncio.Task[int]:
        """Start syncing `roster` in the background (from a turn that must not wait for it)."""
        task = asyncio.create_task(self._sync_logged(roster), name="roster-sync-one")
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def settled(self) -> None:
        """Wait for every sync started by `sync_soon` to end."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the syncs still running (the app is shutting down)."""
        for task in list(self._running):
            task.cancel()
        await self.settled()

    async def _sync_logged(self, roster: Roster) -> int:
        try:
            linked = await self.sync(roster)
        except Exception as error:  # the next day's pass tries again
            log.warning("roster sync failed", extra=fields(error=type(error).__name__))
            return 0
        log.info("roster synced", extra=fields(linked=linked))
        return linked

    async def sync_all(self) -> int:
        """Sync every team and group chat govbot has seen; one failing roster is skipped."""
        async with self.database.transaction() as session:
            shared = await shared_conversations(session=session)
        rosters = list(dict.fromkeys(r for r in map(roster_of, shared) if r is not None))
        linked = 0
        for roster in rosters:
            try:
                linked += await self.sync(roster)
            except Exception as error:  # one team gone or refusing must not stop the rest
                log.warning("roster sync failed", extra=fields(error=type(error).__name__))
        return linked

    async def run_daily(
        self,
        *,
        interval: float = DAY_SECONDS,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """Sync every roster once per `interval`, the first time one interval after start."""
        while True:
            await sleep(interval)
            try:
                linked = await self.sync_all()
                log.info("rosters synced", extra=fields(linked=linked))
            except Exception as error:  # a database outage must not end the loop
                log.warning("roster pass failed", extra=fields(error=type(error).__name__))
