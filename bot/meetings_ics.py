"""A body's meetings as iCalendar, with the VTIMEZONE Outlook needs to place them right."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from storage.meetings import MeetingInfo

PRODID = "-//govbot//årshjul//DA"


def calendar_bytes(
    meetings: Sequence[MeetingInfo], name: str, tz: ZoneInfo, *, stamp: datetime | None = None
) -> bytes:
    """An RFC 5545 calendar of `meetings`, times local to `tz`; uids are stable per meeting."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz.key)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"govbot-meeting-{meeting.id}@govbot")
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.start.astimezone(tz))
        event.add("dtend", meeting.end.astimezone(tz))
        event.add("dtstamp", stamp or meeting.start)
        if meeting.status == "cancelled":
            event.add("status", "CANCELLED")
        if meeting.place:
            event.add("location", meeting.place)
        description = "\n".join(p for p in (meeting.agenda, meeting.teams_link) if p)
        if description:
            event.add("description", description)
        if meeting.teams_link:
            event.add("url", meeting.teams_link)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
