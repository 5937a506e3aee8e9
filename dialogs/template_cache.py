"""Compiled jinja templates kept on disk between start-ups: the message texts' and the cards'.

Compiling them (some 450 texts with markup, the card templates) was a third of a server's
warm-up. jinja's bytecode cache keeps each template's compiled code in a file named after the
template, with the hash of its source and jinja's and Python's versions inside: a changed
template, or another jinja or Python, is compiled afresh and never read stale. The directory
is the model cache's (GOVBOT_MODEL_CACHE), as the intent model's.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, Template
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


def compiled(environment: Environment, name: str, source: str) -> Template:
    """`source` as a template named `name`, through the environment's cache when it has one
    (`Environment.from_string`, which never looks in a cache, otherwise)."""
    cache = environment.bytecode_cache
    bucket = cache.get_bucket(environment, name, None, source) if cache else None
    code = bucket.code if bucket else None
    if code is None:
        code = environment.compile(source, name)
        if cache and bucket:
            bucket.code = code
            cache.set_bucket(bucket)
    return environment.template_class.from_code(environment, code, environment.make_globals(None))
