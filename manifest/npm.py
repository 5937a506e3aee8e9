"""Pinned npm packages of Microsoft's, installed into git-ignored folders under `.cache/`."""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from manifest.errors import SchemaNotInstalledError

_NPM_FLAGS = ("--ignore-scripts", "--no-audit", "--no-fund", "--save-exact")
_NPM_ERROR = re.compile(r"^npm (?:ERR!|error) (.+)$", re.MULTILINE)


def installed_version(cache_dir: Path, package: str) -> str | None:
    """The version of `package` installed under `cache_dir`, or None when it is not there."""
    try:
        manifest = json.loads(
            (cache_dir / "node_modules" / package / "package.json").read_text("utf-8")
        )
    except (OSError, ValueError):
        return None
    version = manifest.get("version")
    return version if isinstance(version, str) else None


def npm_install(
    cache_dir: Path, spec: str, *, installed: Callable[[], bool], without_npm: str
) -> None:
    """`npm install spec` into `cache_dir` unless `installed()`; `without_npm` says what to do."""
    if installed():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SchemaNotInstalledError(without_npm)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".install.lock").open("w") as lock:
        # Parallel test workers may all arrive here; one installs, the others wait and reuse.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed():
            return
        command = [npm, "install", "--prefix", str(cache_dir), *_NPM_FLAGS, spec]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            errors = [
                line
                for line in _NPM_ERROR.findall(result.stderr)
                if not line.startswith(("code ", "A complete log"))
            ]
            detail = errors[0] if errors else f"exit status {result.returncode}"
            raise SchemaNotInstalledError(f"`npm install {spec}` failed: {detail.strip()}")
