"""The demo municipality's årshjul: this year's and next year's meetings, and who sits where.

Every body with a cadence gets a secretary, a chair and two members from the demo directory,
so reminders, "næste møde" and the secretaries' commands can be tried straight after
`make run`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.meeting_words import meeting_bodies
from knowledge.packs import load_pack
from storage.access import Role
from storage.audit import Author
from storage.bodies import SOURCE as MEETINGS_SOURCE
from storage.demo.directory import email_of
from storage.meetings import generate_year
from storage.membership import add_member
from storage.models.base import utcnow
from storage.reminders import Planning

# Storage knows no settings; the demo municipality is Danish.
DEMO_TIMEZONE = ZoneInfo("Europe/Copenhagen")
# (role, demo person) for every body with meetings: an IT person as secretary and two
# line-of-business members.
SEATS: tuple[tuple[Role, str], ...] = (
    (Role.SECRETARY, "nv"),
    (Role.MEMBER, "mh"),
    (Role.MEMBER, "so"),
)
# Each body gets its own chair, in this order: the executive office for the first body (the
# steering level), IT's manager for the next, then heads of line departments. Nobody chairs two.
CHAIRS: tuple[str, ...] = ("hf", "ok", "kd", "bk", "rh", "pm", "lb", "cn", "fg", "ae", "th")


def seats_of(index: int) -> tuple[tuple[Role, str], ...]:
    """The demo seats of the `index`-th meeting body: its own chair plus the shared seats."""
    return ((Role.CHAIR, CHAIRS[index % len(CHAIRS)]), *SEATS)


async def load(*, session: AsyncSession, pack_key: str) -> None:
    """Seat the demo people in every body that meets, then plan this year and the next."""
    plan = Planning(load_pack(pack_key), DEMO_TIMEZONE, utcnow())
    for index, body in enumerate(meeting_bodies(plan.pack)):
        for role, person in seats_of(index):
            await add_member(
                session=session, plan=plan, body=body.key, principal=email_of(person),
                role=role, by=Author("demo", MEETINGS_SOURCE),
            )  # fmt: skip
    this_year = plan.now.astimezone(DEMO_TIMEZONE).year
    for year in (this_year, this_year + 1):
        await generate_year(session=session, plan=plan, year=year, actor="demo")
