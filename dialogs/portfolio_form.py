"""The initiative form's fields and their server-side validation, shared by card and dialog.

Nothing a card submits is trusted: every field is parsed here, and what fails comes back as a
text key with values so the form can be shown again with the user's input and a Danish reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from knowledge.amounts_and_dates import read_amount, read_date
from knowledge.portfolio import Category, Funding, Gain
from knowledge.text import fold
from storage.portfolio import NewInitiative

FIELDS = (
    "title",
    "description",
    "unit",
    "category",
    "core_task",
    "gain_quality",
    "gain_efficiency",
    "gain_wellbeing",
    "funding",
    "estimated_cost",
    "business_case",
    "start_date",
    "end_date",
    "lead",
    "systems",
)
GAIN_FIELDS = {
    "gain_quality": Gain.KVALITET,
    "gain_efficiency": Gain.EFFEKTIVITET,
    "gain_wellbeing": Gain.TRIVSEL,
}
MAX_SYSTEMS = 20
MAX_KRONER = 1_000_000_000
SKIP_WORDS = frozenset({"-", "ingen", "nej tak", "spring over", "ved ikke", "none", "skip", "n/a"})
_YES = frozenset({"ja", "j", "yes", "y", "true", "1", "jo"})
_NO = frozenset({"nej", "n", "no", "false", "0"})

# Typed words (Danish and English labels) accepted for the choices, besides the keys; looked up
# folded, so "faelleskommunal" finds "fælleskommunal".
_CHOICE_LABELS: dict[type[StrEnum], dict[str, StrEnum]] = {
    Category: {
        "national": Category.NATIONAL,
        "fælleskommunal": Category.NATIONAL,
        "national fælleskommunal": Category.NATIONAL,
        "joint municipal": Category.NATIONAL,
        "national joint municipal": Category.NATIONAL,
        "tværkommunal": Category.TVAERKOMMUNAL,
        "inter municipal": Category.TVAERKOMMUNAL,
        "tværgående": Category.TVAERGAAENDE,
        "cross cutting": Category.TVAERGAAENDE,
        "lokal": Category.LOKAL,
        "local": Category.LOKAL,
    },
    Funding: {
        "driftsbevilling": Funding.DRIFTSBEVILLING,
        "drift": Funding.DRIFTSBEVILLING,
        "operating budget": Funding.DRIFTSBEVILLING,
        "pulje": Funding.PULJE,
        "puljer": Funding.PULJE,
        "fund": Funding.PULJE,
        "fund pulje": Funding.PULJE,
        "eksterne midler": Funding.EKSTERNE_MIDLER,
        "eksterne": Funding.EKSTERNE_MIDLER,
        "external funding": Funding.EKSTERNE_MIDLER,
    },
}
_CHOICE_WORDS = {
    kind: {fold(word): choice for word, choice in labels.items()}
    for kind, labels in _CHOICE_LABELS.items()
}


@dataclass(frozen=True)
class FieldError(Exception):
    """Why one field's value cannot be used: a text key and its values."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FormResult:
    """The parsed form: the initiative when every field is valid, else the errors per field."""

    values: dict[str, str]
    errors: dict[str, FieldError]
    initiative: NewInitiative | None


def _clean(raw: object) -> str:
    if raw is None or isinstance(raw, (dict, list)):
        return ""
    return re.sub(r"[ \t]+", " ", str(raw)).strip()


def is_skip(value: str) -> bool:
    """True when the user answered "nothing" ("-", "ingen", "spring over")."""
    return value.strip().casefold() in SKIP_WORDS


def _left_empty(value: str, *, required: bool) -> bool:
    """True when `value` answers nothing (blank, or a skip word where the field may be left
    out); a required field refuses that."""
    if value and (required or not is_skip(value)):
        return False
    if required:
        raise FieldError("portfolio.error.required")
    return True


def text_field(min_length: int, max_length: int, *, required: bool = True) -> Callable[[str], Any]:
    """A parser for free text between `min_length` and `max_length` characters."""

    def parse(value: str) -> str | None:
        if _left_empty(value, required=required):
            return None
        if len(value) < min_length:
            raise FieldError("portfolio.error.too_short", {"min": min_length})
        if len(value) > max_length:
            raise FieldError("portfolio.error.too_long", {"max": max_length, "length": len(value)})
        return value

    return parse


def choice_field(kind: type[StrEnum]) -> Callable[[str], StrEnum]:
    """A parser accepting an enumeration's key, its Danish/English label, or its number."""

    def parse(value: str) -> StrEnum:
        if not value:
            raise FieldError("portfolio.error.required")
        members = list(kind)
        if value in {m.value for m in members}:
            return kind(value)
        if value.isdigit() and 1 <= int(value) <= len(members):
            return members[int(value) - 1]
        found = _CHOICE_WORDS[kind].get(fold(value))
        if found is None:
            raise FieldError("portfolio.error.choice", {"kind": kind.__name__.lower()})
        return found

    return parse


def parse_amount(value: str) -> int | None:
    """Whole kroner as Danes write them ("450.000", "250 t.kr.", "1,2 mio. kr."; "-" for
    unknown)."""
    if _left_empty(value, required=False):
        return None
    kroner = read_amount(value)
    if kroner is None:
        raise FieldError("portfolio.error.amount")
    if kroner > MAX_KRONER:
        raise FieldError("portfolio.error.amount_range")
    return kroner


def parse_yes_no(value: str) -> bool:
    """ja/nej, yes/no, or the card toggle's "true"/"false" (empty means no)."""
    folded = fold(value)
    if not folded or folded in _NO:
        return False
    if folded in _YES:
        return True
    raise FieldError("portfolio.error.yes_no")


def date_field(*, required: bool) -> Callable[[str], date | None]:
    """A parser for a date as ISO (the card's date input) or as Danes write it ("1. marts
    2027", "1.3.2027", "marts 2027")."""

    def parse(value: str) -> date | None:
        if _left_empty(value, required=required):
            return None
        parsed = read_date(value)
        if parsed is None:
            raise FieldError("portfolio.error.date")
        if not 2000 <= parsed.year <= 2100:
            raise FieldError("portfolio.error.date_range")
        return parsed

    return parse


def parse_systems(value: str) -> tuple[str, ...]:
    """System names separated by commas, semicolons or new lines ("-" for none)."""
    if _left_empty(value, required=False):
        return ()
    names = tuple(dict.fromkeys(n.strip() for n in re.split(r"[,;\n]", value) if n.strip()))
    if len(names) > MAX_SYSTEMS or any(len(n) > 200 for n in names):
        raise FieldError("portfolio.error.systems", {"max": MAX_SYSTEMS})
    return names


PARSERS: dict[str, Callable[[str], Any]] = {
    "title": text_field(3, 120),
    "description": text_field(10, 2000),
    "unit": text_field(2, 200),
    "category": choice_field(Category),
    "core_task": text_field(2, 200),
    "gain_quality": text_field(2, 500, required=False),
    "gain_efficiency": text_field(2, 500, required=False),
    "gain_wellbeing": text_field(2, 500, required=False),
    "funding": choice_field(Funding),
    "estimated_cost": parse_amount,
    "business_case": parse_yes_no,
    "start_date": date_field(required=True),
    "end_date": date_field(required=False),
    "lead": text_field(2, 200),
    "systems": parse_systems,
}


def parse_field(name: str, raw: object) -> Any:
    """One field's value, or FieldError."""
    return PARSERS[name](_clean(raw))


def parse_form(data: Mapping[str, Any]) -> FormResult:
    """Validate every field of a submitted form (untrusted), keeping what the user typed."""
    values = {name: _clean(data.get(name)) for name in FIELDS}
    parsed: dict[str, Any] = {}
    errors: dict[str, FieldError] = {}
    for name in FIELDS:
        try:
            parsed[name] = PARSERS[name](values[name])
        except FieldError as error:
            errors[name] = error
    gains = {GAIN_FIELDS[n]: parsed[n] for n in GAIN_FIELDS if parsed.get(n)}
    if not gains and not any(n in errors for n in GAIN_FIELDS):
        errors["gain_quality"] = FieldError("portfolio.error.gains")
    start, end = parsed.get("start_date"), parsed.get("end_date")
    if start and end and end < start:
        errors["end_date"] = FieldError("portfolio.error.end_before_start")
    if errors:
        return FormResult(values, errors, None)
    return FormResult(values, {}, new_initiative(parsed, gains))


def new_initiative(parsed: Mapping[str, Any], gains: dict[Gain, str]) -> NewInitiative:
    """The registration from parsed field values."""
    return NewInitiative(
        title=parsed["title"],
        description=parsed["description"],
        unit=parsed["unit"],
        category=parsed["category"],
        core_task=parsed["core_task"],
        gains=gains,
        funding=parsed["funding"],
        estimated_cost=parsed["estimated_cost"],
        business_case=parsed["business_case"],
        start_date=parsed["start_date"],
        end_date=parsed["end_date"],
        lead=parsed["lead"],
        systems=parsed["systems"],
    )
