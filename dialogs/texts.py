"""User-facing message texts: jinja2 templates per language, kept in `dialogs/locales/*/*.yaml`;
and the one way to read a pack item's Danish or English field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, Protocol

from jinja2 import Environment, StrictUndefined

from dialogs.template_cache import SourceLoader, compiled, keep_compiled
from knowledge.yaml_loader import safe_load

Lang = Literal["da", "en"]
LANGUAGES: tuple[Lang, ...] = ("da", "en")

# The catalogue keeps every compiled text, so jinja's own template cache is not needed.
_environment = Environment(
    loader=SourceLoader(),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    cache_size=0,
)


# What starts a jinja block, expression or comment; a text with none of them is its own output.
_MARKUP = ("{%", "{{", "{#")


class _Renderable(Protocol):
    def render(self, **values: Any) -> str: ...


@dataclass(frozen=True, slots=True)
class _Verbatim:
    """A text without jinja markup: it renders as written. Two texts in three are such, and
    compiling them to templates was most of a server's start-up work on texts."""

    source: str

    def render(self, **values: Any) -> str:
        return self.source


def _compiled(name: str, source: str) -> _Renderable:
    if any(marker in source for marker in _MARKUP):
        return compiled(_environment, name, source)
    return _Verbatim(source)


@cache
def _catalogue(lang: Lang) -> dict[str, _Renderable]:
    """Every `dialogs/locales/<lang>/*.yaml` file (one per capability), merged."""
    merged: dict[str, _Renderable] = {}
    folder = files("dialogs.locales").joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        for key, value in _flatten(safe_load(entry.read_text("utf-8")) or {}).items():
            if key in merged:
                raise ValueError(f"text {key!r} is defined twice ({lang}/{entry.name})")
            merged[key] = _compiled(f"{lang}/{key}", value)
    return merged


def compile_texts(cache_dir: Path | None = None) -> None:
    """Read and compile every language's texts now (a server does it before it is healthy;
    otherwise the first message in each language pays for it), keeping the compiled code in
    `cache_dir` for the next start (dialogs.template_cache)."""
    if cache_dir is not None:
        keep_compiled(_environment, cache_dir)
    for lang in LANGUAGES:
        _catalogue(lang)


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


def either(names: Sequence[str], lang: Lang) -> str:
    """ "SBSYS eller Acadre", "A, B eller C" (English: "or")."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {text('words.or', lang)} {names[-1]}"


def in_lang(item: object, field: str, lang: Lang) -> Any:
    """A pack item's `field` in `lang` (`<field>_en`), the Danish one when English has none.

    Items that keep their Danish value under the bare name (a meeting's `title`) work too.
    """
    for name in (f"{field}_{lang}", f"{field}_da", field):
        value = getattr(item, name, None)
        if value:
            return value
    return getattr(item, f"{field}_{lang}", getattr(item, field, None))


def named(find: Callable[[str], object], key: str, field: str, lang: Lang) -> str:
    """The `field` in `lang` of the pack item `find(key)` finds; the key itself when it finds
    none (a pack that no longer has it)."""
    try:
        item = find(key)
    except KeyError:
        return key
    return str(in_lang(item, field, lang))


def keys(lang: Lang) -> set[str]:
    """Every message key defined for `lang`."""
    return set(_catalogue(lang))
