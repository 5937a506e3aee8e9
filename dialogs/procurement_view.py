"""What the procurement cards show: answers, departures and the pack's path, as plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import holidays

from dialogs.formats import spoken_day
from dialogs.texts import Lang, in_lang, named, text
from knowledge.packs import load_pack
from knowledge.schema import Pack
from knowledge.schema_base import Source
from knowledge.screening import AnswerValue, Screening, answer_label, load_screening
from storage.procurement import DepartureAnswer, RequestRecord


def cite(pack: Pack, source: Source) -> str:
    """ "Title, section" for a source."""
    try:
        title = pack.document(source.doc).title
    except KeyError:
        title = source.doc
    return f"{title}, {source.section}"


def _name_of(pack: Pack, key: str, lang: Lang) -> str:
    """A body, role or contact key as its name in `lang`."""
    try:
        return str(in_lang(pack.body(key), "name", lang))
    except KeyError:
        pass
    try:
        return str(in_lang(pack.role(key), "label", lang))
    except KeyError:
        pass
    for contact in pack.contacts:
        if contact.key == key:
            return str(in_lang(contact, "name", lang))
    return key.replace("_", " ")


def principle_title(pack: Pack, principle_id: str, lang: Lang) -> str:
    """The principle's title in `lang`."""
    return named(pack.principle, principle_id, "title", lang)


def principle_source(pack: Pack, principle_id: str) -> str | None:
    """Where the pack states the principle a departure departs from, as "Title, section"."""
    try:
        return cite(pack, pack.principle(principle_id).source)
    except KeyError:
        return None


def answer_facts(
    screening: Screening, answers: Mapping[str, AnswerValue], lang: Lang
) -> list[dict[str, str]]:
    """Every asked question with its answer, for a FactSet."""
    return [
        {"title": q.label(lang), "value": answer_label(q, answers.get(q.key), lang)}
        for q in screening.asked(answers)
        if q.key in answers
    ]


def departure_items(
    pack: Pack,
    screening: Screening,
    departures: Sequence[DepartureAnswer],
    lang: Lang,
) -> list[dict[str, str | None]]:
    """Each departure: principle, plain explanation, source, justification and plan."""
    checks = {check.key: check for check, _ in screening.checks}
    items = []
    for departure in departures:
        check = checks.get(departure.key)
        items.append(
            {
                "principle": principle_title(pack, departure.principle_id, lang),
                "explain": check.explain(lang) if check else departure.key,
                "source": principle_source(pack, departure.principle_id),
                "justification": departure.justification,
                "plan": departure.plan,
            }
        )
    return items


def path_values(pack: Pack, lang: Lang) -> dict[str, Any]:
    """What follows a request through the guide: the pack's steps still ahead, the screening
    time, the dispensation path and the contact."""
    procurement = pack.procurement
    return {
        "next_steps": [
            in_lang(s, "text", lang) for s in procurement.next_steps if s.ahead_after_guide
        ],
        "screening_days": procurement.screening_time.working_days,
        "dispensations": [
            {
                "scope": in_lang(d, "scope", lang),
                "granted_by": _name_of(pack, d.granted_by, lang),
                "condition": in_lang(d, "condition", lang),
            }
            for d in procurement.dispensations
        ],
        "contact": in_lang(procurement.contact, "name", lang),
        "checks": [in_lang(c, "label", lang) for c in procurement.checks],
    }


def summary_values(
    *,
    pack_key: str,
    need: str,
    unit: str,
    answers: Mapping[str, AnswerValue],
    departures: Sequence[DepartureAnswer],
    lang: Lang,
) -> dict[str, Any]:
    """Everything the summary card shows (JSON-safe, so it can wait in the outbox)."""
    pack = load_pack(pack_key)
    screening = load_screening(pack_key)
    return {
        "need": need,
        "unit": unit,
        "facts": answer_facts(screening, answers, lang),
        "departures": departure_items(pack, screening, departures, lang),
        **path_values(pack, lang),
    }


def request_values(record: RequestRecord, lang: Lang, tz: Any) -> dict[str, Any]:
    """The summary of a stored request, plus who sent it and when."""
    return {
        **summary_values(
            pack_key=record.pack_key,
            need=record.need,
            unit=record.unit,
            answers=record.answers,
            departures=record.departures,
            lang=lang,
        ),
        "id": record.id,
        "requester_name": record.requester_name,
        "date": spoken_day(record.created_at, lang, tz),
    }


def status_label(status: str, lang: Lang) -> str:
    """A status as the user reads it."""
    return text(f"procurement.status.{status}", lang)


def working_days_between(start: date, end: date) -> int:
    """Danish working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    closed = holidays.country_holidays("DK", years=range(start.year, end.year + 1))
    days = 0
    current = start
    while current < end:
        current = date.fromordinal(current.toordinal() + 1)
        if current.weekday() < 5 and current not in closed:
            days += 1
    return days


def short(value: str, limit: int = 80) -> str:
    """`value` cut to `limit` characters with an ellipsis."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
