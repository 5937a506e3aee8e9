"""Compiled templates kept between start-ups (dialogs.template_cache): used when the source is
the same, never when it changed, and no cache at all where none can be written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, StrictUndefined

from dialogs.template_cache import FOLDER, SourceLoader, compiled, keep_compiled


def _environment(cache_dir: Path | None) -> Environment:
    environment = Environment(loader=SourceLoader(), undefined=StrictUndefined, cache_size=0)
    if cache_dir is not None:
        keep_compiled(environment, cache_dir)
    return environment


def _no_compiling(environment: Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("compiled although the cache has it")

    monkeypatch.setattr(environment, "compile", refuse)


def test_a_second_start_reads_the_compiled_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "Hej {{ name }}{% if n %} ({{ n }}){% endif %}"
    first = compiled(_environment(tmp_path), "da/greeting", source)
    assert list((tmp_path / FOLDER).iterdir())
    later = _environment(tmp_path)
    _no_compiling(later, monkeypatch)
    again = compiled(later, "da/greeting", source)
    assert again.render(name="Anna", n=2) == first.render(name="Anna", n=2) == "Hej Anna (2)"


def test_a_changed_text_is_compiled_afresh(tmp_path: Path) -> None:
    compiled(_environment(tmp_path), "da/greeting", "Hej {{ name }}")
    changed = compiled(_environment(tmp_path), "da/greeting", "Goddag {{ name }}")
    assert changed.render(name="Anna") == "Goddag Anna"


def test_without_a_cache_it_compiles_as_before(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    environment = _environment(blocked)
    assert environment.bytecode_cache is None
    assert compiled(environment, "en/x", "{{ 1 + 1 }}").render() == "2"
    assert compiled(_environment(None), "en/x", "{{ 1 + 1 }}").render() == "2"
