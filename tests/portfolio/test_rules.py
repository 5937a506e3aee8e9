"""The packs' lifecycle rules: data that loads, names real bodies, and refuses bad rules."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from knowledge.packs import available_packs, load_pack, packs_root
from knowledge.portfolio import InitiativeStatus, PortfolioRules, check_rules, load_rules


@pytest.mark.parametrize("pack", available_packs())
def test_every_pack_has_sound_rules(pack: str) -> None:
    rules = load_rules(pack)
    bodies = {b.key for b in load_pack(pack).bodies}
    assert rules.pack == pack
    assert {body for t in rules.transitions for body in t.bodies} <= bodies
    assert rules.moves_from(InitiativeStatus.IDE), "an idé must be able to move"


@pytest.mark.parametrize(
    ("pack", "proposer", "prioritiser"),
    [
        ("norddjurs", "programgruppe", "styregruppe"),
        ("randers", "sekretariatschefgruppe", "direktion"),
        ("rebild", "faellescenter_okonomi_it", "strategisk_ledergruppe"),
    ],
)
def test_proposing_and_prioritising_follow_the_bodies(
    pack: str, proposer: str, prioritiser: str
) -> None:
    rules = load_rules(pack)
    propose = rules.transition(InitiativeStatus.IDE, InitiativeStatus.INDSTILLET)
    prioritise = rules.transition(InitiativeStatus.INDSTILLET, InitiativeStatus.PRIORITERET)
    assert propose is not None and propose.bodies == (proposer,)
    assert prioritise is not None and prioritise.bodies == (prioritiser,)
    assert rules.transition(InitiativeStatus.IDE, InitiativeStatus.PRIORITERET) is None, (
        "no skipping the indstilling"
    )


def _raw(pack: str = "norddjurs") -> dict[str, Any]:
    text = packs_root().joinpath(pack).joinpath("portfolio.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_unknown_body_is_reported() -> None:
    raw = _raw()
    raw["transitions"][0]["bodies"] = ["byraadet_i_aarhus"]
    problems = check_rules(raw, "norddjurs")
    assert problems == ["transitions[0].bodies: 'byraadet_i_aarhus' er ikke et organ i pakken"]


def test_unregistered_source_is_reported() -> None:
    raw = _raw()
    raw["transitions"][1]["source"]["doc"] = "ukendt_dokument"
    assert check_rules(raw, "norddjurs") == [
        "transitions[1].source.doc: 'ukendt_dokument' er ikke registreret"
    ]


def test_unreachable_status_is_refused() -> None:
    raw = _raw()
    raw["transitions"] = [t for t in raw["transitions"] if t["to"] != "i_drift"]
    problems = check_rules(raw, "norddjurs")
    assert len(problems) == 1 and "i_drift" in problems[0]


def test_duplicate_and_self_moves_are_refused() -> None:
    raw = _raw()
    raw["transitions"].append(dict(raw["transitions"][0]))
    assert any("to gange" in p for p in check_rules(raw, "norddjurs"))
    raw = _raw()
    raw["transitions"][0]["to"] = "ide"
    assert any("forskellige" in p for p in check_rules(raw, "norddjurs"))


def test_wrong_pack_key_is_reported() -> None:
    assert check_rules(_raw("randers"), "norddjurs")[0] == "pack: skal være 'norddjurs'"
    assert isinstance(PortfolioRules.model_validate(_raw("randers")), PortfolioRules)
