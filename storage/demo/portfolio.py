"""Demo initiatives for `make run`: a small portfolio spread over statuses, units and funding.

The initiatives are data (`initiatives.yaml`); this module reads them and moves each along its
path as the pack's bodies would.
"""

from __future__ import annotations

from functools import partial
from importlib.resources import files
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import Category, Funding, Gain, InitiativeStatus, load_rules
from knowledge.yaml_loader import safe_load
from storage.access import Access, Actor, Role
from storage.portfolio import NewInitiative, register_initiative
from storage.portfolio_moves import move_initiative

DEMO_ACTOR = Actor(principal="demo", name="Demo")


def _initiative(entry: dict[str, Any]) -> tuple[NewInitiative, tuple[InitiativeStatus, ...]]:
    """One entry of the data file: the initiative, and the statuses it moved through."""
    path = tuple(InitiativeStatus(status) for status in entry.pop("path"))
    new = NewInitiative(
        **entry
        | {
            "category": Category(entry["category"]),
            "funding": Funding(entry["funding"]),
            "gains": {Gain(gain): text for gain, text in entry["gains"].items()},
            "systems": tuple(entry["systems"]),
        }
    )
    return new, path


# (initiative, the statuses it has moved through after idé)
INITIATIVES: tuple[tuple[NewInitiative, tuple[InitiativeStatus, ...]], ...] = tuple(
    _initiative(entry)
    for entry in safe_load(
        files("storage.demo").joinpath("initiatives.yaml").read_text(encoding="utf-8")
    )
)


async def load(*, session: AsyncSession, pack_key: str) -> None:
    """Register the demo initiatives and move each along its path, as the pack's bodies would."""
    rules = load_rules(pack_key)
    move = partial(move_initiative, session=session, actor=DEMO_ACTOR, rules=rules, source="demo")
    for new, path in INITIATIVES:
        record = await register_initiative(
            session=session, new=new, actor=DEMO_ACTOR, source="demo"
        )
        for to in path:
            transition = rules.transition(record.status, to)
            assert transition is not None, f"{record.status} → {to} is not in {pack_key}'s rules"
            access = Access(frozenset({(Role.MEMBER, transition.bodies[0])}))
            reason = "Demodata" if transition.reason_required else None
            record = await move(initiative_id=record.id, to=to, access=access, reason=reason)
