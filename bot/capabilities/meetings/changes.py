"""Secretaries' changes to the årshjul in chat: a new year, an extra meeting, moving and
cancelling (confirmed through dialogs.confirmation), place and links, members and the body's
channel. The role each needs is declared where it is routed (bot/capabilities/meetings)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.capabilities.meetings.base import MeetingTurns
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from dialogs.turn import say, turn_session, turn_user
from knowledge.meeting_fields import https_link, written_after_meeting
from knowledge.meeting_words import parse_when
from storage import bodies, membership
from storage import meetings as service
from storage.access import Role
from storage.audit import Author
from storage.directory import PersonInfo
from storage.directory_snapshots import directory_index
from storage.errors import DomainError
from storage.meetings import InvalidMeetingError, MeetingInfo
from storage.models.base import utcnow

DEFAULT_MINUTES = 120
ROLE_WORDS = {
    "medlem": Role.MEMBER, "member": Role.MEMBER,
    "sekretær": Role.SECRETARY, "secretary": Role.SECRETARY,
    "formand": Role.CHAIR, "chair": Role.CHAIR,
}  # fmt: skip
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class SecretaryChanges(MeetingTurns):
    """What a body's secretary (or an admin) changes."""

    async def generate(self, context: TurnContext, match: IntentMatch) -> None:
        """ "generér årshjulet for 2027": an admin or a secretary creates the year's meetings."""
        year = int(match.params.get("year") or utcnow().astimezone(self.tz).year)
        if not 2000 <= year <= 2100:
            raise DomainError("meetings.bad_year", year=year)
        result = await service.generate_year(
            session=turn_session(context), plan=self._planning(), year=year,
            actor=turn_user(context).identity,
        )  # fmt: skip
        await say(
            context, "meetings.generated", created=len(result.created), existing=result.existing,
            year=year,
        )  # fmt: skip
        self._changed(context)

    async def add(self, context: TurnContext, match: IntentMatch) -> None:
        """ "opret møde i styregruppen 2027-03-04 13:00"."""
        body = self._body(context, match.params.get("body"))
        start = self._start(context, match.params.get("when", ""))
        minutes = body.cadence.duration_minutes if body.cadence else DEFAULT_MINUTES
        meeting = await service.add_meeting(
            session=turn_session(context), plan=self._planning(), body=body.key, start=start,
            end=start + timedelta(minutes=minutes), actor=turn_user(context).identity,
        )  # fmt: skip
        await say(
            context, "meetings.added", id=meeting.id, body=self._name(context, body),
            when=self._when(context, meeting.start),
        )  # fmt: skip
        self._changed(context)

    def _start(self, context: TurnContext, said: str) -> datetime:
        """A future start time from what the user wrote, or DomainError."""
        now = utcnow()
        local = now.astimezone(self.tz)
        start = parse_when(said, self.tz, default_year=local.year, today=local.date())
        if start is None:
            raise DomainError("meetings.bad_time", value=said)
        self._future(context, start)
        return start

    def _future(self, context: TurnContext, start: datetime) -> None:
        if start <= utcnow():
            raise DomainError("meetings.past_time", when=self._when(context, start))

    async def move(self, context: TurnContext, match: IntentMatch) -> None:
        """ "flyt møde 12 til 2027-03-04 13:00", "flyt næste møde i styregruppen til …", "flyt
        det til …" after a meeting was shown: asks for confirmation first."""
        meeting = await self._open_meeting(context, await self.meeting_named(context, match))
        start = self._start(context, match.params.get("when", ""))
        await self.confirmations.ask(
            context, "meetings.move",
            {"meeting_id": meeting.id, "start": start.isoformat(),
             "was": meeting.start.isoformat()},
            lead=self._t(context, "confirm_move", id=meeting.id,
                         title=self._title(context, meeting),
                         old=self._when(context, meeting.start), new=self._when(context, start)),
        )  # fmt: skip

    async def cancel(self, context: TurnContext, match: IntentMatch) -> None:
        """ "aflys møde 12", "aflys næste møde i styregruppen": asks for confirmation first."""
        meeting = await self._open_meeting(context, await self.meeting_named(context, match))
        await self.confirmations.ask(
            context, "meetings.cancel",
            {"meeting_id": meeting.id, "was": meeting.start.isoformat()},
            lead=self._t(context, "confirm_cancel", id=meeting.id,
                         title=self._title(context, meeting),
                         when=self._when(context, meeting.start)),
        )  # fmt: skip

    async def _confirmed(self, context: TurnContext, change: dict[str, Any]) -> MeetingInfo:
        """The meeting a confirmed change names, if the actor still may and it is unchanged."""
        meeting = await self._open_meeting(context, change["meeting_id"])
        if datetime.fromisoformat(change["was"]) != meeting.start:
            raise DomainError("meetings.stale", id=meeting.id,
                              when=self._when(context, meeting.start))  # fmt: skip
        return meeting

    async def confirm_move(self, context: TurnContext, change: dict[str, Any]) -> None:
        """A confirmed move: check again, move, re-plan the reminders."""
        start = datetime.fromisoformat(change["start"])
        meeting = await self._confirmed(context, change)
        self._future(context, start)
        moved = await service.move_meeting(
            session=turn_session(context), plan=self._planning(), meeting_id=meeting.id,
            start=start, actor=turn_user(context).identity,
        )  # fmt: skip
        await say(context, "meetings.moved", id=moved.id, when=self._when(context, moved.start))
        self._changed(context)

    async def confirm_cancel(self, context: TurnContext, change: dict[str, Any]) -> None:
        """A confirmed cancellation: check again, cancel, stop the reminders."""
        meeting = await self._confirmed(context, change)
        await service.cancel_meeting(
            session=turn_session(context), meeting_id=meeting.id, actor=turn_user(context).identity
        )
        await say(context, "meetings.cancelled", id=meeting.id, title=self._title(context, meeting))

    async def update(self, context: TurnContext, match: IntentMatch, field: str) -> None:
        """Set a meeting's place, Teams link or agenda link from the text the user wrote."""
        meeting = await self._open_meeting(context, int(match.params["id"]))
        raw = clean_text(context.activity)
        if field == "place":
            value = written_after_meeting(raw)
            if not value:
                raise DomainError("meetings.place_missing")
        else:
            link = https_link(raw)
            if link is None:
                raise DomainError("meetings.bad_link")
            value = link
        try:
            await service.update_meeting(
                session=turn_session(context), plan=self._planning(), meeting_id=meeting.id,
                actor=turn_user(context).identity,
                **{field: value[:1000]},
            )  # fmt: skip
        except InvalidMeetingError as invalid:
            raise DomainError("meetings.bad_link") from invalid
        await say(context, f"meetings.updated_{field}", id=meeting.id, value=value)
        self._changed(context)

    # --- members and channel -------------------------------------------------------------

    async def add_member(self, context: TurnContext, match: IntentMatch) -> None:
        """ "tilføj Anne Jensen som medlem af styregruppen"."""
        body = self._body(context, match.params.get("body"))
        person = await self._person(context, match.params.get("person", ""))
        role = ROLE_WORDS.get(match.params.get("role", ""), Role.MEMBER)
        await membership.add_member(
            session=turn_session(context), plan=self._planning(), body=body.key,
            principal=person.email, person_id=person.id, role=role,
            by=Author(turn_user(context).identity, "meetings"),
        )  # fmt: skip
        self._changed(context)
        await say(
            context, "meetings.member_added", name=person.name,
            role=self._t(context, f"role_{role.value}"), body=self._name(context, body),
        )  # fmt: skip

    async def remove_member(self, context: TurnContext, match: IntentMatch) -> None:
        """ "fjern Anne Jensen fra styregruppen" (every role, unless one is named)."""
        body = self._body(context, match.params.get("body"))
        person = await self._person(context, match.params.get("person", ""))
        ended = await membership.remove_member(
            session=turn_session(context), plan=self._planning(), body=body.key,
            principal=person.email, role=ROLE_WORDS.get(match.params.get("role", "")),
            by=Author(turn_user(context).identity, "meetings"),
        )  # fmt: skip
        if not ended:
            raise DomainError("meetings.member_not_found", name=person.name,
                              body=self._name(context, body))  # fmt: skip
        self._changed(context)
        await say(context, "meetings.member_removed", name=person.name,
                  body=self._name(context, body))  # fmt: skip

    async def _person(self, context: TurnContext, said: str) -> PersonInfo:
        """The one directory person `said` (or an email in the message) names, or DomainError."""
        email = _EMAIL.search(clean_text(context.activity))
        said = email.group(0) if email else said
        found = (await directory_index(session=turn_session(context))).find_people(said)
        if not found.people:
            raise DomainError("meetings.person_unknown", name=said)
        if found.person is None:
            names = ", ".join(f"{p.name} ({p.email})" for p in found.people[:5])
            raise DomainError("meetings.person_ambiguous", name=said, names=names)
        return found.person

    async def set_channel(self, context: TurnContext, match: IntentMatch) -> None:
        """ "sæt som kanal for styregruppen", written in the body's Teams channel."""
        body = self._body(context, match.params.get("body"))
        conversation = context.activity.conversation
        if conversation is None or conversation.conversation_type != "channel":
            raise DomainError("meetings.channel_only_in_channel")
        assert conversation.id is not None  # app._parse_activity admits none without one
        session = turn_session(context)
        await bodies.set_body_channel(
            session=session, body=body.key, conversation_id=conversation.id,
            actor=turn_user(context).identity,
        )  # fmt: skip
        await self._replan(context, body)
        await say(context, "meetings.channel_set", body=self._name(context, body))
