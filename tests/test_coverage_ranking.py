"""The fuzzy tier's candidates are ranked by how much rare evidence they cover; the table
indexed by passage id must rank exactly as sorting every id did (same order, same ties)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.retrieval import _most_covered, _most_covered_sparse

id_lists = st.lists(
    st.sets(st.integers(min_value=1, max_value=3000), max_size=300).map(
        lambda ids: np.array(sorted(ids), dtype=np.int64)
    ),
    max_size=16,
)


@settings(max_examples=300, deadline=None)
@given(
    found=id_lists,
    weight_choices=st.lists(st.sampled_from([1.0, 0.5, 2.25, 0.1]), min_size=16, max_size=16),
    n=st.integers(min_value=1, max_value=500),
)
def test_table_ranking_is_the_sorted_ranking(
    found: list[np.ndarray], weight_choices: list[float], n: int
) -> None:
    weights = weight_choices[: len(found)]
    expected = _most_covered_sparse(found, weights, n) if any(len(f) for f in found) else ([], [])
    assert _most_covered(found, weights, n) == expected


def test_ties_keep_the_first_list_then_the_lower_id() -> None:
    found = [np.array([5, 9], dtype=np.int64), np.array([2, 5], dtype=np.int64)]
    # 5 is in both lists; 9 was seen before 2 (in the first list), so it ranks first.
    assert _most_covered(found, [1.0, 1.0], 3) == ([5, 9, 2], [2.0, 1.0, 1.0])
