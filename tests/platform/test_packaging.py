"""pyproject.toml in the form current setuptools reads without a deprecation warning."""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))


def test_the_license_is_an_spdx_expression_not_a_table() -> None:
    # A TOML table (`{ text = "MIT" }`) makes setuptools ≥ 77 warn on every install.
    assert PYPROJECT["project"]["license"] == "MIT"
    classifiers = PYPROJECT["project"].get("classifiers", [])
    assert not [c for c in classifiers if c.startswith("License ::")]


def test_the_build_needs_a_setuptools_that_reads_spdx_licenses() -> None:
    requires = PYPROJECT["build-system"]["requires"]
    assert [r for r in requires if r.startswith("setuptools")] == ["setuptools>=77"]
