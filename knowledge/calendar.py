"""The årshjul as pure rules: a pack's cadence → the year's meeting dates, and reminder times.

Meetings fall on working days (no weekends, no Danish public holidays from the `holidays`
package, nor Christmas Eve and New Year's Eve, which Danish workplaces keep free), inside
working hours, in the municipality's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from knowledge.amounts_and_dates import written_date
from knowledge.schema import Pack
from knowledge.schema_bodies import AnnualItem, Body, Cadence, ReminderRule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
DEFAULT_WEEKDAY = "tuesday"
EVENT_WEEKDAY = "thursday"
WORKDAY_START = time(8, 0)
WORKDAY_END = time(17, 0)
REMINDER_TIME = time(9, 0)
# Days Danish workplaces keep free although they are not public holidays.
CUSTOMARY_DAYS_OFF = ((12, 24), (12, 31))

Lang = Literal["da", "en"]


class CalendarError(ValueError):
    """A cadence cannot be turned into meetings (outside working hours, unknown body)."""


@dataclass(frozen=True)
class PlannedMeeting:
    """One meeting or yearly event the cadence asks for."""

    plan_key: str  # stable across runs: "{body}:{year}:{n}" or "{body}:{year}:{item}"
    body: str
    kind: Literal["meeting", "event"]
    title_da: str
    title_en: str
    start: datetime
    end: datetime
    # Yearly agenda items placed on this meeting, as (Danish, English) titles.
    agenda_items: tuple[tuple[str, str], ...] = ()


@cache
def _danish_holidays(year: int) -> frozenset[date]:
    days = set(holidays.country_holidays("DK", years=year))
    days.update(date(year, month, day) for month, day in CUSTOMARY_DAYS_OFF)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Danish public holiday (nor 24 and 31 December)."""
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (before it when negative)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def _spread_months(count: int, preferred: tuple[int, ...]) -> list[int]:
    """`count` months: the preferred ones, the rest evenly over the year, skipping July."""
    months = list(preferred)
    step = 12 / count
    candidates = [int(1 + step / 2 + step * i) for i in range(count)]
    for month in candidates:
        if len(months) >= count:
            break
        month = 8 if month == 7 else month  # summer holiday
        while month in months:
            month = month % 12 + 1
        months.append(month)
    return sorted(months[:count])


def _weekday_on_or_after(day: date, weekday: str) -> date:
    target = WEEKDAYS.index(weekday)
    return day + timedelta(days=(target - day.weekday()) % 7)


def _meeting_day(year: int, month: int, weekday: str, taken: set[date]) -> date:
    """The `weekday` of the second week of `month`, a week later if it is not a free day."""
    day = _weekday_on_or_after(date(year, month, 8), weekday)
    while not is_working_day(day) or day in taken:
        day += timedelta(days=7)
        if day.month != month:  # every candidate taken: any working day left in the month
            day = date(year, month, 1)
            while not is_working_day(day) or day in taken:
                day += timedelta(days=1)
            break
    return day


def _at(day: date, clock: str, minutes: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    hour, minute = (int(part) for part in clock.split(":"))
    start = datetime.combine(day, time(hour, minute), tzinfo=tz)
    end = start + timedelta(minutes=minutes)
    if start.time() < WORKDAY_START or end.time() > WORKDAY_END or end.date() != day:
        raise CalendarError(f"{clock} + {minutes} min ligger uden for arbejdstiden")
    return start, end


def _title(body: Body, number: int, count: int) -> tuple[str, str]:
    return (
        f"{body.name_da} – møde {number} af {count}",
        f"{body.name_en} – meeting {number} of {count}",
    )


def _body_dates(pack: Pack, body: Body, year: int, seen: tuple[str, ...] = ()) -> list[date]:
    cadence: Cadence = body.cadence  # type: ignore[assignment]
    if cadence.follows:
        if cadence.follows.body in seen:
            raise CalendarError(f"{body.key} følger sig selv i ring")
        leader = pack.body(cadence.follows.body)
        if leader.cadence is None:
            raise CalendarError(f"{body.key} følger {leader.key}, som ingen kadence har")
        anchors = _body_dates(pack, leader, year, (*seen, body.key))
        gap = cadence.follows.working_days_before
        return [add_working_days(anchor, -gap) for anchor in anchors[: cadence.meetings_per_year]]
    weekday = cadence.weekday or DEFAULT_WEEKDAY
    months = _spread_months(cadence.meetings_per_year, cadence.preferred_months)
    taken: set[date] = set()
    days = []
    for month in months:
        day = _meeting_day(year, month, weekday, taken)
        taken.add(day)
        days.append(day)
    return days


def _event(
    body: Body, item: AnnualItem, year: int, taken: set[date], tz: ZoneInfo
) -> PlannedMeeting:
    month = item.preferred_months[0] if item.preferred_months else 6
    day = _meeting_day(year, month, EVENT_WEEKDAY, taken)
    start, end = _at(day, item.start_time or "09:00", item.duration_minutes or 180, tz)
    return PlannedMeeting(
        f"{body.key}:{year}:{item.key}", body.key, "event", item.title_da, item.title_en, start, end
    )


def year_plan(pack: Pack, year: int, tz: ZoneInfo) -> list[PlannedMeeting]:
    """Every meeting and yearly event of `year` the pack's cadences ask for, in time order.

    A yearly agenda item goes on its body's meeting nearest its preferred month; a body
    without meetings gets the item as an entry of its own.
    """
    planned: list[PlannedMeeting] = []
    for body in pack.bodies:
        if body.cadence is None:
            continue
        cadence = body.cadence
        days = _body_dates(pack, body, year)
        for number, day in enumerate(days, start=1):
            start, end = _at(day, cadence.start_time, cadence.duration_minutes, tz)
            title_da, title_en = _title(body, number, len(days))
            planned.append(
                PlannedMeeting(
                    f"{body.key}:{year}:{number}",
                    body.key,
                    "meeting",
                    title_da,
                    title_en,
                    start,
                    end,
                )
            )
    taken = {meeting.start.date() for meeting in planned}
    for body in pack.bodies:
        for item in body.annual_items:
            if item.kind == "agenda_item":
                host = _host_meeting(planned, body.key, item, year)
                if host is not None:
                    index = planned.index(host)
                    planned[index] = replace(
                        host,
                        agenda_items=(*host.agenda_items, (item.title_da, item.title_en)),
                    )
                    continue
            event = _event(body, item, year, taken, tz)
            if item.kind == "agenda_item":  # on the body's own agenda: name the body
                event = replace(
                    event,
                    title_da=f"{body.name_da}: {item.title_da}",
                    title_en=f"{body.name_en}: {item.title_en}",
                )
            taken.add(event.start.date())
            planned.append(event)
    return sorted(planned, key=lambda m: (m.start, m.body))


def _host_meeting(
    planned: list[PlannedMeeting], body_key: str, item: AnnualItem, year: int
) -> PlannedMeeting | None:
    """The owning body's meeting nearest the middle of the item's preferred month, if any."""
    own = [m for m in planned if m.body == body_key and m.kind == "meeting"]
    if not own:
        return None
    month = item.preferred_months[0] if item.preferred_months else 6
    target = date(year, month, 15)
    return min(own, key=lambda m: (abs((m.start.date() - target).days), m.start))


def titled(meeting: PlannedMeeting, lang: Lang) -> str:
    """The meeting's title with the yearly agenda items placed on it."""
    title = meeting.title_en if lang == "en" else meeting.title_da
    items = [en if lang == "en" else da for da, en in meeting.agenda_items]
    return " · ".join((title, *items))


def reminder_time(rule: ReminderRule, meeting_start: datetime, tz: ZoneInfo) -> datetime:
    """When `rule` fires for a meeting: at 09:00 on the day `offset` (working) days away.

    Calendar-day offsets that land on a free day move to the nearest working day on the
    meeting's side, so "the day before" a Monday meeting is the Friday.
    """
    day = meeting_start.astimezone(tz).date()
    if rule.unit == "working_days":
        due_day = add_working_days(day, rule.offset)
    else:
        due_day = day + timedelta(days=rule.offset)
        step = -1 if rule.offset < 0 else 1
        while not is_working_day(due_day):
            due_day += timedelta(days=step)
    due = datetime.combine(due_day, REMINDER_TIME, tzinfo=tz)
    if rule.offset < 0 and due >= meeting_start:  # a morning meeting: remind the day before
        due = datetime.combine(add_working_days(day, -1), REMINDER_TIME, tzinfo=tz)
    return due


_DAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def format_when(moment: datetime, lang: Lang, tz: ZoneInfo) -> str:
    """ "tirsdag 9. februar 2027 kl. 13.00" / "Tuesday 9 February 2027 at 13:00"."""
    local = moment.astimezone(tz)
    if lang == "en":
        return f"{format_day(local, lang, tz)} at {local:%H:%M}"
    return f"{format_day(local, lang, tz)} kl. {local:%H.%M}"


def format_day(moment: datetime, lang: Lang, tz: ZoneInfo) -> str:
    """ "tirsdag 9. februar 2027" / "Tuesday 9 February 2027": a deadline's day."""
    local = moment.astimezone(tz)
    if lang == "en":
        return f"{local:%A} {local.day} {local:%B %Y}"
    return f"{_DAYS_DA[local.weekday()]} {written_date(local.date(), lang)}"
