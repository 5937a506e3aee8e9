"""`govbot knowledge eval`: the held-out format, the counts per pack, and the exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli_knowledge import knowledge_cli
from knowledge.answers import KnowledgeAnswer, answer_entry
from knowledge.evaluation import Item, evaluate, fold_for_compare, load_items, states_expected
from knowledge.packs import load_pack
from knowledge.text import Language

FIXTURES = Path(__file__).parent / "fixtures"


def test_items_load_with_and_without_a_pack() -> None:
    items = load_items(FIXTURES / "eval_pass")
    in_scope = [i for i in items if i.expect]
    out_of_scope = [i for i in items if not i.expect]
    assert {i.pack for i in in_scope} == {"norddjurs"}
    assert in_scope[0].expect == ("fire", "4") and in_scope[0].doc == "001"
    assert [i.pack for i in out_of_scope] == [None, None], "asked against every pack"


def test_counts_per_pack_and_out_of_scope_against_every_pack() -> None:
    reports = evaluate(load_items(FIXTURES / "eval_pass"))
    norddjurs = reports["norddjurs"]
    assert (norddjurs.right, norddjurs.wrong, norddjurs.asked_back, norddjurs.unknown) == (
        2, 0, 0, 0,
    )  # fmt: skip
    assert all(r.out_of_scope == 2 and r.out_of_scope_confident == 0 for r in reports.values())
    assert reports["randers"].total == 0 and reports["randers"].meets_targets


def test_a_confident_answer_without_the_fact_is_wrong_and_asking_back_is_counted() -> None:
    report = evaluate(load_items(FIXTURES / "eval_miss"), ["norddjurs"])["norddjurs"]
    assert (report.right, report.wrong, report.asked_back) == (0, 1, 1)
    assert not report.meets_targets


def test_comparison_ignores_case_and_dash_style() -> None:
    assert fold_for_compare("3-4") in fold_for_compare("typisk 3–4 gange om året")
    assert fold_for_compare("IT & Digitalisering") in fold_for_compare("it & digitalisering")


@pytest.mark.parametrize(
    ("answer", "expect", "stated"),
    [
        ("Support på niveau 1.", "niveau1", True),
        ("Deltager i mindst fire årlige møder", "4", True),
        ("Four meetings a year", "fire", True),
        ("It meets 4 times a year", "minimum 4", False),
        ("It meets at least four times", "four times", True),
        ("Møderne holdes i 2024", "fire", False),
        ("Kontrakten gælder totalt", "2", False),  # a spelt-out number only as a whole word
        ("Det koster 14.000 kr.", "4", True),  # digits keep today's substring match
    ],
)
def test_a_fact_is_stated_in_any_spelling_of_its_number(
    answer: str, expect: str, stated: bool
) -> None:
    assert states_expected(answer, [expect]) is stated


def test_cli_exit_code_follows_the_targets() -> None:
    runner = CliRunner()
    passed = runner.invoke(knowledge_cli, ["eval", "--dir", str(FIXTURES / "eval_pass")])
    assert passed.exit_code == 0, passed.output
    assert "norddjurs" in passed.output and "met" in passed.output
    missed = runner.invoke(
        knowledge_cli, ["eval", "--dir", str(FIXTURES / "eval_miss"), "--pack", "norddjurs"]
    )
    assert missed.exit_code == 1
    assert "MISSED" in missed.output
    absent = runner.invoke(knowledge_cli, ["eval", "--dir", str(FIXTURES / "nowhere")])
    assert absent.exit_code == 2


def test_an_english_answer_states_a_fact_its_entry_states_in_danish() -> None:
    def english(pack: str, _question: str, _language: Language | None) -> KnowledgeAnswer:
        return answer_entry(load_pack(pack), "body:it_digitalisering", "en")

    items = [
        Item("What does IT & Digitalisation do?", (expect,), "en", "randers", "000", "test")
        for expect in ("koordinerer", "kantinen")
    ]
    assert "koordinerer" not in english("randers", "", None).text.casefold()
    report = evaluate(items, ["randers"], english)["randers"]
    # The Danish answer of the same entry says "koordinerer"; no answer mentions a canteen.
    assert (report.right, report.wrong) == (1, 1)


@pytest.mark.parametrize(
    ("answer", "fact", "stated"),
    [
        ("Den tværgående digitaliseringsstyregruppe godkender planen", "styregruppen", True),
        ("Leder af Digitalisering (formand)", "Formanden", True),
        ("Sekretærerne skriver referat", "sekretær", True),
        ("Den tværgående digitaliseringsprogramgruppe", "styregruppen", False),
        ("I årshjulet ligger det i andet kvartal", "Q2", False),
        ("Programgruppen udarbejder planen", "ikke", False),  # a stop word states nothing
        # Several words are matched as written: a number or a negation is part of the fact.
        ("Fire gange om året", "to gange om året", False),
        ("Dispensation gives ikke af direktionen", "gives af direktionen", False),
    ],
)
def test_a_fact_is_stated_in_other_inflections_unless_literal(
    answer: str, fact: str, stated: bool
) -> None:
    assert states_expected(answer, [fact]) is stated
    literal = fold_for_compare(fact) in fold_for_compare(answer)
    assert states_expected(answer, [fact], literal=True) is literal
