"""Compiled jinja templates kept on disk between start-ups: the message texts' and the cards'.

Compiling them (some 450 texts with markup, the card templates) was a third of a server's
warm-up. jinja's bytecode cache keeps each template's compiled code in a file named after the
template, with the hash of its source and jinja's and Python's versions inside: a changed
template, or another jinja or Python, is compiled afresh and never read stale. The directory
is the model cache's (GOVBOT_MODEL_CACHE), as the intent model's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jinja2 import BaseLoader, Environment, Template, TemplateNotFound
from jinja2.bccache import Bucket, FileSystemBytecodeCache

# Beside the intent models in the model cache directory.
FOLDER = "templates"


class _TemplateCache(FileSystemBytecodeCache):
    """jinja's file cache, except that a cache it cannot write is only not kept."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only checkout still runs; it compiles at each start
            pass


def keep_compiled(environment: Environment, cache_dir: Path) -> None:
    """Read `environment`'s compiled templates from `cache_dir` and write new ones there."""
    directory = cache_dir / FOLDER
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    environment.bytecode_cache = _TemplateCache(str(directory), "%s.jinja")


class SourceLoader(BaseLoader):
    """Templates handed over by name and source at run time (the locale texts, read from YAML),
    so that jinja's own loading compiles them: `Environment.get_template` looks in the bytecode
    cache first, which `Environment.from_string` never does."""

    def __init__(self) -> None:
        self._sources: dict[str, str] = {}

    def add(self, name: str, source: str) -> None:
        """Make `source` the template called `name`."""
        self._sources[name] = source

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool]]:
        try:
            source = self._sources[template]
        except KeyError:
            raise TemplateNotFound(template) from None
        # Up to date while the same source stands under that name.
        return source, None, lambda: self._sources.get(template) is source


def compiled(environment: Environment, name: str, source: str) -> Template:
    """`source` as a template named `name`, through the environment's `SourceLoader` and so
    through its bytecode cache when it has one."""
    loader = environment.loader
    if not isinstance(loader, SourceLoader):
        raise TypeError("the environment must load with a SourceLoader")
    loader.add(name, source)
    return environment.get_template(name)
