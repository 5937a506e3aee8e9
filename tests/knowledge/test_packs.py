"""Pack loading and validation: the bundled packs are sound, broken ones are refused precisely."""

from __future__ import annotations

import re
import shutil
from importlib.resources import as_file
from pathlib import Path

import pytest

from knowledge.check import check_all_packs
from knowledge.packs import PackError, available_packs, load_pack, packs_root

PACKS = ("norddjurs", "randers", "rebild")


def test_bundled_packs_are_listed() -> None:
    assert available_packs() == PACKS


@pytest.mark.parametrize("key", PACKS)
def test_every_pack_loads(key: str) -> None:
    pack = load_pack(key)
    assert pack.key == key
    assert pack.bodies and pack.roles and pack.principles and pack.faq
    assert pack.default_contact.name_da


def test_check_all_packs_finds_nothing() -> None:
    assert check_all_packs() == []


def test_unknown_pack_is_refused() -> None:
    with pytest.raises(PackError) as err:
        load_pack("aarhus")
    assert "aarhus: videnspakken findes ikke" in err.value.problems[0]


@pytest.mark.parametrize("key", PACKS)
def test_full_kitos_vocabulary_and_organisation_roles(key: str) -> None:
    pack = load_pack(key)
    kitos = {r.kitos_column for r in pack.roles if r.kitos_column}
    assert kitos >= {
        "Systemejer", "Systemansvarlig", "Forretningsejer", "Superbrugeransvarlig", "Superbruger",
        "Sikkerhedsansvarlig", "Changemanager", "Dataejer", "Systemadministrator",
        "Kontraktejer", "Kontraktmanager", "Juridisk rådgiver", "Budgetansvarlig",
        "Fakturamodtager",
    }  # fmt: skip
    keys = {r.key for r in pack.roles}
    assert keys >= {
        "central_informationssikkerhedskoordinator", "lokal_informationssikkerhedskoordinator",
        "databeskyttelsesraadgiver", "it_kontaktperson", "it_vejleder", "testbruger",
    }  # fmt: skip
    assert pack.expand_role("system_og_dataejer") == ("systemejer", "dataejer")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Systemejer", "systemejer"),
        ("system owner", "systemejer"),
        ("owner", "systemejer"),
        ("ejer", "systemejer"),
        ("Superbrugere", "superbruger"),
        ("super user", "superbruger"),
        ("System- og dataejer", "system_og_dataejer"),
        ("system & dataejere", "system_og_dataejer"),
        ("DPO", "databeskyttelsesraadgiver"),
        ("databeskyttelsesradgiver", "databeskyttelsesraadgiver"),
        ("Juridisk rådgiver", "juridisk_raadgiver"),
        ("juridisk raadgiver", "juridisk_raadgiver"),
        ("IT-kontaktperson", "it_kontaktperson"),
        ("informationssikkerhedskoordinator", "central_informationssikkerhedskoordinator"),
    ],
)
def test_role_by_name(text: str, key: str) -> None:
    role = load_pack("rebild").role_by_name(text)
    assert role is not None and role.key == key


def test_role_by_name_unknown_is_none() -> None:
    assert load_pack("randers").role_by_name("borgmester") is None


def test_randers_roles_are_marked_shared_default() -> None:
    assert {r.origin for r in load_pack("randers").roles} == {"shared_default"}


def test_rebild_extends_shared_roles_with_local_facts() -> None:
    role = load_pack("rebild").role("superbruger")
    assert role.origin == "local"
    assert role.source.doc == "rebild_roller"
    assert role.kitos_column == "Superbruger"  # inherited from the shared entry
    assert "super user" in role.synonyms_en


def test_norddjurs_cadence_and_reminders() -> None:
    pack = load_pack("norddjurs")
    styregruppe = pack.body("styregruppe")
    programgruppe = pack.body("programgruppe")
    assert styregruppe.cadence is not None and styregruppe.cadence.meetings_per_year == 4
    assert programgruppe.cadence is not None and programgruppe.cadence.meetings_per_year == 4
    assert programgruppe.cadence.follows is not None
    assert programgruppe.cadence.follows.body == "styregruppe"
    kinds = {r.kind for r in styregruppe.reminder_rules}
    assert kinds == {
        "recommendations_deadline", "agenda_due", "agenda_approval", "member_reminder",
        "channel_post", "minutes_due",
    }  # fmt: skip
    seminar = programgruppe.annual_items[0]
    assert seminar.kind == "event" and seminar.preferred_months == (5,)


def test_norddjurs_procurement_is_the_marked_shared_default() -> None:
    proc = load_pack("norddjurs").procurement
    assert proc.origin == "shared_default"
    assert proc.screening_time.origin == "inspiration"
    assert proc.screening_time.inspired_by == "Jammerbugt Kommune"


# --- broken packs --------------------------------------------------------------------------


@pytest.fixture
def packs_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled packs."""
    with as_file(packs_root()) as src:
        shutil.copytree(src, tmp_path / "packs")
    return tmp_path / "packs"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copy_of_bundled_packs_is_sound(packs_copy: Path) -> None:
    assert check_all_packs(packs_copy) == []


def test_broken_pack_yields_precise_messages(packs_copy: Path) -> None:
    _edit(
        packs_copy / "norddjurs" / "bodies.yaml",
        "follows: {body: styregruppe,",
        "follows: {body: styregrupe,",
    )
    _edit(
        packs_copy / "rebild" / "roles.yaml",
        "    escalate_to: strategisk_ledergruppe\n",
        "    escalate_to: borgmester\n",
    )
    _edit(
        packs_copy / "randers" / "principles.yaml",
        '    source: {doc: randers_it_strategi, section: "6. Brug af open source-software"}\n',
        "",
    )
    _edit(
        packs_copy / "randers" / "bodies.yaml",
        "    meetings_da: To gange om året med faste deltagere.\n",
        "    meetings_da: 2\n",
    )
    problems = check_all_packs(packs_copy)
    assert problems == [
        "norddjurs/bodies.yaml: bodies['programgruppe'].cadence.follows.body: "
        "'styregrupe' findes ikke som organ",
        "randers/bodies.yaml: bodies[5] 'faellesmoder'.meetings_da: Input should be a valid string",
        "randers/principles.yaml: principles[4] 'open_source'.source: mangler",
        "rebild/roles.yaml: roles['centerchef'].escalate_to: "
        "'borgmester' findes ikke som organ eller rolle",
    ]
    with pytest.raises(PackError) as err:
        load_pack("rebild", packs_copy)
    assert len(err.value.problems) == 1


def test_unresolved_faq_related_is_reported(packs_copy: Path) -> None:
    _edit(
        packs_copy / "norddjurs" / "faq.yaml",
        'related: [systemportefolje, "body:programgruppe"]',
        'related: [systemportefolje, "body:programgrupen"]',
    )
    assert check_all_packs(packs_copy) == [
        "norddjurs/faq.yaml: faq:portefolje_typer: "
        "related 'body:programgrupen' findes ikke som svar"
    ]


def test_yaml_errors_name_file_and_line(packs_copy: Path) -> None:
    roles = packs_copy / "norddjurs" / "roles.yaml"
    roles.write_text("include:\n  from: _shared\n  from: _shared\nroles: []\n", encoding="utf-8")
    _edit(packs_copy / "rebild" / "faq.yaml", "faq:\n", "faq: [\n")
    problems = check_all_packs(packs_copy)
    assert problems[0] == (
        "norddjurs/roles.yaml: linje 3: ugyldig YAML: nøglen 'from' står to gange"
    )
    assert problems[1].startswith("rebild/faq.yaml: linje ")
    assert len(problems) == 2


def test_include_extends_and_origin_rules(packs_copy: Path) -> None:
    _edit(
        packs_copy / "randers" / "principles.yaml",
        "keys: [persondata_og_sikkerhed, navngivet_ejerskab]",
        "keys: [persondata_og_sikkerhed, findes_ikke]",
    )
    _edit(
        packs_copy / "norddjurs" / "roles.yaml",
        "roles: []",
        "roles:\n  - key: superbruger\n    label_da: Superbruger\n",
    )
    _edit(
        packs_copy / "rebild" / "bodies.yaml",
        '    source: {doc: rebild_roller, section: "Strategisk ledergruppe"}\n\n',
        '    source: {doc: randers_governance, section: "Direktion"}\n\n',
    )
    assert check_all_packs(packs_copy) == [
        "norddjurs/roles.yaml: roles[0] 'superbruger': findes også i de inkluderede fælles data; "
        "brug 'extends: _shared'",
        "randers/principles.yaml: include.keys: "
        "'findes_ikke' findes ikke i _shared/principles.yaml",
        "rebild/bodies.yaml: bodies[2].source.doc: lokal viden skal have kilde i pakkens egne "
        "dokumenter (rebild_roller, rebild_strategi), ikke 'randers_governance'; marker den "
        "ellers som shared_default eller inspiration",
    ]


def test_danish_text_without_its_english_is_refused(packs_copy: Path) -> None:
    _edit(
        packs_copy / "rebild" / "principles.yaml",
        "    why_en: It gives a good organisation for working together and secure operation.\n",
        "",
    )
    _edit(
        packs_copy / "rebild" / "bodies.yaml",
        "      members_en:\n        - The IT advisers (IT-vejlederne)\n",
        "",
    )
    # Danish given anew in an entry that extends a shared one: the shared English is not kept.
    roles = packs_copy / "rebild" / "roles.yaml"
    text = roles.read_text(encoding="utf-8")
    stripped = re.sub(
        r"(- key: superbruger\n(?:.*\n)*?)    responsibilities_en:\n(?:      - .*\n)+",
        r"\1",
        text,
        count=1,
    )
    assert stripped != text
    roles.write_text(stripped, encoding="utf-8")
    assert check_all_packs(packs_copy) == [
        "rebild/bodies.yaml: bodies[5] 'skolenet'.composition: "
        "Value error, members_en mangler (members skal også stå på engelsk)",
        "rebild/roles.yaml: roles[7] 'superbruger' (extends _shared).responsibilities_en: mangler",
        "rebild/principles.yaml: principles[6] 'projektorganisering'.why_en: mangler",
    ]


def test_an_entry_adding_danish_synonyms_keeps_the_shared_english_ones() -> None:
    from knowledge.packs import _merge

    shared = {"key": "superbruger", "synonyms_da": ["nøglebruger"], "synonyms_en": ["key user"]}
    merged = _merge(shared, {"synonyms_da": ["superbrugere"]})
    assert merged["synonyms_da"] == ["superbrugere", "nøglebruger"]
    assert merged["synonyms_en"] == ["key user"]  # synonyms add to the shared list
