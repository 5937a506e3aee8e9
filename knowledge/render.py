"""Jinja2 templates for generated answer text, loaded from the package (plain text, not HTML).

Output is plain text with simple markdown bullets; whoever puts it into a card or HTML escapes it
for that format (for Adaptive Cards: `tojson`).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import jinja2

from knowledge.schema_base import Sourced
from knowledge.text import Language
from knowledge.yaml_loader import safe_load

_MONTHS = {
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "en": "January February March April May June July August September October November December",
}
_FIELDS = {
    "da": {
        "meetings_per_year": "antal møder",
        "preferred_months": "måneder",
        "weekday": "ugedag",
        "start_time": "mødetidspunkt",
        "duration_minutes": "varighed",
        "follows": "afstanden til det andet organs møder",
    },
    "en": {
        "meetings_per_year": "number of meetings",
        "preferred_months": "months",
        "weekday": "weekday",
        "start_time": "start time",
        "duration_minutes": "duration",
        "follows": "the gap to the other body's meetings",
    },
}


def lcfirst(text: str) -> str:
    """Lowercase the first letter of a capitalised word ("Byrådet" → "byrådet"), not "IT", nor
    a name in title case ("Joint Centre for Finance and IT")."""
    first, _, rest = text.partition(" ")
    second = rest.partition(" ")[0]
    if second[:1].isupper() and second[1:].islower():
        return text
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return text[0].lower() + text[1:]
    return text


def is_proper_name(text: str) -> bool:
    """Whether an English name reads without "the": it still begins with a capital once
    `lcfirst` has had its say ("IT & Digitalisation", "SkoleNet"), and is not title case."""
    second = text.partition(" ")[2].partition(" ")[0]
    return text[:1].isupper() and not (second[:1].isupper() and second[1:].islower())


def lower_article(text: str) -> str:
    """A Danish name as it reads inside a sentence: its leading article in lower case
    ("Den tværgående digitaliseringsstyregruppe" → "den tværgående …"); other words keep
    their case, since "Digitalisering" may be a unit's proper name."""
    first, space, rest = text.partition(" ")
    if space and first in ("Den", "Det", "De"):
        return first.lower() + space + rest
    return text


def in_sentence(name: str, language: str) -> str:
    """A body's name as it reads inside a sentence: English adds "the" before a common noun
    ("the city council", but "IT & Digitalisation"); a Danish name loses only the capital of
    its article ("den tværgående digitaliseringsprogramgruppe")."""
    if language != "en":
        return lower_article(name)
    lowered = lcfirst(name)
    return lowered if is_proper_name(lowered) else f"the {lowered}"


def ucfirst(text: str) -> str:
    """Uppercase only the first letter ("databeskyttelsesrådgiver (DPO)" keeps its "DPO")."""
    return text[:1].upper() + text[1:]


def join_and(items: object, language: Language) -> str:
    """ "a, b og c" in Danish, "a, b and c" in English."""
    words = [str(i) for i in items]  # type: ignore[attr-defined]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {'og' if language == 'da' else 'and'} {words[-1]}"


def practice(inspired_by: str, language: Language) -> str:
    """Whose practice, in the answer's language: "Rebild Kommune og Randers Kommune" in a pack
    reads "Rebild Kommune and Randers Kommune" in English."""
    return join_and(inspired_by.split(" og "), language)


def _origin(entry: Sourced, language: Language) -> str:
    if entry.origin == "shared_default":
        return "govbots forslag" if language == "da" else "govbot's suggestion"
    if entry.origin == "inspiration":
        prefix = "som i" if language == "da" else "as in"
        return f"{prefix} {practice(entry.inspired_by or '', language)}"
    return "lokal" if language == "da" else "local"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("knowledge", "templates"),
        autoescape=False,  # plain text; escaped by the consumer for its own format
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
        auto_reload=False,  # the templates ship with the package; no stat per answer
    )
    env.filters["join_and"] = join_and
    env.filters["lcfirst"] = lcfirst
    env.filters["ucfirst"] = ucfirst
    env.filters["practice"] = practice
    for lang in ("da", "en"):
        months = _MONTHS[lang].split()
        env.filters[f"month_{lang}"] = lambda m, months=months: months[m - 1]
        env.filters[f"field_{lang}"] = lambda f, names=_FIELDS[lang]: names.get(f, f)
        env.filters[f"origin_{lang}"] = lambda e, lang=lang: _origin(e, lang)
    return env


def render(name: str, language: Language, **context: Any) -> str:
    """Render template `<language>/<name>.j2`, trimmed, with blank-line runs collapsed."""
    text = _environment().get_template(f"{language}/{name}.j2").render(**context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


@cache
def patterns(name: str) -> dict[str, dict[str, Any]]:
    """A YAML data file next to the templates (questions.yaml, titles.yaml)."""
    text = files("knowledge").joinpath("templates", name).read_text(encoding="utf-8")
    loaded: dict[str, dict[str, Any]] = safe_load(text)
    return loaded
