"""knowledge.sparse against scipy.sparse, which it replaces in the knowledge index."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from knowledge.sparse import Compressed


def _entries(seed: int) -> tuple[list[int], list[int], list[float], tuple[int, int]]:
    rng = np.random.default_rng(seed)
    shape = (40, 60)
    places = rng.choice(shape[0] * shape[1], size=300, replace=False)
    rows, cols = (places // shape[1]).tolist(), (places % shape[1]).tolist()
    values = rng.random(300).tolist()
    values[::7] = [0.0] * len(values[::7])  # stored zeros stay listed
    return rows, cols, values, shape


def test_rows_and_columns_are_scipys_canonical_layout() -> None:
    rows, cols, values, shape = _entries(1)
    csr = sparse.csr_array((values, (rows, cols)), shape=shape, dtype=np.float64)
    csc = csr.tocsc()
    by_row = Compressed.of(rows, cols, values, shape[0])
    by_column = Compressed.of(cols, rows, values, shape[1])
    for mine, theirs in ((by_row, csr), (by_column, csc)):
        assert np.array_equal(mine.indptr, theirs.indptr)
        assert np.array_equal(mine.indices, theirs.indices)
        assert np.array_equal(mine.data, theirs.data)


def test_sums_and_products_are_scipys_to_the_last_bit() -> None:
    for seed in range(5):
        rows, cols, values, shape = _entries(seed)
        csr = sparse.csr_array((values, (rows, cols)), shape=shape, dtype=np.float64)
        mine = Compressed.of(rows, cols, values, shape[0])
        vector = np.random.default_rng(seed + 100).random(shape[1])
        assert np.array_equal(mine.line_sums(), np.asarray(csr.sum(axis=1)).ravel())
        assert np.array_equal(mine.dot(vector), csr @ vector)


def test_empty_lines_sum_to_zero() -> None:
    matrix = Compressed.of([2], [1], [3.0], 4)
    assert matrix.line_sums().tolist() == [0.0, 0.0, 3.0, 0.0]
    assert matrix.dot(np.array([0.0, 2.0])).tolist() == [0.0, 0.0, 6.0, 0.0]
