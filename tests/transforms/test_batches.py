"""even_batches: how a chunk of pages is cut for the extraction workers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.process import even_batches


@given(st.integers(0, 2_000), st.integers(1, 300), st.integers(1, 8))
def test_batches_keep_every_item_in_order_evenly(n: int, size: int, workers: int) -> None:
    items = list(range(n))
    batches = even_batches(items, size, workers)
    assert [item for batch in batches for item in batch] == items
    if not n:
        assert batches == []
        return
    sizes = [len(batch) for batch in batches]
    assert max(sizes) <= size
    assert max(sizes) - min(sizes) <= 1
    fewest = -(-n // size)
    assert len(batches) == min(n, -(-fewest // workers) * workers)  # a multiple of workers when items allow


def test_a_last_short_chunk_is_shared_by_the_workers() -> None:
    assert [len(batch) for batch in even_batches(list(range(95)), 100, 2)] == [47, 48]
    assert [len(batch) for batch in even_batches(list(range(200)), 100, 2)] == [100, 100]
    sizes = [len(batch) for batch in even_batches(list(range(1_095)), 100, 2)]
    assert len(sizes) == 12 and set(sizes) == {91, 92}


def test_no_workers_counts_as_one_and_a_size_below_one_is_refused() -> None:
    assert even_batches(list(range(5)), 2, 0) == even_batches(list(range(5)), 2, 1)
    with pytest.raises(ValueError, match="batch size must be positive"):
        even_batches([1, 2], 0)
