"""The initiative portfolio's vocabulary and each pack's lifecycle rules (who may move what).

The rules are data in `packs/<pack>/portfolio.yaml`: every allowed move from one status to
another and the bodies whose members may make it. They are validated against the pack: every
body key must name a body of the pack and every source a registered document.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib.resources.abc import Traversable
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from knowledge.packs import load_pack, packs_root
from knowledge.schema_base import Key, Model, Source, Text
from knowledge.yaml_loader import safe_load


class InitiativeStatus(StrEnum):
    """Where an initiative is in its life."""

    IDE = "ide"
    INDSTILLET = "indstillet"
    PRIORITERET = "prioriteret"
    I_GANG = "i_gang"
    I_DRIFT = "i_drift"
    AFSLUTTET = "afsluttet"
    AFVIST = "afvist"
    SAT_PAA_PAUSE = "sat_paa_pause"


class Category(StrEnum):
    """The portfolio kinds of the Norddjurs kommissorium."""

    NATIONAL = "national_faelleskommunal"
    TVAERKOMMUNAL = "tvaerkommunal"
    TVAERGAAENDE = "tvaergaaende"
    LOKAL = "lokal"


class Funding(StrEnum):
    """How an initiative is paid for (KL's analysis)."""

    DRIFTSBEVILLING = "driftsbevilling"
    PULJE = "pulje"
    EKSTERNE_MIDLER = "eksterne_midler"


class Gain(StrEnum):
    """The kinds of expected gains: quality, efficiency, employee well-being."""

    KVALITET = "kvalitet"
    EFFEKTIVITET = "effektivitet"
    TRIVSEL = "trivsel"


INITIAL_STATUS = InitiativeStatus.IDE
BodyRole = Literal["member", "chair", "secretary"]


class Transition(Model):
    """One allowed move and the bodies whose members may make it."""

    from_: InitiativeStatus = Field(alias="from")
    to: InitiativeStatus
    bodies: tuple[Key, ...] = Field(min_length=1)
    roles: tuple[BodyRole, ...] = ("member", "chair", "secretary")
    reason_required: bool = False
    source: Source
    note_da: Text | None = None

    @model_validator(mode="after")
    def _moves(self) -> Transition:
        if self.from_ == self.to:
            raise ValueError("from og to skal være forskellige")
        return self


class PortfolioRules(Model):
    """A pack's lifecycle rules."""

    pack: Key
    transitions: tuple[Transition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sound(self) -> PortfolioRules:
        seen: set[tuple[InitiativeStatus, InitiativeStatus]] = set()
        for t in self.transitions:
            if (t.from_, t.to) in seen:
                raise ValueError(f"overgangen {t.from_} → {t.to} står to gange")
            seen.add((t.from_, t.to))
        # The initiative card shows each move as a button beside "følg" and "mine initiativer",
        # and Teams shows five actions a card.
        crowded = sorted({t.from_ for t in self.transitions if len(self.moves_from(t.from_)) > 3})
        if crowded:
            raise ValueError(f"højst 3 overgange ud af en status: {', '.join(crowded)}")
        reachable = {INITIAL_STATUS}
        grew = True
        while grew:
            before = len(reachable)
            reachable |= {t.to for t in self.transitions if t.from_ in reachable}
            grew = len(reachable) > before
        missing = sorted(set(InitiativeStatus) - reachable)
        if missing:
            raise ValueError(f"status kan ikke nås fra idé: {', '.join(missing)}")
        return self

    def moves_from(self, status: InitiativeStatus) -> tuple[Transition, ...]:
        """The allowed moves out of `status`."""
        return tuple(t for t in self.transitions if t.from_ == status)

    def transition(self, from_: InitiativeStatus, to: InitiativeStatus) -> Transition | None:
        """The rule for moving `from_` → `to`, or None when that move is not allowed."""
        return next((t for t in self.transitions if t.from_ == from_ and t.to == to), None)


class PortfolioRulesError(Exception):
    """A pack's portfolio.yaml that does not load, with every problem."""

    def __init__(self, pack: str, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{pack}/portfolio.yaml har fejl:\n" + "\n".join(problems))


def check_rules(raw: object, pack_key: str, root: Traversable | None = None) -> list[str]:
    """Every problem of raw portfolio rules for `pack_key` (empty when sound)."""
    try:
        rules = PortfolioRules.model_validate(raw)
    except ValidationError as error:
        return [
            f"{'.'.join(str(p) for p in e['loc']) or 'portfolio'}: {e['msg']}"
            for e in error.errors()
        ]
    problems: list[str] = []
    if rules.pack != pack_key:
        problems.append(f"pack: skal være '{pack_key}'")
    # lru_cache wants a Hashable; every Traversable in use (Path, MultiplexedPath) is one.
    pack = load_pack(pack_key, root)  # type: ignore[arg-type]
    bodies = {b.key for b in pack.bodies}
    documents = {d.id for d in pack.registry}
    for i, t in enumerate(rules.transitions):
        for body in t.bodies:
            if body not in bodies:
                problems.append(f"transitions[{i}].bodies: '{body}' er ikke et organ i pakken")
        if t.source.doc not in documents:
            problems.append(f"transitions[{i}].source.doc: '{t.source.doc}' er ikke registreret")
    return problems


@lru_cache(maxsize=8)
def load_rules(pack_key: str, root: Traversable | None = None) -> PortfolioRules:
    """The validated lifecycle rules of pack `pack_key`; raises PortfolioRulesError."""
    path = (root or packs_root()).joinpath(pack_key).joinpath("portfolio.yaml")
    if not path.is_file():
        raise PortfolioRulesError(pack_key, ["filen mangler"])
    raw = safe_load(path.read_text(encoding="utf-8"))
    problems = check_rules(raw, pack_key, root)
    if problems:
        raise PortfolioRulesError(pack_key, problems)
    return PortfolioRules.model_validate(raw)
