"""Logging set-up: one line per event, structured fields as key=value; ids, never message text."""

from __future__ import annotations

import logging
import sys
from typing import Any

FIELDS = "fields"


class KeyValueFormatter(logging.Formatter):
    """`time level logger message key=value …` with the record's structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields: dict[str, Any] = getattr(record, FIELDS, None) or {}
        if fields:
            line += " " + " ".join(f"{key}={_value(value)}" for key, value in fields.items())
        return line


def _value(value: Any) -> str:
    rendered = str(value)
    return f'"{rendered}"' if " " in rendered or not rendered else rendered


def configure_logging(level: str = "INFO") -> None:
    """Send govbot's logs to stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDK and HTTP client log request bodies at DEBUG/INFO; keep them out of INFO logs.
    for noisy in ("msrest", "botbuilder", "botframework", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def fields(**values: Any) -> dict[str, Any]:
    """`extra=` for a log call carrying structured fields."""
    return {FIELDS: values}
