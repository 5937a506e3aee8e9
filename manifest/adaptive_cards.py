"""Microsoft's Adaptive Cards renderer, npm `adaptivecards`, for checking govbot's cards.

Like the manifest schema it is third-party and not committed: `install_adaptivecards()` puts
the pinned version in a git-ignored cache; the card tests run its browser bundle under node.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from manifest.errors import SchemaNotInstalledError
from manifest.npm import installed_version, npm_install

NPM_PACKAGE = "adaptivecards"
NPM_VERSION = "3.0.6"
CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "adaptivecards"
# The UMD bundle loads under node; the package's `main` is ES modules node cannot resolve.
_BUNDLE = Path("dist", "adaptivecards.js")


def _bundle(cache_dir: Path) -> Path:
    return cache_dir / "node_modules" / NPM_PACKAGE / _BUNDLE


def _is_installed(cache_dir: Path) -> bool:
    return installed_version(cache_dir, NPM_PACKAGE) == NPM_VERSION and _bundle(cache_dir).is_file()


def install_adaptivecards(cache_dir: Path = CACHE_DIR) -> Path:
    """Install the pinned `adaptivecards` into `cache_dir` unless there; return its bundle."""
    npm_install(
        cache_dir,
        f"{NPM_PACKAGE}@{NPM_VERSION}",
        installed=partial(_is_installed, cache_dir),
        without_npm=(
            f"npm is not installed, so {NPM_PACKAGE}@{NPM_VERSION} cannot be fetched: "
            "install Node.js and npm"
        ),
    )
    if not _is_installed(cache_dir):
        raise SchemaNotInstalledError(f"{NPM_PACKAGE}@{NPM_VERSION} has no {_BUNDLE}")
    return _bundle(cache_dir)
