"""The screening's pure rules: questions per pack, answers parsed, departures found."""

from __future__ import annotations

import shutil
from importlib.resources import as_file
from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge.check import check_all_packs
from knowledge.packs import available_packs, load_pack, packs_root
from knowledge.screening import ScreeningFile, answer_label, load_screening, parse_answer

BASE = {
    "personal_data": "ordinary",
    "hosting": "cloud_eu",
    "data_processing_agreement": "yes",
    "user_management": "sso",
    "alternative": "none_fit",
    "own_development": "no",
    "system_owner": "Mette Hansen",
}


@pytest.mark.parametrize("pack", available_packs())
def test_every_pack_has_the_shared_questions(pack: str) -> None:
    screening = load_screening(pack)
    keys = [q.key for q in screening.questions]
    for key in (
        "personal_data",
        "hosting",
        "integrations",
        "user_management",
        "users",
        "alternative",
        "own_development",
        "budget",
        "funding",
        "timing",
        "system_owner",
        "data_owner",
        "contract_owner",
    ):
        assert key in keys
    assert screening.checks, "every pack maps some checks to its own principles"


@pytest.mark.parametrize(
    ("pack", "funding"),
    [
        ("randers", ["driftsbevilling", "eksterne_midler", "unknown"]),
        ("rebild", ["driftsbevilling", "pulje", "eksterne_midler", "unknown"]),
    ],
)
def test_funding_options_follow_the_pack(pack: str, funding: list[str]) -> None:
    question = load_screening(pack).question("funding")
    assert [o.key for o in question.options] == funding


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("personal_data", "følsomme", "sensitive"),
        ("personal_data", "Følsomme persondata (fx helbred, sociale forhold, CPR)", "sensitive"),
        ("personal_data", "folsome", "sensitive"),
        ("personal_data", "3", "sensitive"),
        ("personal_data", "sensitive personal data", "sensitive"),
        ("hosting", "usa", "cloud_outside"),
        ("hosting", "Cloud/SaaS med data i EU/EØS", "cloud_eu"),
        ("users", "ca. 40 brugere", 40),
        ("users", "1.200", 1200),
        ("own_development", "ja", "yes"),
        ("system_owner", "ved ikke endnu", None),
        ("system_owner", "Mette Hansen", "Mette Hansen"),
        ("data_owner", "samme", "Mette Hansen"),
        ("integrations", "ingen", None),
        ("funding", "eksterne midler", "eksterne_midler"),
    ],
)
def test_answers_are_read_from_buttons_and_free_text(
    question: str, text: str, expected: object
) -> None:
    parsed = parse_answer(
        load_screening("randers").question(question), text, {"system_owner": "Mette Hansen"}
    )
    assert parsed is not None
    assert parsed.value == expected


@pytest.mark.parametrize(
    ("question", "text"),
    [("personal_data", "blå kaniner"), ("users", "mange"), ("users", "0"), ("hosting", "")],
)
def test_unreadable_answers_are_refused(question: str, text: str) -> None:
    assert parse_answer(load_screening("randers").question(question), text) is None


@pytest.mark.parametrize(
    ("pack", "changes", "departures"),
    [
        ("randers", {}, []),
        (
            "randers",
            {"personal_data": "sensitive", "hosting": "cloud_outside"},
            [("sensitive_outside_eu", "persondata_og_sikkerhed")],
        ),
        (
            "randers",
            {"personal_data": "criminal", "hosting": "cloud_unknown"},
            [("sensitive_outside_eu", "persondata_og_sikkerhed")],
        ),
        ("randers", {"personal_data": "ordinary", "hosting": "cloud_outside"}, []),
        ("randers", {"own_development": "yes"}, [("own_development", "it_arkitektur")]),
        ("rebild", {"own_development": "yes"}, [("own_development", "faelles_standarder")]),
        ("randers", {"system_owner": None}, [("no_system_owner", "navngivet_ejerskab")]),
        ("rebild", {"system_owner": None}, [("no_system_owner", "projektorganisering")]),
        (
            "randers",
            {"data_processing_agreement": "no"},
            [("no_data_processing_agreement", "persondata_og_sikkerhed")],
        ),
        # The agreement is not asked without personal data, so it cannot depart.
        ("randers", {"personal_data": "none", "data_processing_agreement": "no"}, []),
        (
            "norddjurs",
            {"alternative": "not_considered"},
            [("standard_not_considered", "standard_foerst")],
        ),
        # Own log-ins weaken security; they are not a matter of shared municipal components.
        ("randers", {"user_management": "own_logins"}, [("own_logins", "sikkerhed")]),
        ("rebild", {"user_management": "own_logins"}, [("own_logins", "informationssikkerhed")]),
        (
            "norddjurs",
            {"user_management": "own_logins"},
            [("own_logins", "persondata_og_sikkerhed")],
        ),
        (
            "randers",
            {"alternative": "not_considered"},
            [("standard_not_considered", "it_arkitektur")],
        ),
    ],
)
def test_departures_name_the_packs_principle(
    pack: str, changes: dict[str, object], departures: list[tuple[str, str]]
) -> None:
    screening = load_screening(pack)
    found = screening.departures({**BASE, **changes})
    assert [(d.key, d.principle_id) for d in found] == departures
    principles = {p.id for p in load_pack(pack).principles}
    assert all(d.principle_id in principles for d in found)


def test_conditional_question_is_skipped_without_personal_data() -> None:
    screening = load_screening("randers")
    asked = [q.key for q in screening.asked({"personal_data": "none"})]
    assert "data_processing_agreement" not in asked
    assert "data_processing_agreement" in [q.key for q in screening.asked(BASE)]


def test_labels_for_the_summary() -> None:
    question = load_screening("randers").question("hosting")
    assert answer_label(question, "cloud_outside", "da") == "Cloud/SaaS med data uden for EU/EØS"
    english = answer_label(question, "cloud_outside", "en")
    assert english == "Cloud/SaaS with data outside the EU/EEA"
    owner = load_screening("randers").question("system_owner")
    assert answer_label(owner, None, "da") == "ikke afklaret"


def test_randers_cites_its_own_follow_or_explain() -> None:
    rule = load_screening("randers").follow_or_explain
    assert rule.origin == "local" and rule.plan_required
    assert load_screening("rebild").follow_or_explain.origin == "inspiration"


@pytest.mark.parametrize(
    "condition",
    [{"question": "hosting"}, {"question": "hosting", "in": ["cloud_eu"], "is_none": True}],
)
def test_a_condition_needs_exactly_one_test(condition: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ScreeningFile.model_validate(
            {
                "checks": [
                    {
                        "key": "x",
                        "when": [condition],
                        "explain_da": "a",
                        "explain_en": "b",
                        "source": {"doc": "govbot_standard", "section": "s"},
                    }
                ]
            }
        )


@pytest.mark.parametrize(
    ("short", "refused"),
    [
        ({}, "give short_da"),  # a label too long for a button needs a short one
        ({"short_da": "Cloud i EU, men hvor præcis?", "short_en": "EU"}, "at most 20"),
        ({"short_da": "Cloud i EU", "short_en": "Cloud in the EU"}, None),
    ],
)
def test_an_option_too_long_for_a_button_needs_a_short_label(
    short: dict[str, str], refused: str | None
) -> None:
    option = {
        "key": "cloud_eu",
        "label_da": "Cloud/SaaS med data i EU/EØS",
        "label_en": "Cloud/SaaS with data in the EU/EEA",
        **short,
    }
    question = {
        "key": "hosting",
        "kind": "choice",
        "label_da": "Drift",
        "label_en": "Hosting",
        "prompt_da": "Hvor?",
        "prompt_en": "Where?",
        "options": [option],
        "source": {"doc": "govbot_standard", "section": "s"},
    }
    if refused is None:
        loaded = ScreeningFile.model_validate({"questions": [question]}).questions[0]
        assert loaded.options[0].button("da") == "Cloud i EU"
        assert parse_answer(loaded, "cloud i eu") is not None
        return
    with pytest.raises(ValidationError, match=refused):
        ScreeningFile.model_validate({"questions": [question]})


@pytest.mark.parametrize("pack", available_packs())
def test_the_counter_never_grows_however_the_questions_are_answered(pack: str) -> None:
    """Every path through the choice options: the total only shrinks, the number steps by one."""
    screening = load_screening(pack)
    paths: list[dict[str, str]] = [{}]
    for question in screening.questions:
        if question.kind == "choice":
            paths = [{**p, question.key: o.key} for p in paths for o in question.options][:200]
        else:
            paths = [{**p, question.key: "x"} for p in paths]
    for answers in paths:
        asked = [q.key for q in screening.asked(answers)]
        seen = [screening.progress(key, answers) for key in asked]
        assert [n for n, _ in seen] == list(range(1, len(asked) + 1)), (answers, seen)
        totals = [t for _, t in seen]
        assert totals == sorted(totals, reverse=True) and totals[-1] == len(asked), seen


@pytest.mark.parametrize("pack", ["randers", "norddjurs", "rebild"])
def test_every_check_names_the_principle_it_departs_from(pack: str) -> None:
    screening = load_screening(pack)
    principles = {p.id for p in load_pack(pack).principles}
    named = dict((check.key, principle) for check, principle in screening.checks)
    assert set(named) == {"sensitive_outside_eu", "no_data_processing_agreement",
                          "own_development", "standard_not_considered", "own_logins",
                          "no_system_owner"}  # fmt: skip
    assert set(named.values()) <= principles


def test_a_check_without_its_principle_is_a_pack_problem(tmp_path: Path) -> None:
    with as_file(packs_root()) as src:
        shutil.copytree(src, tmp_path / "packs")
    screening = tmp_path / "packs" / "rebild" / "screening.yaml"
    text = screening.read_text(encoding="utf-8")
    text = text.replace("  own_logins: informationssikkerhed\n", "")
    text = text.replace("projektorganisering", "findes_ikke")
    screening.write_text(text, encoding="utf-8")

    problems = check_all_packs(tmp_path / "packs")

    assert problems == [
        "rebild/screening.yaml: departs_from: no principle named for check 'own_logins'",
        "rebild/screening.yaml: departs_from.no_system_owner: the pack has no principle "
        "'findes_ikke'",
    ]
