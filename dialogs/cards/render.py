"""Adaptive Cards rendered from jinja2 templates, every value escaped with `tojson`."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.sdk import Attachment, CardFactory
from dialogs.template_cache import keep_compiled
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


def compile_cards(cache_dir: Path | None = None) -> None:
    """Compile every card template now (kept in the environment's cache for the turns), and
    their compiled code in `cache_dir` for the next start (dialogs.template_cache)."""
    environment = _environment()
    if cache_dir is not None:
        keep_compiled(environment, cache_dir)
    for name in environment.list_templates(extensions=["j2"]):
        environment.get_template(name)


def card_json(name: str, lang: Lang = "da", /, **values: Any) -> dict[str, Any]:
    """The card `name` as a dict, with `t(key)` giving texts in `lang`."""
    template = _environment().get_template(f"{name}.json.j2")
    rendered = template.render(t=_t(lang), **values)
    return _plain_facts(json.loads(rendered))


# A line starting "1. " or "- " is a list to Teams' markdown: a fact's value never is one.
_LIST_START = re.compile(r"^(\s*)(\d+)\.(\s)|^(\s*)([-*+])(\s)", re.MULTILINE)


def _plain_facts(node: Any) -> Any:
    """`node` with every FactSet value kept as written: "1. marts 2027" is a date, not a
    numbered list (Teams renders fact values as markdown)."""
    if isinstance(node, list):
        return [_plain_facts(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "FactSet":
        for fact in node.get("facts", []):
            if isinstance(fact.get("value"), str):
                fact["value"] = _LIST_START.sub(_escaped, fact["value"])
    return {key: _plain_facts(value) for key, value in node.items()}


def _escaped(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return f"{match.group(1)}{match.group(2)}\\.{match.group(3)}"
    return f"{match.group(4)}\\{match.group(5)}{match.group(6)}"


def _t(lang: Lang) -> Any:
    def translate(key: str, **values: Any) -> str:
        return text(key, lang, **values)

    return translate


def card(name: str, lang: Lang = "da", /, **values: Any) -> Attachment:
    """The card `name` as a Bot Framework attachment."""
    return CardFactory.adaptive_card(card_json(name, lang, **values))
