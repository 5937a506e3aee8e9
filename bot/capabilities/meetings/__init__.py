"""The årshjul in chat: next meeting, the year's wheel, secretaries' changes, members, the body's
channel, and the buttons on the reminder card.

Every button is re-checked here: the meeting, its body and the actor's role come from the
database, never from the card's data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import TurnContext

from bot.capabilities import Runtime
from bot.capabilities.core import answer_with
from bot.conversations import clean_text
from bot.intents import IntentMatch
from bot.subject import recall, remember
from dialogs.cards import MAIN_ACTIONS
from dialogs.texts import text
from dialogs.turn import after_commit, say, show, turn_lang, turn_session, turn_user
from knowledge.calendar import format_when
from knowledge.meeting_words import BodyFinder, meeting_bodies, parse_when
from knowledge.packs import load_pack
from knowledge.schema import Body
from storage import bodies, identity, outbox, reminders
from storage import meetings as service
from storage.access import Access, Role, access_of
from storage.directory import PersonInfo
from storage.directory_index import directory_index
from storage.errors import UnknownMeetingError
from storage.meetings import InvalidMeetingError, MeetingInfo
from storage.models.base import utcnow

DEFAULT_MINUTES = 120
ROLE_WORDS = {
    "medlem": Role.MEMBER, "member": Role.MEMBER,
    "sekretær": Role.SECRETARY, "sekretaer": Role.SECRETARY, "secretary": Role.SECRETARY,
    "formand": Role.CHAIR, "chair": Role.CHAIR,
}  # fmt: skip
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The free text after "møde 12 til"/"meeting 12 to" in what the user wrote (case kept).
_AFTER_MEETING = re.compile(
    r"(?:møde|mødet|meeting)\s*(?:nr\.?|#)?\s*\d+\s*(?:til|to|er|is|:)?\s*(?P<value>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def _positive_int(value: Any) -> int | None:
    """An id from untrusted input, if it is a plausible one."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value < 2**31 else None


def _instant(value: Any) -> datetime | None:
    """A timezone-aware ISO time from untrusted card data."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


class Meetings:
    """The årshjul capability, bound to the active pack and time zone."""

    def __init__(self, runtime: Runtime) -> None:
        self.pack = load_pack(runtime.settings.knowledge_pack)
        self.tz = runtime.settings.tz
        self.bodies = BodyFinder(self.pack)
        self._kick = runtime.outbox_kick

    # --- helpers -------------------------------------------------------------------------

    def _t(self, context: TurnContext, key: str, **values: Any) -> str:
        return text(f"meetings.{key}", turn_lang(context), **values)

    def _name(self, context: TurnContext, body: Body) -> str:
        return body.name_en if turn_lang(context) == "en" else body.name_da

    def _when(self, context: TurnContext, moment: datetime) -> str:
        return format_when(moment, turn_lang(context), self.tz)

    def _title(self, context: TurnContext, meeting: MeetingInfo) -> str:
        return (meeting.title_en or meeting.title) if turn_lang(context) == "en" else meeting.title

    async def _body(self, context: TurnContext, said: str | None) -> Body | None:
        """The body the user named, or an answer saying which bodies there are."""
        if not said:
            await say(context, "meetings.which_body")
            return None
        body = self.bodies.find(said)
        if body is None:
            names = ", ".join(self._name(context, b) for b in meeting_bodies(self.pack))
            await say(context, "meetings.unknown_body", name=said, names=names)
        return body

    async def _access(self, context: TurnContext) -> Access:
        user = turn_user(context)
        return await access_of(
            session=turn_session(context), aad_object_id=user.aad_object_id, email=user.email
        )

    async def _may_manage(self, context: TurnContext, body_key: str) -> bool:
        """Secretaries of the body and admins may change it; everyone else is told so."""
        access = await self._access(context)
        if access.is_admin or (Role.SECRETARY, body_key) in access.grants:
            return True
        body = self.pack.body(body_key)
        await say(context, "meetings.not_allowed", body=self._name(context, body))
        return False

    async def _managed_meeting(
        self, context: TurnContext, meeting_id: int | None
    ) -> MeetingInfo | None:
        """The meeting, once the actor may manage its body (both read from the database)."""
        if meeting_id is None:
            await show(context, "help", lead=text("fallback.card_unknown", turn_lang(context)),
                       actions=MAIN_ACTIONS)  # fmt: skip
            return None
        try:
            meeting = await service.get_meeting(
                session=turn_session(context), meeting_id=meeting_id
            )
        except UnknownMeetingError:
            await say(context, "meetings.unknown_meeting", id=meeting_id)
            return None
        if not await self._may_manage(context, meeting.body):
            return None
        return meeting

    async def _principals(self, context: TurnContext) -> frozenset[str]:
        user = turn_user(context)
        return await identity.principals_of(
            session=turn_session(context), aad_object_id=user.aad_object_id, email=user.email
        )

    async def _managed_body(self, context: TurnContext, match: IntentMatch) -> Body | None:
        """The body the user named, once the actor may manage it."""
        body = await self._body(context, match.params.get("body"))
        if body is None or not await self._may_manage(context, body.key):
            return None
        return body

    async def _replan(self, context: TurnContext, body: Body) -> None:
        """Opt-outs or the channel changed: re-plan the body's coming reminders."""
        await reminders.replan_body(
            session=turn_session(context), pack=self.pack, body=body.key, tz=self.tz, now=utcnow()
        )
        self._changed(context)

    def _changed(self, context: TurnContext) -> None:
        """Deliveries were (re)planned: wake the dispatcher once the turn has committed."""
        after_commit(context, self._kick)

    # --- reading -------------------------------------------------------------------------

    async def next_meeting(self, context: TurnContext, match: IntentMatch) -> None:
        """ "næste møde i styregruppen"; without a body, the next meeting of every body.

        Follow-ups pass `meeting` and `step` (next, previous, same) to move from the meeting
        just shown; a bare "hvornår?" after a body's answer asks about that body.
        """
        if match.params.get("meeting"):
            await self._step_from(context, int(match.params["meeting"]), match.params["step"])
            return
        said = match.params.get("body")
        if not said and match.via == "model":
            subject = recall(context)
            said = subject.body if subject is not None and subject.body else None
        if not said:
            await self._next_of_every_body(context)
            return
        body = await self._body(context, said)
        if body is None:
            return
        meeting = await service.next_meeting(
            session=turn_session(context), body=body.key, now=utcnow()
        )
        if meeting is None:
            await say(context, "meetings.none_next", body=self._name(context, body))
            return
        await self._tell(context, body, meeting)

    async def _tell(
        self, context: TurnContext, body: Body, meeting: MeetingInfo, key: str = "meetings.next"
    ) -> None:
        await say(
            context, key, body=self._name(context, body), id=meeting.id,
            title=self._title(context, meeting), when=self._when(context, meeting.start),
            place=meeting.place, teams_link=meeting.teams_link, agenda=meeting.agenda,
        )  # fmt: skip
        remember(context, "meetings.next", body=body.key, meeting_id=meeting.id)

    async def _step_from(self, context: TurnContext, meeting_id: int, step: str) -> None:
        """The meeting after, before or the same as one already shown."""
        session = turn_session(context)
        try:
            current = await service.get_meeting(session=session, meeting_id=meeting_id)
        except UnknownMeetingError:
            await say(context, "followup.no_meeting")
            return
        found = (
            current
            if step == "same"
            else await service.neighbour_meeting(
                session=session, meeting_id=meeting_id, later=step == "next"
            )
        )
        body = self.pack.body(current.body)
        if found is None:
            key = "followup.none_after" if step == "next" else "followup.none_before"
            await say(context, key, body=self._name(context, body))
            return
        told = {"next": "followup.after", "previous": "followup.before", "same": "followup.place"}
        await self._tell(context, body, found, told[step])

    async def _next_of_every_body(self, context: TurnContext) -> None:
        rows = []
        for body in meeting_bodies(self.pack):
            meeting = await service.next_meeting(
                session=turn_session(context), body=body.key, now=utcnow()
            )
            if meeting is not None:
                rows.append((meeting.start, body, meeting))
        if not rows:
            await say(context, "meetings.none_upcoming")
            return
        sections = [
            {
                "title": self._name(context, body),
                "rows": [
                    self._t(context, "row", id=m.id, status=m.status,
                            title=self._title(context, m), when=self._when(context, m.start))
                ],
            }
            for _, body, m in sorted(rows, key=lambda row: row[0])
        ]  # fmt: skip
        await show(
            context, "meetings_list", heading=self._t(context, "upcoming_heading"),
            sections=sections,
        )  # fmt: skip

    async def year(self, context: TurnContext, match: IntentMatch) -> None:
        """ "årshjulet for 2027": the year's meetings grouped by body, as a card."""
        year = int(match.params.get("year") or utcnow().astimezone(self.tz).year)
        if not 2000 <= year <= 2100:
            await say(context, "meetings.year_empty", year=year)
            return
        found = await service.list_meetings(
            session=turn_session(context), tz=self.tz, year=year, include_cancelled=True
        )
        if not found:
            await say(context, "meetings.year_empty", year=year)
            return
        sections = []
        for body in self.pack.bodies:
            rows = [
                self._t(context, "row", id=m.id, status=m.status,
                        title=self._title(context, m), when=self._when(context, m.start))
                for m in found if m.body == body.key
            ]  # fmt: skip
            if rows:
                sections.append({"title": self._name(context, body), "rows": rows})
        await show(
            context, "meetings_list", heading=self._t(context, "year_heading", year=year),
            sections=sections,
        )  # fmt: skip

    async def members(self, context: TurnContext, match: IntentMatch) -> None:
        """ "medlemmer af styregruppen"; "hvem deltager?" after a body's answer."""
        said = match.params.get("body")
        if not said:
            subject = recall(context)
            said = subject.body if subject is not None and subject.body else None
        body = await self._body(context, said)
        if body is None:
            return
        people = await bodies.members(session=turn_session(context), body=body.key)
        if not people:
            await say(context, "meetings.members_none", body=self._name(context, body))
            return
        rows = [
            self._t(context, "member_row", name=p.name or p.principal,
                    role=self._t(context, f"role_{p.role.value}"))
            for p in people
        ]  # fmt: skip
        await show(
            context, "meetings_list",
            heading=self._t(context, "members_heading", body=self._name(context, body)),
            sections=[{"title": None, "rows": rows}],
        )  # fmt: skip
        remember(context, "meetings.members", body=body.key)

    # --- secretaries' changes ------------------------------------------------------------

    async def generate(self, context: TurnContext, match: IntentMatch) -> None:
        """ "generér årshjulet for 2027": an admin or a secretary creates the year's meetings."""
        access = await self._access(context)
        if not (access.is_admin or any((Role.SECRETARY, b.key) in access.grants
                                       for b in meeting_bodies(self.pack))):  # fmt: skip
            await say(context, "meetings.not_allowed_any")
            return
        year = int(match.params.get("year") or utcnow().astimezone(self.tz).year)
        if not 2000 <= year <= 2100:
            await say(context, "meetings.bad_year", year=year)
            return
        result = await service.generate_year(
            session=turn_session(context), pack=self.pack, year=year, tz=self.tz,
            actor=turn_user(context).identity, now=utcnow(),
        )  # fmt: skip
        await say(
            context, "meetings.generated", created=len(result.created), existing=result.existing,
            year=year,
        )  # fmt: skip
        self._changed(context)

    async def add(self, context: TurnContext, match: IntentMatch) -> None:
        """ "opret møde i styregruppen 2027-03-04 13:00"."""
        body = await self._managed_body(context, match)
        if body is None:
            return
        start = await self._start(context, match.params.get("when", ""))
        if start is None:
            return
        minutes = body.cadence.duration_minutes if body.cadence else DEFAULT_MINUTES
        meeting = await service.add_meeting(
            session=turn_session(context), pack=self.pack, body=body.key, start=start,
            end=start + timedelta(minutes=minutes), actor=turn_user(context).identity,
            tz=self.tz, now=utcnow(),
        )  # fmt: skip
        await say(
            context, "meetings.added", id=meeting.id, body=self._name(context, body),
            when=self._when(context, meeting.start),
        )  # fmt: skip
        self._changed(context)

    async def _start(self, context: TurnContext, said: str) -> datetime | None:
        """A future start time from what the user wrote, or a re-prompt."""
        now = utcnow()
        start = parse_when(said, self.tz, default_year=now.astimezone(self.tz).year)
        if start is None:
            await say(context, "meetings.bad_time", value=said)
            return None
        if start <= now:
            await say(context, "meetings.past_time", when=self._when(context, start))
            return None
        return start

    async def move(self, context: TurnContext, match: IntentMatch) -> None:
        """ "flyt møde 12 til 2027-03-04 13:00": asks for confirmation first."""
        meeting = await self._managed_meeting(context, _positive_int(match.params.get("id")))
        if meeting is None or not await self._open(context, meeting):
            return
        start = await self._start(context, match.params.get("when", ""))
        if start is None:
            return
        await show(
            context, "meetings_confirm",
            lead=self._t(context, "confirm_move", id=meeting.id,
                         title=self._title(context, meeting),
                         old=self._when(context, meeting.start), new=self._when(context, start)),
            yes={"action": "meetings.move", "meeting_id": meeting.id,
                 "start": start.isoformat(), "was": meeting.start.isoformat()},
        )  # fmt: skip

    async def cancel(self, context: TurnContext, match: IntentMatch) -> None:
        """ "aflys møde 12": asks for confirmation first."""
        meeting = await self._managed_meeting(context, _positive_int(match.params.get("id")))
        if meeting is None or not await self._open(context, meeting):
            return
        await show(
            context, "meetings_confirm",
            lead=self._t(context, "confirm_cancel", id=meeting.id,
                         title=self._title(context, meeting),
                         when=self._when(context, meeting.start)),
            yes={"action": "meetings.cancel", "meeting_id": meeting.id,
                 "was": meeting.start.isoformat()},
        )  # fmt: skip

    async def _open(self, context: TurnContext, meeting: MeetingInfo) -> bool:
        if meeting.status == "cancelled":
            await say(context, "meetings.already_cancelled", id=meeting.id)
            return False
        return True

    async def _confirmed(self, context: TurnContext, data: Mapping[str, Any]) -> MeetingInfo | None:
        """The meeting a confirmation card names, if the actor may and it is unchanged since."""
        meeting = await self._managed_meeting(context, _positive_int(data.get("meeting_id")))
        if meeting is None or not await self._open(context, meeting):
            return None
        if _instant(data.get("was")) != meeting.start:
            await say(context, "meetings.stale", id=meeting.id,
                      when=self._when(context, meeting.start))  # fmt: skip
            return None
        return meeting

    async def confirm_move(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """The "Ja, flyt" button of the confirmation card."""
        start = _instant(data.get("start"))
        meeting = await self._confirmed(context, data)
        if meeting is None:
            return
        if start is None or start <= utcnow():
            await say(context, "meetings.bad_time", value=str(data.get("start") or ""))
            return
        moved = await service.move_meeting(
            session=turn_session(context), pack=self.pack, meeting_id=meeting.id, start=start,
            actor=turn_user(context).identity, tz=self.tz, now=utcnow(),
        )  # fmt: skip
        await say(context, "meetings.moved", id=moved.id, when=self._when(context, moved.start))
        self._changed(context)

    async def confirm_cancel(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """The "Ja, aflys" button of the confirmation card."""
        meeting = await self._confirmed(context, data)
        if meeting is None:
            return
        await service.cancel_meeting(
            session=turn_session(context), meeting_id=meeting.id, actor=turn_user(context).identity
        )
        await say(context, "meetings.cancelled", id=meeting.id, title=self._title(context, meeting))

    async def keep(self, context: TurnContext, _data: Mapping[str, Any]) -> None:
        """The "Nej" button: nothing changes."""
        await say(context, "meetings.kept")

    async def update(self, context: TurnContext, match: IntentMatch, field: str) -> None:
        """Set a meeting's place, Teams link or agenda link from the text the user wrote."""
        meeting = await self._managed_meeting(context, _positive_int(match.params.get("id")))
        if meeting is None or not await self._open(context, meeting):
            return
        raw = clean_text(context.activity)
        if field == "place":
            found = _AFTER_MEETING.search(raw)
            value = found.group("value").strip() if found else ""
            if not value:
                await say(context, "meetings.place_missing")
                return
        else:
            url = _URL.search(raw)
            if url is None or not url.group(0).lower().startswith("https://"):
                await say(context, "meetings.bad_link")
                return
            value = url.group(0).rstrip(".,;)")
        try:
            await service.update_meeting(
                session=turn_session(context), pack=self.pack, meeting_id=meeting.id,
                actor=turn_user(context).identity, tz=self.tz, now=utcnow(),
                **{field: value[:1000]},
            )  # fmt: skip
        except InvalidMeetingError:
            await say(context, "meetings.bad_link")
            return
        await say(context, f"meetings.updated_{field}", id=meeting.id, value=value)
        self._changed(context)

    # --- members and channel -------------------------------------------------------------

    async def add_member(self, context: TurnContext, match: IntentMatch) -> None:
        """ "tilføj Anne Jensen som medlem af styregruppen"."""
        body = await self._managed_body(context, match)
        if body is None:
            return
        person = await self._person(context, match.params.get("person", ""))
        if person is None:
            return
        role = ROLE_WORDS.get(match.params.get("role", ""), Role.MEMBER)
        await service.add_member(
            session=turn_session(context), pack=self.pack, body=body.key,
            principal=person.email, person_id=person.id, role=role,
            actor=turn_user(context).identity, tz=self.tz, now=utcnow(),
        )  # fmt: skip
        self._changed(context)
        await say(
            context, "meetings.member_added", name=person.name,
            role=self._t(context, f"role_{role.value}"), body=self._name(context, body),
        )  # fmt: skip

    async def remove_member(self, context: TurnContext, match: IntentMatch) -> None:
        """ "fjern Anne Jensen fra styregruppen" (every role, unless one is named)."""
        body = await self._managed_body(context, match)
        if body is None:
            return
        person = await self._person(context, match.params.get("person", ""))
        if person is None:
            return
        ended = await service.remove_member(
            session=turn_session(context), pack=self.pack, body=body.key,
            principal=person.email, role=ROLE_WORDS.get(match.params.get("role", "")),
            actor=turn_user(context).identity, tz=self.tz, now=utcnow(),
        )  # fmt: skip
        if not ended:
            await say(context, "meetings.member_not_found", name=person.name,
                      body=self._name(context, body))  # fmt: skip
            return
        self._changed(context)
        await say(context, "meetings.member_removed", name=person.name,
                  body=self._name(context, body))  # fmt: skip

    async def _person(self, context: TurnContext, said: str) -> PersonInfo | None:
        """The one directory person `said` (or an email in the message) names, or why not."""
        email = _EMAIL.search(clean_text(context.activity))
        said = email.group(0) if email else said
        found = (await directory_index(session=turn_session(context))).find_people(said)
        if not found.people:
            await say(context, "meetings.person_unknown", name=said)
            return None
        if found.person is None:
            names = ", ".join(f"{p.name} ({p.email})" for p in found.people[:5])
            await say(context, "meetings.person_ambiguous", name=said, names=names)
            return None
        return found.person

    async def set_channel(self, context: TurnContext, match: IntentMatch) -> None:
        """ "sæt som kanal for styregruppen", written in the body's Teams channel."""
        body = await self._managed_body(context, match)
        if body is None:
            return
        conversation = context.activity.conversation
        if conversation is None or conversation.conversation_type != "channel":
            await say(context, "meetings.channel_only_in_channel")
            return
        session = turn_session(context)
        await bodies.set_body_channel(
            session=session, body=body.key, conversation_id=conversation.id,
            actor=turn_user(context).identity,
        )  # fmt: skip
        await self._replan(context, body)
        await say(context, "meetings.channel_set", body=self._name(context, body))

    # --- the reminder card ---------------------------------------------------------------

    async def _own_delivery(
        self, context: TurnContext, data: Mapping[str, Any]
    ) -> outbox.Delivery | None:
        """The meeting reminder the card names, if it was sent to the acting user."""
        key = data.get("key")
        delivery = None
        if isinstance(key, str) and key.startswith("meeting:") and len(key) <= 500:
            delivery = await outbox.get_delivery(session=turn_session(context), key=key)
        if delivery is None or delivery.principal not in await self._principals(context):
            await say(context, "meetings.not_yours")
            return None
        return delivery

    async def acknowledge(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """ "Set" on a reminder."""
        delivery = await self._own_delivery(context, data)
        if delivery is None:
            return
        await outbox.acknowledge(session=turn_session(context), key=delivery.key)
        await say(context, "meetings.acknowledged")

    async def snooze(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """ "Mind mig igen i morgen" on a reminder."""
        delivery = await self._own_delivery(context, data)
        if delivery is None:
            return
        due = await reminders.snooze(
            session=turn_session(context), key=delivery.key, principal=delivery.principal,
            tz=self.tz, now=utcnow(),
        )  # fmt: skip
        if due is None:
            await say(context, "meetings.not_yours")
            return
        await say(context, "meetings.snoozed", when=self._when(context, due))
        self._changed(context)

    async def opt_out(self, context: TurnContext, data: Mapping[str, Any]) -> None:
        """ "Ingen 1:1-påmindelser for dette forum" on a reminder."""
        said = data.get("body")
        body = self.bodies.find(said) if isinstance(said, str) and len(said) <= 100 else None
        if body is None or body.key != said:
            await say(context, "meetings.not_yours")
            return
        await self._set_opt_out(context, body, opted_out=True)

    async def opt_in(self, context: TurnContext, match: IntentMatch) -> None:
        """ "påmindelser til for styregruppen"."""
        body = await self._body(context, match.params.get("body"))
        if body is not None:
            await self._set_opt_out(context, body, opted_out=False)

    async def opt_out_text(self, context: TurnContext, match: IntentMatch) -> None:
        """ "påmindelser fra for styregruppen"."""
        body = await self._body(context, match.params.get("body"))
        if body is not None:
            await self._set_opt_out(context, body, opted_out=True)

    async def _set_opt_out(self, context: TurnContext, body: Body, *, opted_out: bool) -> None:
        session = turn_session(context)
        principals = await self._principals(context)
        mine = [m for m in await bodies.members(session=session, body=body.key)
                if m.principal in principals]  # fmt: skip
        if not mine:
            await say(context, "meetings.not_member", body=self._name(context, body))
            return
        await reminders.set_opt_out(
            session=session, principal=mine[0].principal, body=body.key, opted_out=opted_out
        )
        await self._replan(context, body)
        key = "meetings.opted_out" if opted_out else "meetings.opted_in"
        await say(context, key, body=self._name(context, body), body_key=body.key)


def register(runtime: Runtime) -> None:
    """Add the årshjul's intents and the buttons of its cards."""
    meetings = Meetings(runtime)
    routes = runtime.routes
    routes.action("meetings.next", meetings.next_meeting)
    routes.action("meetings.year", meetings.year)
    routes.action("meetings.members", meetings.members)
    routes.action("meetings.generate", meetings.generate)
    routes.action("meetings.add", meetings.add)
    routes.action("meetings.move", meetings.move)
    routes.action("meetings.cancel", meetings.cancel)
    for field in ("place", "teams_link", "agenda"):

        async def update(context: TurnContext, match: IntentMatch, field: str = field) -> None:
            await meetings.update(context, match, field)

        routes.action(f"meetings.{field}", update)
    routes.action("meetings.add_member", meetings.add_member)
    routes.action("meetings.remove_member", meetings.remove_member)
    routes.action("meetings.set_channel", meetings.set_channel)
    routes.action("meetings.opt_in", meetings.opt_in)
    routes.action("meetings.opt_out", meetings.opt_out_text)
    # The pack's own first body that meets, so every example can be written as it stands.
    example = next(iter(meeting_bodies(meetings.pack)), None)
    body = example.name_da.lower() if example else "forummet"
    routes.action("meetings.admin", answer_with("meetings.admin_hint", body=body))
    routes.action("meetings.reminders", answer_with("meetings.reminders_hint", body=body))
    routes.submit("meetings.move", meetings.confirm_move)
    routes.submit("meetings.cancel", meetings.confirm_cancel)
    routes.submit("meetings.keep", meetings.keep)
    routes.submit("meetings.ack", meetings.acknowledge)
    routes.submit("meetings.snooze", meetings.snooze)
    routes.submit("meetings.opt_out", meetings.opt_out)
