"""User-facing message texts: jinja2 templates per language, kept in `bot/locales/*.yaml`."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from jinja2 import Environment, StrictUndefined, Template

Lang = Literal["da", "en"]
LANGUAGES: tuple[Lang, ...] = ("da", "en")

_environment = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@cache
def _catalogue(lang: Lang) -> dict[str, Template]:
    raw = yaml.safe_load(files("dialogs.locales").joinpath(f"{lang}.yaml").read_text("utf-8"))
    return {key: _environment.from_string(value) for key, value in _flatten(raw).items()}


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value).strip()
    return flat


def text(key: str, lang: Lang = "da", /, **values: Any) -> str:
    """The message `key` in `lang`, rendered with `values` (Danish when English lacks it)."""
    catalogue = _catalogue(lang)
    template = catalogue.get(key) or _catalogue("da")[key]
    return template.render(**values)


def keys(lang: Lang) -> set[str]:
    """Every message key defined for `lang`."""
    return set(_catalogue(lang))
