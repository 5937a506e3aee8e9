"""What every part of the årshjul in chat shares: the pack, names and times in the turn's
language, the body or meeting a message names, and waking the outbox dispatcher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.capabilities import Runtime
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from bot.subject import recall
from dialogs.permissions import acting_access
from dialogs.texts import in_lang, text
from dialogs.turn import NextStep, after_commit, turn_lang, turn_session, turn_user
from knowledge.calendar import format_when
from knowledge.meeting_words import (
    AnnualItemFinder,
    BodyFinder,
    meeting_bodies,
    title_under_body,
)
from knowledge.packs import load_pack
from knowledge.schema_bodies import Body
from storage import identity, reminders
from storage import meetings as service
from storage.access import Role
from storage.errors import DomainError, UnknownMeetingError
from storage.meetings import MeetingInfo
from storage.models.base import utcnow
from storage.reminders import Planning


class MeetingTurns:
    """The årshjul's conversation parts, bound to the active pack and time zone."""

    def __init__(self, runtime: Runtime) -> None:
        self.pack = load_pack(runtime.settings.knowledge_pack)
        self.tz = runtime.settings.tz
        self.language = runtime.settings.language
        self.bodies = BodyFinder(self.pack)
        self.all_bodies = BodyFinder(self.pack, meeting_only=False)
        self.items = AnnualItemFinder(self.pack)
        self._kick = runtime.outbox_kick
        self.confirmations = runtime.confirmations
        self._routes = runtime.routes
        self._proactive = runtime.proactive
        self._database = runtime.database

    # --- helpers -------------------------------------------------------------------------

    def _planning(self) -> Planning:
        """Reminders planned from now, by the active pack's rules in the local time zone."""
        return Planning(self.pack, self.tz, utcnow())

    def _t(self, context: TurnContext, key: str, **values: Any) -> str:
        return text(f"meetings.{key}", turn_lang(context), **values)

    def _name(self, context: TurnContext, body: Body) -> str:
        return str(in_lang(body, "name", turn_lang(context)))

    def _when(self, context: TurnContext, moment: datetime) -> str:
        return format_when(moment, turn_lang(context), self.tz)

    def _title(self, context: TurnContext, meeting: MeetingInfo) -> str:
        return str(in_lang(meeting, "title", turn_lang(context)))

    def _short_title(self, context: TurnContext, meeting: MeetingInfo) -> str:
        """The title where the body's name is already said (under its heading, after "i X")."""
        return title_under_body(self._title(context, meeting), self.pack.body(meeting.body))

    async def _rows(self, context: TurnContext, found: Sequence[MeetingInfo]) -> list[str]:
        """Meetings as lines of a list under their body's heading, in date order; the number a
        secretary writes to change one ("møde 12") only for the body's secretaries."""
        access = await acting_access(context)
        return [
            self._t(context, "row", status=m.status, title=self._short_title(context, m),
                    when=self._when(context, m.start),
                    id=m.id if access.has(Role.SECRETARY, m.body) else None)
            for m in sorted(found, key=lambda m: (m.start, m.id))
        ]  # fmt: skip

    def _body(self, context: TurnContext, said: str | None) -> Body:
        """The body the user named, or DomainError saying which bodies there are."""
        bodies = meeting_bodies(self.pack)
        if not said:
            raise DomainError("meetings.which_body", then=self._next_of(context, bodies))
        body = self.bodies.find(said)
        if body is None:
            names = ", ".join(self._name(context, b) for b in bodies)
            # "næste møde i sekretariatschefgruppen": a body of the pack that holds no meetings
            # on the wheel is no unknown forum.
            known = self.all_bodies.find(said)
            key = "meetings.no_meetings" if known is not None else "meetings.unknown_body"
            name = self._name(context, known) if known is not None else said
            raise DomainError(key, name=name, names=names, then=self._next_of(context, bodies))
        return body

    def _next_of(self, context: TurnContext, bodies: Sequence[Body]) -> list[NextStep]:
        """ "Næste møde i X" for each of `bodies` (at most three): the way on from a list."""
        lang = turn_lang(context)
        return [
            (b.button(lang), text("actions.next_of_say", lang, body=self._name(context, b)))
            for b in bodies[:3]
        ]

    async def _meeting(self, context: TurnContext, meeting_id: int) -> MeetingInfo:
        """The meeting with `meeting_id`, or DomainError."""
        try:
            return await service.get_meeting(session=turn_session(context), meeting_id=meeting_id)
        except UnknownMeetingError as unknown:
            raise DomainError("meetings.unknown_meeting", id=meeting_id) from unknown

    async def _open_meeting(self, context: TurnContext, meeting_id: int) -> MeetingInfo:
        """The meeting, unless it is cancelled."""
        meeting = await self._meeting(context, meeting_id)
        if meeting.status == "cancelled":
            raise DomainError("meetings.already_cancelled", id=meeting.id)
        return meeting

    # --- what a secretary's change is about (for the declared requirement) ----------------

    async def body_named(self, context: TurnContext, match: IntentMatch) -> str:
        """The body a message names."""
        return self._body(context, match.params.get("body")).key

    async def body_of_meeting(
        self, context: TurnContext, given: IntentMatch | dict[str, Any]
    ) -> str:
        """The body of the meeting a message (`id`) or a confirmed change (`meeting_id`) names."""
        meeting_id = (
            await self.meeting_named(context, given)
            if isinstance(given, IntentMatch)
            else given["meeting_id"]
        )
        return (await self._meeting(context, meeting_id)).body

    async def meeting_named(self, context: TurnContext, match: IntentMatch) -> int:
        """The id of the meeting a message names: its number ("møde 12"), a body's next
        meeting ("aflys næste møde i styregruppen"), or the meeting just shown ("flyt det")."""
        if match.params.get("id"):
            return int(match.params["id"])
        if match.params.get("body"):
            body = self._body(context, match.params["body"])
            found = await service.next_meeting(
                session=turn_session(context), body=body.key, now=utcnow()
            )
            if found is None:
                raise DomainError("meetings.none_next", body=self._name(context, body))
            return found.id
        subject = recall(context)
        if subject is None or subject.meeting_id is None:
            raise DomainError("followup.no_meeting")
        return subject.meeting_id

    def body_values(self, context: TurnContext, body_key: str | None) -> dict[str, Any]:
        """The values of a refusal about a body."""
        return {"body": self._name(context, self.pack.body(body_key))} if body_key else {}

    async def _principals(self, context: TurnContext) -> frozenset[str]:
        user = turn_user(context)
        return await identity.principals_of(
            session=turn_session(context), aad_object_id=user.aad_object_id, email=user.email
        )

    async def _replan(self, context: TurnContext, body: Body) -> None:
        """Opt-outs or the channel changed: re-plan the body's coming reminders."""
        await reminders.replan_body(
            session=turn_session(context), plan=self._planning(), body=body.key
        )
        self._changed(context)

    def _changed(self, context: TurnContext) -> None:
        """Deliveries were (re)planned: wake the dispatcher once the turn has committed."""
        after_commit(context, self._kick)
