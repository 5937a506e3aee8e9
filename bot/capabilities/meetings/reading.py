"""Reading the årshjul in chat: the next meeting (of a body, or of every body), the meeting
before or after one just shown, the year's wheel and a body's members."""

from __future__ import annotations

from datetime import datetime

from bot.capabilities.meetings.base import MeetingTurns
from bot.capabilities.meetings.deadlines import asked_deadline, deadline_passed
from bot.intents import IntentMatch
from bot.sdk import TurnContext
from bot.subject import recall, remember
from dialogs.permissions import acting_access
from dialogs.texts import in_lang
from dialogs.turn import say, show, turn_lang, turn_session
from dialogs.turn import step as next_step
from knowledge.calendar import format_day, reminder_time
from knowledge.meeting_words import asked_meeting_number, meeting_bodies
from knowledge.render import in_sentence
from knowledge.schema_bodies import AnnualItem, Body, ReminderRule
from storage import bodies
from storage import meetings as service
from storage.access import BODY_ROLES, Role
from storage.errors import DomainError, UnknownMeetingError
from storage.meetings import MeetingInfo
from storage.models.base import utcnow


class WheelReading(MeetingTurns):
    """Anyone's questions about the årshjul."""

    async def next_meeting(self, context: TurnContext, match: IntentMatch) -> None:
        """ "næste møde i styregruppen"; without a body, the next meeting of every body.

        Follow-ups pass `meeting` and `step` (next, previous, same) to move from the meeting
        just shown; a bare "hvornår?" after a body's answer asks about that body.
        """
        if match.params.get("meeting"):
            await self._step_from(context, int(match.params["meeting"]), match.params["step"])
            return
        said = match.params.get("body")
        named = self.items.find(match.text) if match.text else None
        # "hvornår er seminaret": the yearly item, unless another body is named beside it (a
        # name that is no meeting body, "digitalisering" read out of "digitaliseringsseminaret",
        # names none).
        if named is not None and (not said or self.bodies.find(said) in (None, named[0])):
            await self._next_item(context, *named)
            return
        if not said and match.via == "model":
            subject = recall(context)
            said = subject.body if subject is not None and subject.body else None
        if not said:
            await self._next_of_every_body(context)
            return
        body = self._body(context, said)
        meeting = await service.next_meeting(
            session=turn_session(context), body=body.key, now=utcnow()
        )
        number = asked_meeting_number(match.text) if match.text else None
        numbered = await self._numbered(context, body, number, meeting) if number else None
        if numbered is not None:
            await self._tell(context, body, numbered, "meetings.numbered")
            return
        if meeting is None:
            lang = turn_lang(context)
            await say(context, "meetings.none_next", body=self._name(context, body),
                      then=[next_step("year", lang)])  # fmt: skip
            return
        rule = asked_deadline(match.text, body) if match.text else None
        if rule is not None:
            await self._tell_deadline(context, body, meeting, rule)
            return
        await self._tell(context, body, meeting)

    async def _numbered(
        self, context: TurnContext, body: Body, number: int, upcoming: MeetingInfo | None
    ) -> MeetingInfo | None:
        """Meeting `number` of the year `body`'s `upcoming` meeting is in (this year when none
        is planned), by its place on the wheel (plan key "{body}:{year}:{number}")."""
        year = (upcoming.start if upcoming else utcnow()).astimezone(self.tz).year
        return await service.planned_meeting(
            session=turn_session(context), plan_key=f"{body.key}:{year}:{number}"
        )

    async def _next_item(self, context: TurnContext, body: Body, item: AnnualItem) -> None:
        """When the yearly item (a seminar, a status on the body's agenda) is next held."""
        lang = turn_lang(context)
        meeting = await service.next_meeting(
            session=turn_session(context), body=body.key, now=utcnow(), item=item
        )
        title = str(in_lang(item, "title", lang))
        if meeting is None:
            await say(context, "meetings.item_none_next", title=title,
                      body=in_sentence(self._name(context, body), lang),
                      then=[next_step("year", lang)])  # fmt: skip
            return
        access = await acting_access(context)
        # the pack's references are checked: `responsible` names one of its bodies
        responsible = self.pack.body(item.responsible) if item.responsible else body
        await say(
            context, "meetings.next_item", title=title, when=self._when(context, meeting.start),
            body=self._name(context, responsible), place=meeting.place,
            id=meeting.id if access.has(Role.SECRETARY, body.key) else None,
            teams_link=meeting.teams_link, about=in_lang(item, "description", lang),
            then=[next_step("year", lang)],
        )  # fmt: skip
        remember(context, "meetings.next", body=body.key, meeting_id=meeting.id)

    async def _tell_deadline(
        self, context: TurnContext, body: Body, meeting: MeetingInfo, rule: ReminderRule
    ) -> None:
        """ "hvornår skal dagsordenen ud": the deadline `rule` sets for the next meeting; for
        minutes (after the meeting), the meeting just held while its minutes are still due.

        A deadline already passed is told as passed, with the way on: the same deadline of
        the meeting after, and whom to ask (or, for the secretary, how to move the meeting)."""
        now = utcnow()
        session = turn_session(context)
        if rule.offset > 0:
            held = await service.neighbour_meeting(
                session=session, meeting_id=meeting.id, later=False
            )
            if held is not None and not self._passed(rule, held, now):
                meeting = held
        later = None
        if passed := self._passed(rule, meeting, now):
            later = await service.neighbour_meeting(
                session=session, meeting_id=meeting.id, later=True
            )
            if later is not None and self._passed(rule, later, now):
                later = None
        lang = turn_lang(context)
        access = await acting_access(context)
        secretary = access.has(Role.SECRETARY, body.key)
        await say(
            context, "meetings.deadline_passed" if passed else "meetings.deadline",
            body=self._name(context, body), id=meeting.id if secretary else None,
            title=self._short_title(context, meeting), when=self._when(context, meeting.start),
            held=meeting.start <= now, deadline=in_lang(rule, "text", lang),
            missed=self._t(context, f"deadline_of_{rule.kind}"),
            due=format_day(reminder_time(rule, meeting.start, self.tz), lang, self.tz),
            later_when=self._when(context, later.start) if later else None,
            later_due=format_day(reminder_time(rule, later.start, self.tz), lang, self.tz)
            if later else None,
            secretary=secretary,
            suggested="offset" in rule.defaults or rule.origin == "shared_default",
            agenda=meeting.agenda, then=[next_step(s, lang) for s in ("after", "year")],
        )  # fmt: skip
        remember(context, "meetings.next", body=body.key, meeting_id=meeting.id)

    def _passed(self, rule: ReminderRule, meeting: MeetingInfo, now: datetime) -> bool:
        """Whether `rule`'s deadline for `meeting` was on a day before `now`'s."""
        return deadline_passed(reminder_time(rule, meeting.start, self.tz), now, self.tz)

    async def _tell(
        self, context: TurnContext, body: Body, meeting: MeetingInfo, key: str = "meetings.next"
    ) -> None:
        lang = turn_lang(context)
        access = await acting_access(context)
        await say(
            context, key, body=self._name(context, body),
            id=meeting.id if access.has(Role.SECRETARY, body.key) else None,
            title=self._short_title(context, meeting), when=self._when(context, meeting.start),
            place=meeting.place, teams_link=meeting.teams_link, agenda=meeting.agenda,
            then=[next_step(s, lang) for s in ("after", "attendees", "year")],
        )  # fmt: skip
        remember(context, "meetings.next", body=body.key, meeting_id=meeting.id)

    async def _step_from(self, context: TurnContext, meeting_id: int, step: str) -> None:
        """The meeting after, before or the same as one already shown."""
        session = turn_session(context)
        try:
            current = await service.get_meeting(session=session, meeting_id=meeting_id)
        except UnknownMeetingError as unknown:
            raise DomainError("followup.no_meeting") from unknown
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
            {"title": self._name(context, body), "rows": await self._rows(context, [m])}
            for _, body, m in sorted(rows, key=lambda row: (row[0], row[2].id))
        ]
        await show(
            context, "meetings_list", heading=self._t(context, "upcoming_heading"),
            sections=sections, then=[next_step("year", turn_lang(context))],
        )  # fmt: skip

    async def year(self, context: TurnContext, match: IntentMatch) -> None:
        """ "årshjulet for 2027": the year's meetings grouped by body, as a card."""
        asked = match.params.get("year")
        now = utcnow()
        year = int(asked or now.astimezone(self.tz).year)
        if not 2000 <= year <= 2100:
            await say(context, "meetings.year_empty", year=year)
            return
        found = await self._of_year(context, year)
        unplanned = False
        if not asked and found and all(m.start <= now for m in found):
            # Late in the year every meeting of it is held: the coming year is what is asked.
            coming = await self._of_year(context, year + 1)
            if coming:
                await say(context, "meetings.year_over", year=year, next=year + 1)
                year, found = year + 1, coming
            else:
                unplanned = True
        remember(context, "meetings.year", extra={"year": str(year)})
        if not found:
            await say(context, "meetings.year_empty", year=year)
            return
        known = {body.key for body in self.pack.bodies}
        by_body: dict[str, list[MeetingInfo]] = {}
        for meeting in found:
            if meeting.body in known:
                by_body.setdefault(meeting.body, []).append(meeting)
        # Bodies in the order of their first meeting of the year, each body's in date order.
        ordered = sorted(by_body.items(), key=lambda item: min((m.start, m.id) for m in item[1]))
        sections = [
            {"title": self._name(context, self.pack.body(key)),
             "rows": await self._rows(context, meetings)}
            for key, meetings in ordered
        ]  # fmt: skip
        await show(
            context, "meetings_list", heading=self._t(context, "year_heading", year=year),
            sections=sections, then=self._next_of(context, meeting_bodies(self.pack)),
        )  # fmt: skip
        if unplanned:
            await say(context, "meetings.next_year_unplanned", next=year + 1)

    async def _of_year(self, context: TurnContext, year: int) -> list[MeetingInfo]:
        return await service.list_meetings(
            session=turn_session(context), tz=self.tz, year=year, include_cancelled=True
        )

    async def members(self, context: TurnContext, match: IntentMatch) -> None:
        """ "medlemmer af styregruppen"; "hvem deltager?" after a body's answer."""
        said = match.params.get("body")
        if not said:
            subject = recall(context)
            said = subject.body if subject is not None and subject.body else None
        body = self._body(context, said)
        people = await bodies.members(session=turn_session(context), body=body.key)
        if not people:
            # "hvor mange chefer er med i styregruppen?": the kommissorium says who sits there.
            if match.text and await self._routes.answer_if_sure(context, match.text):
                return
            # What the kommissorium says about who sits there, with govbot's (empty) records.
            combined = self._routes.submits.get("knowledge.body_role")
            composition = body.composition
            if combined is not None and composition is not None and composition.members:
                await combined(context, {"action": "knowledge.body_role", "body": body.key,
                                         "part": "members"})  # fmt: skip
                return
            await say(context, "meetings.members_none", body=self._name(context, body),
                      then=self._next_of(context, [body]))  # fmt: skip
            return
        rows = [
            self._t(context, "member_row", name=p.name or p.principal,
                    role=self._t(context, f"role_{p.role.value}"))
            for p in sorted(people, key=lambda p: (BODY_ROLES.index(p.role),
                                                   (p.name or p.principal).casefold()))
        ]  # fmt: skip
        await show(
            context, "meetings_list",
            heading=self._t(context, "members_heading", body=self._name(context, body)),
            sections=[{"title": None, "rows": rows}], then=self._next_of(context, [body]),
        )  # fmt: skip
        remember(context, "meetings.members", body=body.key)
