"""The packaging errors: every refusal names what is wrong and where."""

from __future__ import annotations

from collections.abc import Iterable


class ManifestError(Exception):
    """The app package cannot be built; `problems` lists each reason, precisely."""

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("; ".join(self.problems))


class SchemaNotInstalledError(ManifestError):
    """Microsoft's manifest schema is not on this machine; the message says how to get it."""
