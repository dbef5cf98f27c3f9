"""``engine.top_rows`` against its definition: the k best kept rows, best first, ties by row."""

import numpy as np
import pytest

from matching import engine


def reference(similarity: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
    rows = np.flatnonzero(keep & np.isfinite(similarity))
    return rows[np.lexsort((rows, -similarity[rows]))][: max(k, 0)]


@pytest.mark.parametrize("seed", range(40))
def test_top_rows_is_the_sorted_definition(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 5000))
    similarity = rng.standard_normal(n).astype(np.float32)
    if seed % 2:
        similarity = np.round(similarity, 1)  # many ties, also across the k-th value
    keep = rng.random(n) < rng.random()
    for k in (0, 1, 7, 50, 500, n + 3):
        assert np.array_equal(engine.top_rows(similarity, keep, k), reference(similarity, keep, k))


def test_top_rows_skips_non_finite_and_reads_a_mapped_column(tmp_path):
    similarity = np.array([0.5, np.nan, 0.9, -np.inf, 0.9, 0.1] * 100, dtype=np.float32)
    np.save(tmp_path / "s.npy", similarity)
    mapped = np.load(tmp_path / "s.npy", mmap_mode="r")
    keep = np.ones(len(similarity), dtype=bool)
    keep[4] = False
    for k in (1, 3, 250, 600):
        assert np.array_equal(engine.top_rows(mapped, keep, k), reference(similarity, keep, k))
