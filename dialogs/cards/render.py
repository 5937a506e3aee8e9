"""Adaptive Cards rendered from jinja2 templates, every value escaped with `tojson`."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.sdk import Attachment, CardFactory
from dialogs.texts import Lang, text

MAIN_ACTIONS = ("who_owns", "procurement", "initiative", "meetings", "question")


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("dialogs", "cards"),
        undefined=StrictUndefined,
        autoescape=False,  # JSON, not HTML: values go through `tojson`
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return environment


def card_json(name: str, lang: Lang = "da", /, **values: Any) -> dict[str, Any]:
    """The card `name` as a dict, with `t(key)` giving texts in `lang`."""
    template = _environment().get_template(f"{name}.json.j2")
    rendered = template.render(t=_t(lang), **values)
    return json.loads(rendered)


def _t(lang: Lang) -> Any:
    def translate(key: str, **values: Any) -> str:
        return text(key, lang, **values)

    return translate


def card(name: str, lang: Lang = "da", /, **values: Any) -> Attachment:
    """The card `name` as a Bot Framework attachment."""
    return CardFactory.adaptive_card(card_json(name, lang, **values))
