"""A user who writes English is answered in English: every text an English answer shows has its
English in the pack, and the schema refuses a pack whose Danish text lacks it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from knowledge.answers import answer_entry, knowledge_index
from knowledge.packs import available_packs, load_pack
from knowledge.schema import Pack
from knowledge.schema_bodies import Composition
from knowledge.schema_entries import GovernanceRole, Principle

SOURCE = {"doc": "govbot_standard", "section": "Test"}
# Matching vocabulary, never shown: a Danish synonym may well be an English word too ("gdpr").
NOT_SHOWN = ("synonyms_", "aliases_", "words_", "short_")


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item)


def _models(value: object) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            if name not in ("terms", "paraphrases"):
                yield from _models(getattr(value, name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _models(item)


def _danish_only(pack: Pack) -> set[str]:
    """The pack's Danish texts that none of its English texts says (in parentheses or not)."""
    danish: set[str] = set()
    english: list[str] = []
    for model in _models(pack):
        shown = set(model.needs_english)
        for name in type(model).model_fields:
            if name.startswith(NOT_SHOWN):
                continue
            if name.endswith("_da") or name in shown:
                danish.update(_texts(getattr(model, name)))
            else:  # English, or a name said as it is ("In KITOS the role is called …")
                english.extend(_texts(getattr(model, name)))
    return {d for d in danish if not any(d in e for e in english)}


@pytest.mark.parametrize("pack_key", available_packs())
def test_every_english_answer_is_in_english(pack_key: str) -> None:
    pack = load_pack(pack_key)
    danish = _danish_only(pack)
    assert len(danish) > 100  # the pack's Danish is there to be missed
    for entry in knowledge_index(pack).entries:
        answer = answer_entry(pack, entry.id, "en")
        assert answer.entry is not None
        assert "in Danish" not in answer.text, entry.id
        quoted = sorted(d for d in danish if d in answer.entry.text)
        assert not quoted, (entry.id, quoted)


def test_no_english_template_quotes_danish() -> None:
    templates = files("knowledge").joinpath("templates", "en")
    for template in templates.iterdir():
        if template.name.endswith(".j2"):
            text = template.read_text(encoding="utf-8")
            assert "in Danish" not in text, template.name
            assert not re.search(r"\w_da\b", text), template.name


@pytest.mark.parametrize("pack_key", available_packs())
def test_a_title_in_english_keeps_the_official_danish(pack_key: str) -> None:
    """ "Head of Digitalisation (Leder af Digitalisering)": found by either name."""
    pack = load_pack(pack_key)
    for body in pack.bodies:
        if body.composition is None or not body.composition.members:
            continue
        answer = answer_entry(pack, f"body:{body.key}:members", "en")
        assert answer.entry is not None
        for title in body.composition.members:
            assert f"({title})" in answer.entry.text, (body.key, title)


def test_norddjurs_chair_in_english() -> None:
    answer = answer_entry(load_pack("norddjurs"), "body:styregruppe:members", "en")
    assert answer.entry is not None
    # "Chair:" first: the Danish title's own brackets are not followed by a second pair.
    assert answer.entry.text.splitlines()[1] == (
        "- Chair: Head of Citizen Services, IT and Digitalisation "
        "(Chef for Borgerservice, IT og Digitalisering)"
    )
    assert "Management representatives who cover the organisation broadly." in answer.entry.text


# --- the schema ----------------------------------------------------------------------------


def _principle(**fields: Any) -> dict[str, Any]:
    return {
        "id": "test", "title_da": "Test", "title_en": "Test", "summary_da": "Et resumé.",
        "summary_en": "A summary.", "requires_da": ["Gør det"], "requires_en": ["Do it"],
        "why_da": "Fordi.", "why_en": "Because.", "source": SOURCE, **fields,
    }  # fmt: skip


def _role(**fields: Any) -> dict[str, Any]:
    return {
        "key": "test", "label_da": "Testrolle", "label_en": "Test role", "scope": "system",
        "summary_da": "En rolle.", "summary_en": "A role.", "responsibilities_da": ["Tester"],
        "responsibilities_en": ["Tests"], "source": SOURCE, **fields,
    }  # fmt: skip


def _problems(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as err:
        model.model_validate(data)
    return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.value.errors()]


def test_sound_models_validate() -> None:
    Principle.model_validate(_principle(prerequisite_da="Tid.", prerequisite_en="Time."))
    GovernanceRole.model_validate(_role(requirements_da=["Kan"], requirements_en=["Can"]))
    Composition.model_validate(
        {"chair": "Direktør", "chair_en": "Director (Direktør)", "source": SOURCE}
    )


def test_a_principle_without_its_english_is_refused() -> None:
    data = _principle()
    del data["requires_en"], data["why_en"]
    assert _problems(Principle, data) == ["requires_en: Field required", "why_en: Field required"]
    assert _problems(Principle, _principle(prerequisite_da="Tid.")) == [
        ": Value error, prerequisite_en mangler (prerequisite_da skal også stå på engelsk)"
    ]
    assert _problems(Principle, _principle(requires_da=["Gør det", "Og det"])) == [
        ": Value error, requires_en har 1 punkter, requires_da har 2: "
        "hvert punkt skal stå på engelsk"
    ]


def test_a_role_without_its_english_is_refused() -> None:
    data = _role()
    del data["responsibilities_en"]
    assert _problems(GovernanceRole, data) == ["responsibilities_en: Field required"]
    data = _role(requirements_da=["Kan"], appointment_da="Af chefen.")
    assert _problems(GovernanceRole, data) == [
        ": Value error, requirements_en mangler (requirements_da skal også stå på engelsk); "
        "appointment_en mangler (appointment_da skal også stå på engelsk)"
    ]


def test_a_composition_needs_english_titles_that_keep_the_danish() -> None:
    assert _problems(Composition, {"members": ["Stabschefen"], "source": SOURCE}) == [
        ": Value error, members_en mangler (members skal også stå på engelsk)"
    ]
    data = {"members": ["Stabschefen"], "members_en": ["The chief of staff"], "source": SOURCE}
    assert _problems(Composition, data) == [
        ": Value error, en engelsk titel skal slutte med den danske i parentes: "
        "['The chief of staff']"
    ]
