"""The portfolio as CSV, XLSX, and the yearly HTML status report (direktion, Økonomiudvalget)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from dialogs.formats import amount, day
from dialogs.portfolio_form import FIELDS
from dialogs.texts import Lang, text
from knowledge.portfolio import Gain, InitiativeStatus
from storage.portfolio import InitiativeRecord
from storage.portfolio_report import STALE_AFTER, PortfolioReport

Format = Literal["csv", "xlsx", "html"]
COLUMNS = ("id", *FIELDS, "status", "status_since", "registered_by", "registered_at")
HISTORY_COLUMNS = ("title", "when", "by", "from", "to", "body", "reason")
# Spreadsheet programs run cells that start like a formula; such text is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header(lang: Lang) -> list[str]:
    """Column titles in `lang`."""
    names = {
        "id": text("portfolio.export.id", lang),
        "status": text("portfolio.card.status", lang),
        "status_since": text("portfolio.export.status_since", lang),
        "registered_by": text("portfolio.card.registered_by", lang),
        "registered_at": text("portfolio.export.registered_at", lang),
    }
    return [names.get(c) or text(f"portfolio.field.{c}", lang) for c in COLUMNS]


def _local(value: datetime, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def row(record: InitiativeRecord, lang: Lang, tz: tzinfo) -> list[Any]:
    """One initiative as cell values (labels in `lang`, local times in `tz`, money a number)."""
    values: dict[str, Any] = {
        "id": record.id,
        "title": record.title,
        "status": text(f"portfolio.status.{record.status.value}", lang),
        "status_since": _local(record.status_changed_at, tz),
        "unit": record.unit_name,
        "category": text(f"portfolio.category.{record.category.value}", lang),
        "core_task": record.core_task,
        "description": record.description,
        "gain_quality": record.gains.get(Gain.KVALITET, ""),
        "gain_efficiency": record.gains.get(Gain.EFFEKTIVITET, ""),
        "gain_wellbeing": record.gains.get(Gain.TRIVSEL, ""),
        "funding": text(f"portfolio.funding.{record.funding.value}", lang),
        "estimated_cost": record.estimated_cost,
        "business_case": text(
            f"portfolio.card.answer_{'yes' if record.business_case else 'no'}", lang
        ),
        "start_date": record.start_date.isoformat(),
        "end_date": record.end_date.isoformat() if record.end_date else "",
        "lead": record.lead_name,
        "systems": ", ".join(s.name for s in record.systems),
        "registered_by": record.registered_by_name,
        "registered_at": _local(record.created_at, tz),
    }
    return [_safe(values[c]) for c in COLUMNS]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(records: list[InitiativeRecord], lang: Lang, tz: tzinfo) -> bytes:
    """CSV with a byte-order mark, so Excel reads æ, ø and å right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(lang))
    for record in records:
        writer.writerow(["" if v is None else v for v in row(record, lang, tz)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(records: list[InitiativeRecord], lang: Lang, tz: tzinfo) -> bytes:
    """A workbook: the initiatives, and their history."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = text("portfolio.export.initiatives", lang)
    sheet.append(header(lang))
    for record in records:
        sheet.append(row(record, lang, tz))
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(COLUMNS, start=1):
        width = 50 if column in ("description", "title") else 18
        sheet.column_dimensions[get_column_letter(index)].width = width
    history = book.create_sheet(text("portfolio.export.history", lang))
    history.append(
        [text("portfolio.export.id", lang)]
        + [text(f"portfolio.export.history_{c}", lang) for c in HISTORY_COLUMNS]
    )
    for record in records:
        for entry in record.history:
            history.append(
                [
                    record.id,
                    _safe(record.title),
                    _local(entry.at, tz),
                    _safe(entry.actor_name),
                    _status(entry.from_status, lang) if entry.from_status else "",
                    _status(entry.to_status, lang),
                    entry.body_key or "",
                    _safe(entry.reason or ""),
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _status(status: InitiativeStatus, lang: Lang) -> str:
    return text(f"portfolio.status.{status.value}", lang)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def to_html(report: PortfolioReport, lang: Lang, municipality: str, tz: tzinfo) -> bytes:
    """The yearly status report (HTML, every value escaped), dates on the local clock `tz`."""

    def t(key: str, **values: Any) -> str:
        return text(key, lang, **values)

    html = (
        _environment()
        .get_template("portfolio_report.html.j2")
        .render(
            r=report,
            lang=lang,
            t=t,
            day=lambda value: day(value, lang, tz),
            money=lambda value: amount(value, lang),
            municipality=municipality,
            stale_days=STALE_AFTER.days,
            gains=list(Gain),
            status_label=lambda s: text(f"portfolio.status.{s.value}", lang),
            category_label=lambda c: text(f"portfolio.category.{c.value}", lang),
            funding_label=lambda f: text(f"portfolio.funding.{f.value}", lang),
            same=lambda value: value,
        )
    )
    return html.encode("utf-8")


def write_export(
    path: Path, fmt: Format, report: PortfolioReport, lang: Lang, municipality: str, tz: tzinfo
) -> int:
    """Write the export to `path` (times in `tz`); returns the number of initiatives in it."""
    if fmt == "csv":
        data = to_csv(report.initiatives, lang, tz)
    elif fmt == "xlsx":
        data = to_xlsx(report.initiatives, lang, tz)
    else:
        data = to_html(report, lang, municipality, tz)
    path.write_bytes(data)
    return report.total
