"""Small builders for portfolio tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from knowledge.portfolio import Category, Funding, Gain
from storage.portfolio import Actor, NewInitiative

ANNE = Actor(principal="00000000-0000-0000-0000-0000000000a1", name="Anne Jensen")
BO = Actor(principal="00000000-0000-0000-0000-0000000000b2", name="Bo Holm")
CHARLOTTE = Actor(principal="00000000-0000-0000-0000-0000000000c3", name="Charlotte Dahl")


def new_initiative(**overrides: Any) -> NewInitiative:
    """A complete, valid registration; keyword arguments replace fields."""
    base = NewInitiative(
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
    )
    return replace(base, **overrides)
