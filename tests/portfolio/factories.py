"""Small builders for portfolio tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storage.access import Actor
from storage.demo.portfolio import INITIATIVES
from storage.portfolio import NewInitiative

ANNE = Actor(principal="00000000-0000-0000-0000-0000000000a1", name="Anne Jensen")
BO = Actor(principal="00000000-0000-0000-0000-0000000000b2", name="Bo Holm")
CHARLOTTE = Actor(principal="00000000-0000-0000-0000-0000000000c3", name="Charlotte Dahl")


def new_initiative(**overrides: Any) -> NewInitiative:
    """A complete, valid registration; keyword arguments replace fields."""
    base = INITIATIVES[0][0]  # the demo's first initiative: every field filled in
    return replace(base, **overrides)
