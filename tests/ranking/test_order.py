"""The compact queue order (pure): the array path a retrain takes gives the same order as
encoding a {record: score} mapping."""

import numpy as np

from screening.ranking import order


def test_tie_ordered_encoding_is_the_mapping_encoding():
    rng = np.random.default_rng(3)
    ids = rng.permutation(np.arange(1, 2001, dtype=np.int64))
    values = rng.integers(0, 40, size=len(ids)).astype(np.float32) / 8  # many ties
    keys = rng.integers(0, 50, size=len(ids))  # ties in the shuffle key too
    expected = order.encode(
        dict(zip(ids.tolist(), values.tolist(), strict=True)),
        dict(zip(ids.tolist(), keys.tolist(), strict=True)),
    )

    tied = order.tie_order(ids, keys)
    got = order.encode_tie_ordered(ids[tied], values[tied])

    assert got == expected
    best = order.ids_of(got.ids)
    assert len(best) == len(ids) and len(set(best)) == len(ids)
    first = {int(i): float(v) for i, v in zip(ids, values, strict=True)}
    assert [first[i] for i in best] == sorted(first.values(), reverse=True)
