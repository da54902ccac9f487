"""Basic NumPy indexing: integers, slices with steps, None, Ellipsis."""

import numpy as np
import pytest

import rmlx.core as mx

X = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)

KEYS = [
    0,
    -1,
    (1, 2),
    (1, -1, 3, 4),
    slice(None),
    slice(1, None),
    slice(None, None, -1),
    (slice(None), slice(0, 3, 2)),
    (slice(None), slice(None), slice(None, None, -2)),
    (Ellipsis, 1),
    (0, Ellipsis, slice(1, 3)),
    (None, 0),
    (slice(None), None, 1, None),
    (Ellipsis, None),
    (slice(5, 10),),
    (slice(-100, 100),),
    (1, slice(2, 0, -1), Ellipsis, slice(None, None, 3)),
    (),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_basic_indexing_matches_numpy(key):
    got = mx.array(X)[key]
    want = X[key]
    assert got.shape == want.shape
    np.testing.assert_array_equal(np.array(got), want)


def test_index_of_a_view_and_scalar_results():
    a = mx.array(X)
    v = a[:, ::2][1]
    np.testing.assert_array_equal(np.array(v), X[:, ::2][1])
    assert a[1, 2, 3, 4].item() == X[1, 2, 3, 4]
    assert a[mx.array(1), 0, 0, 0].item() == X[1, 0, 0, 0]


def test_bad_indices():
    a = mx.array(X)
    with pytest.raises(IndexError):
        a[2]
    with pytest.raises(IndexError):
        a[0, 0, 0, -6]
    with pytest.raises(IndexError):
        a[0, 0, 0, 0, 0]
    with pytest.raises(IndexError):
        a[..., 0, ...]
    with pytest.raises(IndexError):
        a["x"]
    with pytest.raises(IndexError):
        a[1.5]
    with pytest.raises(ValueError):
        a[::0]
    with pytest.raises(IndexError):
        mx.array(3)[0]


ADVANCED = [
    [1, 0],
    ([0, 1, 1],),
    (slice(None), [2, 0]),
    (Ellipsis, [4, -1, 0]),
    ([[0, 1], [1, 0]],),
    ([0, 1], [2, 0]),
    ([0, 1], slice(None), [3, 1]),
    (1, slice(None), [0, 2]),
    (slice(None), 2, [0, 3]),
    ([1], [0, 2], slice(1, 3)),
    (slice(None), [[0], [2]], [1, 3]),
    (None, [1, 0], 2),
    (slice(None, None, -1), [2, 0, 1]),
    (np.array([1, 0]),),
    (slice(None), np.array([[2, 1]])),
    ([],),
]


@pytest.mark.parametrize("key", ADVANCED, ids=[repr(k) for k in ADVANCED])
def test_advanced_indexing_matches_numpy(key):
    got = mx.array(X)[key]
    want = X[key]
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(np.array(got), want)


def test_array_indices_from_rmlx_and_take():
    a = mx.array(X)
    idx = mx.array([2, 0, -1])
    np.testing.assert_array_equal(np.array(a[:, idx]), X[:, [2, 0, -1]])
    np.testing.assert_array_equal(np.array(a[idx % 2, 0]), X[[0, 0, 1], 0])
    np.testing.assert_array_equal(np.array(mx.take(a, mx.array([3, 1]), axis=2)), np.take(X, [3, 1], axis=2))
    np.testing.assert_array_equal(np.array(mx.take(a, [5, -2])), np.take(X, [5, -2]))
    for dt in (mx.int8, mx.uint16, mx.int64):
        np.testing.assert_array_equal(np.array(a[mx.array([1, 0], dtype=dt)]), X[[1, 0]])


def test_bad_advanced_indices():
    a = mx.array(X)
    with pytest.raises(IndexError, match="out of bounds"):
        a[[0, 2]]
    with pytest.raises(IndexError, match="out of bounds"):
        a[:, [-4]]
    with pytest.raises(IndexError):
        a[mx.array([0.5])]
    with pytest.raises(IndexError):
        a[[True, False, True]]  # a mask of the wrong length
    with pytest.raises(ValueError):
        a[[0, 1], [0, 1, 2]]  # the index arrays do not broadcast


SET_KEYS = [
    (0, 7.0),
    ((1, 2), np.arange(5, dtype=np.float32)),
    ((slice(None), 0, slice(1, 3)), -1.0),
    ((Ellipsis, [4, 0]), np.float32(3.5)),
    ([1, 0], np.zeros((3, 4, 5), np.float32)),
    ((slice(None, None, -1), [2], 1), np.array([[9.0, 8.0, 7.0, 6.0, 5.0]], np.float32)),
]


@pytest.mark.parametrize("key,value", SET_KEYS, ids=[repr(k) for k, _ in SET_KEYS])
def test_setitem_matches_numpy(key, value):
    a = mx.array(X)
    b = a  # the same Python object sees the update
    a[key] = mx.array(value) if isinstance(value, np.ndarray) else value
    want = X.copy()
    want[key] = value
    np.testing.assert_array_equal(np.array(b), want)


def test_setitem_errors():
    a = mx.array(X)
    with pytest.raises(ValueError, match=r"updates of shape \(7,\) do not broadcast"):
        a[0] = mx.ones((7,))
    with pytest.raises(IndexError):
        a[5] = 1.0
    i = mx.array([1, 2, 3], dtype=mx.int32)
    i[0] = 2.7  # cast to the array's dtype
    assert i.tolist() == [2, 2, 3]


def test_at_updates_accumulate_over_repeated_indices():
    a = mx.array([1.0, 2.0, 3.0, 4.0])
    idx = [0, 2, 0, 0]
    np.testing.assert_array_equal(np.array(a.at[idx].add(1.0)), [4.0, 2.0, 4.0, 4.0])
    np.testing.assert_array_equal(np.array(a.at[idx].subtract(mx.array([1.0, 2.0, 3.0, 4.0]))), [-7.0, 2.0, 1.0, 4.0])
    np.testing.assert_array_equal(np.array(a.at[idx].multiply(2.0)), [8.0, 2.0, 6.0, 4.0])
    np.testing.assert_array_equal(np.array(a.at[idx].divide(2.0)), [0.125, 2.0, 1.5, 4.0])
    np.testing.assert_array_equal(np.array(a.at[idx].maximum(mx.array([0.0, 5.0, 9.0, 2.0]))), [9.0, 2.0, 5.0, 4.0])
    np.testing.assert_array_equal(np.array(a.at[idx].minimum(0.5)), [0.5, 2.0, 0.5, 4.0])
    assert a.tolist() == [1.0, 2.0, 3.0, 4.0]  # at[] returns new arrays
    m = mx.zeros((3, 2), dtype=mx.int32)
    np.testing.assert_array_equal(np.array(m.at[[0, 0, 2], 1].add(5)), [[0, 10], [0, 0], [0, 5]])
    with pytest.raises(ValueError):
        m.at[0].divide(2)
