"""A sparse matrix with one axis compressed, in plain numpy: what the knowledge index needs.

The passage and phrasing indexes keep, per token, the passages or phrasings that have it, and
sum a phrasing's weights. scipy.sparse did this before; importing it (and the numpy testing
and array-API modules it pulls in) cost every server a quarter of a second and some 20 MB.
The layout is scipy's canonical compressed format, and the sums are taken in its order, so the
scores are the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Compressed:
    """Line `i` (a row of a CSR matrix, a column of a CSC one) has its entries at
    `indices[indptr[i]:indptr[i + 1]]` (positions along the other axis, ascending), with the
    values `data` at the same places."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @classmethod
    def of(
        cls, lines: Sequence[int], positions: Sequence[int], values: Sequence[float], count: int
    ) -> Compressed:
        """Entries `values[k]` at (`lines[k]`, `positions[k]`), no place given twice, grouped
        into `count` lines."""
        line = np.asarray(lines, dtype=np.int64)
        position = np.asarray(positions, dtype=np.int64)
        order = np.lexsort((position, line))
        indptr = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(line, minlength=count), out=indptr[1:])
        data = np.asarray(values, dtype=np.float64)[order]
        return cls(indptr, position[order], data)

    @property
    def lines(self) -> int:
        return len(self.indptr) - 1

    def line_sums(self) -> np.ndarray:
        """Each line's values summed (0 for an empty line)."""
        sums = np.zeros(self.lines)
        filled = np.flatnonzero(np.diff(self.indptr))
        if len(filled):
            sums[filled] = np.add.reduceat(self.data, self.indptr[filled])
        return sums

    def dot(self, vector: np.ndarray) -> np.ndarray:
        """Each line's values times `vector` at their positions, summed in position order."""
        line_of = np.repeat(np.arange(self.lines), np.diff(self.indptr))
        products = self.data * vector[self.indices]
        return np.bincount(line_of, weights=products, minlength=self.lines)
