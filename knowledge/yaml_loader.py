"""The YAML loader of the files a server reads at start-up (the packs, the message texts).

libyaml's C parser, where PyYAML was built with it, reads them many times faster than the
pure-Python one (the texts' parsing alone was half their start-up cost); both give the same
documents with the safe tags, and the same line numbers in their errors.
"""

from __future__ import annotations

from typing import Any

import yaml

if yaml.__with_libyaml__:
    from yaml import CSafeLoader as SafeLoader
else:  # PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

__all__ = ["SafeLoader", "safe_load"]


def safe_load(text: str) -> Any:
    """The document in `text`, safe tags only (as `yaml.safe_load`)."""
    return yaml.load(text, Loader=SafeLoader)
