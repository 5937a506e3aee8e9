"""Linking a Teams user to their directory person: the email from Teams' member endpoint
before the turn, recorded and linked inside it."""

from __future__ import annotations

import logging
import time

from bot.sdk import TeamsInfo, TurnContext
from dialogs.turn import turn_session, turn_user
from storage.conversations import get_conversation
from storage.db import Database
from storage.directory import link_identity
from storage.identity import record_user_email

log = logging.getLogger(__name__)

# How long a failed member look-up is not retried for the same user.
MEMBER_RETRY_SECONDS = 3600.0
# Where the member look-up before a turn leaves the email it found, for the turn to record.
MEMBER_EMAIL_KEY = "govbot.member_email"


class MemberLink:
    """The two turn hooks that link users, with the look-ups that failed lately."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._member_failures: dict[str, float] = {}

    async def look_up_member(self, context: TurnContext) -> None:
        """Before the turn's transaction, in a 1:1 chat: the user's email from Teams, once.

        Teams sends the AAD object id but not the email; the connector's member endpoint has
        it. Once recorded the email sits on the conversation row, so there is one look-up per
        conversation; it is a network call, so no transaction or writer lock waits for it.
        """
        activity = context.activity
        conversation = activity.conversation
        user = turn_user(context)
        if (
            conversation is None
            or (conversation.conversation_type or "personal") != "personal"
            or not user.aad_object_id
            or activity.channel_id != "msteams"
        ):
            return
        # app._parse_activity admits no activity without these.
        assert conversation.id is not None and activity.from_property is not None
        assert activity.from_property.id is not None
        # The retry pause needs no database, so it is checked before the conversation is read.
        failed_at = self._member_failures.get(user.aad_object_id)
        if failed_at is not None and time.monotonic() - failed_at < MEMBER_RETRY_SECONDS:
            return
        async with self._database.sessions() as session:  # a read, closed before the call
            stored = await get_conversation(session=session, conversation_id=conversation.id)
        if stored is not None and stored.user_email:
            return
        try:
            member = await TeamsInfo.get_member(context, activity.from_property.id)
        except Exception as error:  # the connector may refuse or be unreachable; chat goes on
            self._member_failures[user.aad_object_id] = time.monotonic()
            log.info("member look-up failed", extra={"error": type(error).__name__})
            return
        email = getattr(member, "email", None) or getattr(member, "user_principal_name", None) or ""
        if "@" in email:
            context.turn_state[MEMBER_EMAIL_KEY] = email

    async def link_user(self, context: TurnContext) -> None:
        """In the turn's transaction: remember the email the look-up found on the conversation
        and link the Teams user to their directory person."""
        email = context.turn_state.pop(MEMBER_EMAIL_KEY, None)
        user = turn_user(context)
        conversation = context.activity.conversation
        if email is None or conversation is None or conversation.id is None:
            return
        assert user.aad_object_id is not None  # look_up_member asks only for such users
        session = turn_session(context)
        await record_user_email(session=session, conversation_id=conversation.id, email=email)
        await link_identity(
            session=session, email=email, aad_object_id=user.aad_object_id, actor="teams"
        )
