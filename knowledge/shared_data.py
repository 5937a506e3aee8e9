"""The validated data files in packs/_shared that are not part of any one pack (the country's
municipalities, the kinds of governance body): each read once and checked by its model."""

from __future__ import annotations

from importlib.resources import files
from typing import TypeVar

from pydantic import BaseModel

from knowledge.yaml_loader import safe_load

M = TypeVar("M", bound=BaseModel)


def load_shared(file_name: str, model: type[M]) -> M:
    """`packs/_shared/<file_name>`, validated by `model`."""
    path = files("knowledge").joinpath("packs", "_shared", file_name)
    return model.model_validate(safe_load(path.read_text(encoding="utf-8")))
