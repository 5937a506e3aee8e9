"""Demo initiatives for `make run`: a small portfolio spread over statuses, units and funding."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.portfolio import Category, Funding, Gain, InitiativeStatus, load_rules
from storage.access import Access, Actor, Role
from storage.portfolio import NewInitiative, register_initiative
from storage.portfolio_moves import move_initiative

DEMO_ACTOR = Actor(principal="demo", name="Demo")

# (initiative, the statuses it has moved through after idé)
INITIATIVES: tuple[tuple[NewInitiative, tuple[InitiativeStatus, ...]], ...] = (
    (
        NewInitiative(
            title="Digital nattevagt med sensorer på plejecentre",
            description="Sensorer i beboernes stuer varsler nattevagten ved fald og uro.",
            unit="Sundhed og Omsorg",
            category=Category.LOKAL,
            core_task="Pleje og omsorg for ældre",
            gains={Gain.KVALITET: "Færre fald om natten", Gain.TRIVSEL: "Roligere nattevagter"},
            funding=Funding.PULJE,
            estimated_cost=450_000,
            business_case=True,
            start_date=date(2026, 3, 1),
            end_date=date(2027, 6, 30),
            lead="Mette Lund",
            systems=("Nexus",),
        ),
        (InitiativeStatus.INDSTILLET, InitiativeStatus.PRIORITERET, InitiativeStatus.I_GANG),
    ),
    (
        NewInitiative(
            title="Chatbot til borgerservice",
            description="En chatbot svarer borgerne om pas, kørekort og flytning døgnet rundt.",
            unit="Borgerservice",
            category=Category.TVAERGAAENDE,
            core_task="Borgerbetjening",
            gains={Gain.KVALITET: "Svar hele døgnet", Gain.EFFEKTIVITET: "Færre opkald"},
            funding=Funding.DRIFTSBEVILLING,
            estimated_cost=250_000,
            business_case=False,
            start_date=date(2026, 9, 1),
            end_date=None,
            lead="Bo Holm",
            systems=(),
        ),
        (InitiativeStatus.INDSTILLET,),
    ),
    (
        NewInitiative(
            title="Fælleskommunal overgang til nyt ydelsessystem",
            description="Kommunen følger KOMBITs fælles udbud og implementering.",
            unit="Borgerservice",
            category=Category.NATIONAL,
            core_task="Udbetaling af ydelser",
            gains={Gain.EFFEKTIVITET: "Færre manuelle sagsskridt"},
            funding=Funding.EKSTERNE_MIDLER,
            estimated_cost=None,
            business_case=True,
            start_date=date(2025, 1, 1),
            end_date=date(2026, 12, 31),
            lead="Charlotte Dahl",
            systems=(),
        ),
        (
            InitiativeStatus.INDSTILLET,
            InitiativeStatus.PRIORITERET,
            InitiativeStatus.I_GANG,
            InitiativeStatus.I_DRIFT,
        ),
    ),
    (
        NewInitiative(
            title="Robotstøvsugere i daginstitutioner",
            description="Afprøvning af robotstøvsugere i to børnehaver.",
            unit="Børn og Unge",
            category=Category.LOKAL,
            core_task="Dagtilbud",
            gains={Gain.TRIVSEL: "Mindre tunge løft for personalet"},
            funding=Funding.PULJE,
            estimated_cost=60_000,
            business_case=False,
            start_date=date(2026, 5, 1),
            end_date=date(2026, 10, 31),
            lead="Anne Jensen",
            systems=(),
        ),
        (),
    ),
)


async def load(*, session: AsyncSession, pack_key: str) -> None:
    """Register the demo initiatives and move each along its path, as the pack's bodies would."""
    rules = load_rules(pack_key)
    for new, path in INITIATIVES:
        record = await register_initiative(
            session=session, new=new, actor=DEMO_ACTOR, source="demo"
        )
        for to in path:
            transition = rules.transition(record.status, to)
            assert transition is not None, f"{record.status} → {to} is not in {pack_key}'s rules"
            access = Access(frozenset({(Role.MEMBER, transition.bodies[0])}))
            record = await move_initiative(
                session=session,
                initiative_id=record.id,
                to=to,
                actor=DEMO_ACTOR,
                access=access,
                rules=rules,
                reason="Demodata" if transition.reason_required else None,
                source="demo",
            )
