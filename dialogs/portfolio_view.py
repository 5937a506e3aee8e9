"""How the portfolio looks: the registration form's fields, the initiative card, the duplicate
warning and body names, as plain strings in the user's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, tzinfo
from typing import Any

from dialogs.formats import spoken_amount, spoken_day
from dialogs.portfolio_form import FIELDS, GAIN_FIELDS, FieldError
from dialogs.texts import Lang, either, in_lang, text
from knowledge.amounts_and_dates import example_date
from knowledge.packs import load_pack
from knowledge.portfolio import Category, Funding
from storage.portfolio import InitiativeRecord, InitiativeSummary

CHOICE_FIELDS: dict[str, type[Category] | type[Funding]] = {
    "category": Category,
    "funding": Funding,
}
_TEXT_KINDS = {"description": "multiline", "business_case": "toggle"}
_MAX = {"title": 120, "description": 2000, "unit": 200, "core_task": 200, "lead": 200}
_OPTIONAL = frozenset({*GAIN_FIELDS, "estimated_cost", "business_case", "end_date", "systems"})
_PLACEHOLDERS = frozenset(
    {
        "title",
        "description",
        "unit",
        "core_task",
        "gain",
        "estimated_cost",
        "start_date",
        "lead",
        "systems",
    }
)


def date_examples(today: date, lang: Lang) -> dict[str, str]:
    """A start date a little ahead of `today`, as words and as digits (Danish day.month.year,
    else ISO), for examples."""
    example = example_date(today)
    digits = f"{example.day}.{example.month}.{example.year}" if lang == "da" else str(example)
    return {"example": spoken_day(example, lang), "example_digits": digits}


def error_text(error: FieldError, lang: Lang, today: date) -> str:
    """A field error in words (examples of dates lie ahead of `today`)."""
    values = {**date_examples(today, lang), **error.values}
    if error.key == "portfolio.error.choice":
        kind = CHOICE_FIELDS[values.pop("kind")]
        values["options"] = ", ".join(text(f"portfolio.{kind_key(kind)}.{m}", lang) for m in kind)
    return text(error.key, lang, **values)


def kind_key(kind: type[Category] | type[Funding]) -> str:
    """The text section of an enumeration's labels."""
    return "category" if kind is Category else "funding"


def body_names(pack_key: str, keys: Sequence[str], lang: Lang) -> str:
    """Body names from the pack, as "A, B eller C"."""
    pack = load_pack(pack_key)
    return either([str(in_lang(pack.body(k), "name", lang)) for k in keys], lang)


def form_fields(
    lang: Lang, values: Mapping[str, str], errors: Mapping[str, FieldError], today: date
) -> list[dict[str, Any]]:
    """The form's inputs with labels, the user's values and any error under each.

    Labels carry no typed "*": the card's isRequired already marks a required input."""
    fields = []
    for name in FIELDS:
        kind = _TEXT_KINDS.get(name, "text")
        choices: list[tuple[str, str]] = []
        if name in CHOICE_FIELDS:
            enum = CHOICE_FIELDS[name]
            kind = "choice"
            choices = [(m.value, text(f"portfolio.{name}.{m.value}", lang)) for m in enum]
        elif name.endswith("_date"):
            kind = "date"
        placeholder_key = "gain" if name in GAIN_FIELDS else name
        label = text(f"portfolio.field.{name}", lang)
        required = name not in _OPTIONAL
        error = errors.get(name)
        fields.append(
            {
                "id": name,
                "kind": kind,
                "label": label,
                "placeholder": text(
                    f"portfolio.placeholder.{placeholder_key}", lang, **date_examples(today, lang)
                )
                if placeholder_key in _PLACEHOLDERS
                else "",
                "value": values.get(name, ""),
                "required": required,
                "max": _MAX.get(name, 500),
                "choices": choices,
                "error": error_text(error, lang, today) if error else None,
                "date_error": error_text(FieldError("portfolio.error.date"), lang, today),
            }
        )
    return fields


def initiative_view(
    record: InitiativeRecord, lang: Lang, pack_key: str, tz: tzinfo
) -> dict[str, Any]:
    """Plain strings for the initiative card (dates on the clock `tz`)."""

    def t(key: str, **values: Any) -> str:
        return text(f"portfolio.{key}", lang, **values)

    status = t(f"status.{record.status.value}")
    period = (
        spoken_day(record.start_date, lang)
        + " – "
        + (spoken_day(record.end_date, lang) if record.end_date else t("card.open_end"))
    )
    cost = (
        spoken_amount(record.estimated_cost, lang)
        if record.estimated_cost is not None
        else t("card.unknown_cost")
    )
    facts = [
        (t("field.unit"), record.unit_name),
        (t("field.category"), t(f"category.{record.category.value}")),
        (t("field.core_task"), record.core_task),
        (t("field.funding"), t(f"funding.{record.funding.value}")),
        (t("field.estimated_cost"), cost),
        (
            t("field.business_case"),
            t("card.answer_yes") if record.business_case else t("card.answer_no"),
        ),
        (t("card.period"), period),
        (t("field.lead"), record.lead_name),
        (
            t("field.systems"),
            ", ".join(s.name for s in record.systems) or t("card.none"),
        ),
        (t("card.registered_by"), record.registered_by_name),
    ]
    if record.followers:
        facts.append((t("card.followers"), ", ".join(record.followers)))
    history = []
    for entry in record.history:
        change = (
            f"{t('status.' + entry.from_status.value)} → {t('status.' + entry.to_status.value)}"
            if entry.from_status
            else t("card.created")
        )
        body = body_names(pack_key, [entry.body_key], lang) if entry.body_key else None
        history.append(
            t(
                "card.history_line",
                date=spoken_day(entry.at, lang, tz),
                actor=entry.actor_name,
                change=change,
                body=body,
                reason=entry.reason,
            )
        )
    return {
        "id": record.id,
        "title": numbered(record.title, record.id, lang),
        "status": record.status.value,
        "status_line": f"{t('card.status')}: {status}, "
        + t("card.since", date=spoken_day(record.status_changed_at, lang, tz)),
        "description": record.description,
        "facts": facts,
        "gains": [f"{t('gain.' + g.value)}: {v}" for g, v in record.gains.items()],
        "history": history,
    }


def duplicate_warning(first: InitiativeSummary, lang: Lang) -> str:
    """The warning that a similar initiative exists."""
    return text(
        "portfolio.duplicate.warning",
        lang,
        title=first.title,
        status=text(f"portfolio.status.{first.status.value}", lang),
        unit=first.unit_name,
    )


def numbered(title: str, initiative_id: int, lang: Lang) -> str:
    """A title with its number, as users refer to it ("initiativ 12")."""
    return text("portfolio.numbered", lang, title=title, id=initiative_id)
