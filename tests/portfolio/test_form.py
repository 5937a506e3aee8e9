"""Server-side validation of the initiative form, as tables (the card and the dialog share it)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dialogs.cards import card_json
from dialogs.portfolio_form import FIELDS, FieldError, parse_field, parse_form
from dialogs.portfolio_view import error_text, form_fields
from knowledge.portfolio import Category, Funding, Gain

TODAY = date(2026, 12, 2)  # examples of dates are the first of the month after next
AMOUNT_ERROR = "Skriv et beløb i hele kroner, fx 450.000 kr., 250 t.kr. eller 1,2 mio. kr."

VALID: dict[str, Any] = {
    "title": "Digital nattevagt med sensorer",
    "description": "Sensorer varsler nattevagten ved fald og uro.",
    "unit": "Sundhed og Omsorg",
    "category": "lokal",
    "core_task": "Pleje og omsorg",
    "gain_quality": "Færre fald",
    "gain_efficiency": "",
    "gain_wellbeing": "",
    "funding": "pulje",
    "estimated_cost": "450.000",
    "business_case": "true",
    "start_date": "2026-03-01",
    "end_date": "2027-06-30",
    "lead": "Mette Lund",
    "systems": "Nexus, Outlook, Nexus",
}


def test_a_valid_form_becomes_an_initiative() -> None:
    result = parse_form(VALID)
    assert result.errors == {}
    new = result.initiative
    assert new is not None
    assert new.category is Category.LOKAL and new.funding is Funding.PULJE
    assert new.estimated_cost == 450_000 and new.business_case is True
    assert (new.start_date, new.end_date) == (date(2026, 3, 1), date(2027, 6, 30))
    assert new.gains == {Gain.KVALITET: "Færre fald"}
    assert new.systems == ("Nexus", "Outlook")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("title", "", "Skal udfyldes."),
        ("title", "   ", "Skal udfyldes."),
        ("title", "ab", "Skriv mindst 3 tegn."),
        ("title", "x" * 121, "Højst 120 tegn (du skrev 121)."),
        ("description", "kort", "Skriv mindst 10 tegn."),
        ("unit", None, "Skal udfyldes."),
        (
            "category",
            "regional",
            "Vælg en af mulighederne: national/fælleskommunal, tværkommunal, tværgående, lokal.",
        ),
        ("category", {"evil": 1}, "Skal udfyldes."),
        ("funding", "lotto", "Vælg en af mulighederne: driftsbevilling, pulje, eksterne midler."),
        ("estimated_cost", "mange penge", AMOUNT_ERROR),
        ("estimated_cost", "-5", AMOUNT_ERROR),
        ("estimated_cost", "1,25", AMOUNT_ERROR),
        ("estimated_cost", "2000000000", "Beløbet skal ligge mellem 0 og 1.000.000.000 kr."),
        ("business_case", "måske", "Svar ja eller nej."),
        ("start_date", "", "Skal udfyldes."),
        ("start_date", "31-02-2026", "Skriv en dato som 1. februar 2027 eller 1.2.2027."),
        ("start_date", "1. marts", "Skriv en dato som 1. februar 2027 eller 1.2.2027."),
        ("start_date", "1899-01-01", "Datoen skal ligge mellem år 2000 og 2100."),
        ("end_date", "2025-01-01", "Slutdatoen ligger før startdatoen."),
        ("lead", "", "Skal udfyldes."),
        (
            "systems",
            ",".join(f"s{i}" for i in range(21)),
            "Højst 20 systemer, hvert med højst 200 tegn.",
        ),
        (
            "gain_quality",
            "",
            "Beskriv mindst én forventet gevinst: kvalitet, effektivitet eller trivsel.",
        ),
    ],
)
def test_each_bad_field_is_named_in_danish_and_input_is_kept(
    field: str, value: Any, error: str
) -> None:
    data = {**VALID, field: value}
    result = parse_form(data)
    assert result.initiative is None
    assert list(result.errors) == [field]
    assert error_text(result.errors[field], "da", TODAY) == error
    untouched = [n for n in FIELDS if n != field]
    assert all(result.values[n] == str(VALID[n]).strip() for n in untouched)


@pytest.mark.parametrize(
    ("field", "typed", "parsed"),
    [
        ("category", "national/fælleskommunal", Category.NATIONAL),
        ("category", "Tværgående", Category.TVAERGAAENDE),
        ("category", "2", Category.TVAERKOMMUNAL),
        ("category", "cross-cutting", Category.TVAERGAAENDE),
        ("funding", "eksterne midler", Funding.EKSTERNE_MIDLER),
        ("funding", "operating budget", Funding.DRIFTSBEVILLING),
        ("estimated_cost", "1 250 000 kr.", 1_250_000),
        ("estimated_cost", "1,2 mio. kr.", 1_200_000),
        ("estimated_cost", "1.200.000 kr.", 1_200_000),
        ("estimated_cost", "1,5 mio", 1_500_000),
        ("estimated_cost", "250.000", 250_000),
        ("estimated_cost", "250 t.kr.", 250_000),
        ("start_date", "1. marts 2027", date(2027, 3, 1)),
        ("start_date", "01-03-2027", date(2027, 3, 1)),
        ("start_date", "marts 2027", date(2027, 3, 1)),
        ("start_date", "2027-03-01", date(2027, 3, 1)),
        ("estimated_cost", "-", None),
        ("business_case", "ja", True),
        ("business_case", "false", False),
        ("start_date", "1.3.2026", date(2026, 3, 1)),
        ("end_date", "ingen", None),
        ("systems", "-", ()),
    ],
)
def test_what_people_type_is_understood(field: str, typed: str, parsed: Any) -> None:
    assert parse_field(field, typed) == parsed


def test_many_errors_at_once_are_all_reported() -> None:
    result = parse_form({"title": "ok titel"})
    assert set(result.errors) == set(FIELDS) - {
        "title",
        "gain_efficiency",
        "gain_wellbeing",
        "estimated_cost",
        "business_case",
        "end_date",
        "systems",
    }


@pytest.mark.parametrize("lang", ["da", "en"])
def test_form_card_keeps_values_and_shows_errors(lang: str) -> None:
    result = parse_form({**VALID, "title": "", "estimated_cost": "mange"})
    card = card_json(
        "portfolio_form",
        lang,  # type: ignore[arg-type]
        fields=form_fields(lang, result.values, result.errors, TODAY),  # type: ignore[arg-type]
        error_count=len(result.errors),
    )
    inputs = {i["id"]: i for i in card["body"] if i["type"].startswith("Input.")}
    assert list(inputs) == list(FIELDS)
    assert inputs["description"]["value"] == VALID["description"]
    assert inputs["estimated_cost"]["value"] == "mange"
    assert inputs["category"]["value"] == "lokal"
    assert {c["value"] for c in inputs["category"]["choices"]} == {c.value for c in Category}
    assert inputs["title"]["isRequired"] is True and inputs["systems"]["isRequired"] is False
    warnings = [b["text"] for b in card["body"] if b.get("color") == "Attention"]
    assert len(warnings) == 3  # the summary and one under each bad field
    # isRequired marks a required input; a typed "*" in the label would show two.
    assert all("*" not in i["label"] for i in inputs.values() if "label" in i)
    gains = {inputs[n]["placeholder"] for n in ("gain_quality", "gain_efficiency")}
    assert gains == {
        "Udfyld mindst én af de tre gevinster"
        if lang == "da"
        else "Fill in at least one of the three gains"
    }
    start = {"da": "Fx 1. februar 2027", "en": "E.g. 1 February 2027"}[lang]
    assert inputs["start_date"]["placeholder"] == start
    assert card["actions"][0]["data"] == {"action": "portfolio.register"}


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("da", "Skriv en dato som 1. februar 2027 eller 1.2.2027."),
        ("en", "Write a date like 1 February 2027 or 2027-02-01."),
    ],
)
def test_the_example_date_follows_the_clock_given(lang: str, said: str) -> None:
    error = FieldError("portfolio.error.date")
    assert error_text(error, lang, TODAY) == said  # type: ignore[arg-type]
    later = error_text(error, lang, date(2027, 11, 15))  # type: ignore[arg-type]
    assert "2028" in later and "2027" not in later
