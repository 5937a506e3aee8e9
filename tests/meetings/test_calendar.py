"""The årshjul's pure rules: cadence → dates, working days, reminder times."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.calendar import (
    add_working_days,
    is_working_day,
    reminder_time,
    titled,
    year_plan,
)
from knowledge.packs import load_pack

TZ = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def norddjurs():  # type: ignore[no-untyped-def]
    return load_pack("norddjurs")


def test_norddjurs_2027_has_four_plus_four_meetings_and_the_seminar(norddjurs) -> None:  # type: ignore[no-untyped-def]
    plan = year_plan(norddjurs, 2027, TZ)
    kinds = Counter((m.body, m.kind) for m in plan)
    assert kinds == {
        ("styregruppe", "meeting"): 4,
        ("programgruppe", "meeting"): 4,
        ("programgruppe", "event"): 1,
    }
    danish = holidays.country_holidays("DK", years=2027)
    for meeting in plan:
        day = meeting.start.date()
        assert day.weekday() < 5 and day not in danish, meeting
        assert meeting.start.tzinfo == TZ
        assert time(8) <= meeting.start.time() and meeting.end.time() <= time(17)
    assert len({m.start.date() for m in plan}) == len(plan), "no two on one day"


def test_programme_group_meets_ten_working_days_before_each_steering_group(norddjurs) -> None:  # type: ignore[no-untyped-def]
    plan = year_plan(norddjurs, 2027, TZ)
    steering = [m.start.date() for m in plan if m.body == "styregruppe"]
    programme = [m.start.date() for m in plan if m.body == "programgruppe" and m.kind == "meeting"]
    assert programme == [add_working_days(d, -10) for d in steering]
    assert [d.month for d in steering] == [2, 5, 9, 11]
    # Kristi himmelfartsdag (6 May 2027) is skipped when counting back from 11 May.
    assert add_working_days(date(2027, 5, 11), -10) == date(2027, 4, 26)


def test_plans_are_stable_across_runs(norddjurs) -> None:  # type: ignore[no-untyped-def]
    assert year_plan(norddjurs, 2028, TZ) == year_plan(norddjurs, 2028, TZ)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)), st.integers(-30, 30))
def test_adding_working_days_lands_on_a_working_day(start: date, count: int) -> None:
    result = add_working_days(start, count)
    if count:
        assert is_working_day(result)
        assert (result > start) == (count > 0)


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2029])
def test_every_pack_plans_working_days_only(year: int) -> None:
    for key in ("norddjurs", "randers", "rebild"):
        for meeting in year_plan(load_pack(key), year, TZ):
            assert is_working_day(meeting.start.date()), (key, meeting)


def test_reminder_times(norddjurs) -> None:  # type: ignore[no-untyped-def]
    rules = {r.key: r for r in norddjurs.body("styregruppe").reminder_rules}
    monday = datetime(2027, 3, 1, 13, 0, tzinfo=TZ)
    # "The day before" a Monday meeting is the Friday, at 09:00.
    assert reminder_time(rules["member_reminder"], monday, TZ) == datetime(
        2027, 2, 26, 9, 0, tzinfo=TZ
    )
    assert reminder_time(rules["agenda_due"], monday, TZ) == datetime(2027, 2, 22, 9, 0, tzinfo=TZ)
    assert reminder_time(rules["minutes_due"], monday, TZ) == datetime(2027, 3, 4, 9, 0, tzinfo=TZ)
    assert not is_working_day(date(2027, 12, 24)) and not is_working_day(date(2027, 3, 25))


def test_a_yearly_agenda_item_without_meetings_of_its_own_is_its_own_entry() -> None:
    plan = year_plan(load_pack("randers"), 2027, TZ)
    status = [m for m in plan if m.body == "okonomiudvalget"]
    assert [(m.plan_key, m.kind, m.start.month) for m in status] == [
        ("okonomiudvalget:2027:status_strategi", "event", 5)
    ]
    assert status[0].title_da == (
        "Økonomiudvalget: Årlig status på Teknologi- og digitaliseringsstrategien"
    )
    assert all(not m.agenda_items for m in plan)


def test_a_yearly_agenda_item_goes_on_the_bodys_meeting_nearest_its_month(norddjurs) -> None:  # type: ignore[no-untyped-def]
    randers_item = load_pack("randers").body("okonomiudvalget").annual_items[0]
    item = randers_item.model_copy(update={"preferred_months": (4,)})
    bodies = tuple(
        b.model_copy(update={"annual_items": (item,)}) if b.key == "styregruppe" else b
        for b in norddjurs.bodies
    )
    plan = year_plan(norddjurs.model_copy(update={"bodies": bodies}), 2027, TZ)
    steering = [m for m in plan if m.body == "styregruppe"]
    assert len(steering) == 4, "no entry of its own"
    carrying = [m for m in steering if m.agenda_items]
    assert [m.start.month for m in carrying] == [5], "May's meeting is nearest mid-April"
    assert carrying[0].agenda_items == ((item.title_da, item.title_en),)
    assert titled(carrying[0], "da").endswith(" · " + item.title_da)
    assert titled(carrying[0], "en").endswith(" · " + item.title_en)
