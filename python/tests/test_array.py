"""mx.array: construction, properties, conversions, operators, repr."""

import numpy as np
import pytest

import rmlx.core as mx


def test_scalars_take_mlx_default_dtypes():
    assert mx.array(True).dtype == mx.bool_
    assert mx.array(3).dtype == mx.int32
    assert mx.array(2**40).dtype == mx.int64
    assert mx.array(1.5).dtype == mx.float32
    assert mx.array(1 + 2j).dtype == mx.complex64
    assert mx.array(3).item() == 3
    assert mx.array(1.5).item() == 1.5
    assert mx.array(True).item() is True
    assert mx.array(1 + 2j).item() == 1 + 2j


def test_nested_lists_and_tuples():
    a = mx.array([[1, 2, 3], (4, 5, 6)])
    assert a.shape == (2, 3)
    assert a.ndim == 2 and a.size == 6 and a.itemsize == 4 and a.nbytes == 24
    assert a.dtype == mx.int32
    assert a.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert mx.array([1, 2.5]).dtype == mx.float32
    assert mx.array([True, 2]).dtype == mx.int32
    assert mx.array([1, 2j]).dtype == mx.complex64
    assert mx.array([]).shape == (0,)
    assert mx.array([[], []]).shape == (2, 0)


def test_dtype_argument():
    a = mx.array([1, 2, 3], dtype=mx.float16)
    assert a.dtype == mx.float16
    assert a.tolist() == [1.0, 2.0, 3.0]
    assert mx.array(1.7, dtype=mx.int32).item() == 1
    assert mx.array([1.5], mx.bfloat16).dtype == mx.bfloat16


@pytest.mark.parametrize(
    "npdt,mxdt",
    [
        (np.bool_, mx.bool_),
        (np.uint8, mx.uint8),
        (np.uint16, mx.uint16),
        (np.uint32, mx.uint32),
        (np.uint64, mx.uint64),
        (np.int8, mx.int8),
        (np.int16, mx.int16),
        (np.int32, mx.int32),
        (np.int64, mx.int64),
        (np.float16, mx.float16),
        (np.float32, mx.float32),
        (np.float64, mx.float64),
        (np.complex64, mx.complex64),
    ],
)
def test_numpy_round_trip(npdt, mxdt):
    x = (np.arange(12).reshape(3, 4) % 5).astype(npdt)
    # As MLX: float64 NumPy data becomes float32 unless float64 is asked for.
    a = mx.array(x, dtype=mx.float64) if npdt == np.float64 else mx.array(x)
    assert a.dtype == mxdt
    assert a.shape == (3, 4)
    y = np.array(a)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, x)


def test_numpy_float64_and_complex128_narrow_as_in_mlx():
    assert mx.array(np.array([1.5])).dtype == mx.float32
    assert mx.array(np.array([1 + 1j])).dtype == mx.complex64
    assert mx.array(np.complex128(1 + 2j)).item() == 1 + 2j
    assert mx.array(np.array([1.5]), dtype=mx.float64).dtype == mx.float64


def test_numpy_scalars_and_0d_arrays_stay_0d():
    for v, dt in [(np.float32(2.5), mx.float32), (np.float16(1.5), mx.float16), (np.int64(3), mx.int64),
                  (np.uint8(3), mx.uint8), (np.bool_(True), mx.bool_), (np.array(2.5), mx.float32),
                  (np.array(2, dtype=np.int16), mx.int16)]:
        a = mx.array(v)
        assert a.shape == () and a.dtype == dt, (v, a.shape, a.dtype)
    x = mx.arange(12).reshape(3, 4)
    assert x[np.int64(1)].shape == (4,)
    assert x[np.array(1)].shape == (4,)


def test_non_contiguous_numpy():
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    for v in (x.T, x[::2, 1::2], x[:, ::-1]):
        np.testing.assert_array_equal(np.array(mx.array(v)), v)


def test_bfloat16_to_numpy_is_an_error_as_in_mlx():
    a = mx.array([1.0, 2.5], dtype=mx.bfloat16)
    with pytest.raises(ValueError, match="bfloat16"):
        np.array(a)
    np.testing.assert_array_equal(np.array(a.astype(mx.float32)), [1.0, 2.5])


def test_array_from_arrays_and_lists_of_arrays():
    a = mx.array([1.0, 2.0])
    b = mx.array(a)
    assert b.tolist() == [1.0, 2.0]
    c = mx.array([a, a + 1])
    assert c.shape == (2, 2)
    assert c.tolist() == [[1.0, 2.0], [2.0, 3.0]]


def test_astype_and_T():
    a = mx.array([[1.5, -2.5], [3.0, 4.0]])
    assert a.astype(mx.int32).tolist() == [[1, -2], [3, 4]]
    assert a.T.tolist() == [[1.5, 3.0], [-2.5, 4.0]]


def test_operators_match_numpy():
    x = np.array([[1.0, -2.0, 3.5], [4.0, 0.5, -6.0]], dtype=np.float32)
    y = np.array([2.0, 3.0, -1.5], dtype=np.float32)
    a, b = mx.array(x), mx.array(y)
    cases = [
        (a + b, x + y),
        (a - b, x - y),
        (a * b, x * y),
        (a / b, x / y),
        (a // b, x // y),
        (a % b, x % y),
        (a**2, x**2),
        (2 + a, 2 + x),
        (2 - a, 2 - x),
        (2 * a, 2 * x),
        (2 / a, 2 / x),
        (3 ** mx.array([1.0, 2.0]), np.array([3.0, 9.0])),
        (-a, -x),
        (abs(a), abs(x)),
        (a @ b, x @ y),
    ]
    for got, want in cases:
        np.testing.assert_allclose(np.array(got), want, rtol=1e-6)
    for got, want in [(a < b, x < y), (a <= 1, x <= 1), (a > b, x > y), (a >= b, x >= y), (a == b, x == y), (a != 1, x != 1)]:
        assert got.dtype == mx.bool_
        np.testing.assert_array_equal(np.array(got), want)


def test_integer_and_bitwise_operators():
    x = np.array([5, -3, 12], dtype=np.int32)
    a = mx.array(x)
    np.testing.assert_array_equal(np.array(a & 6), x & 6)
    np.testing.assert_array_equal(np.array(a | 1), x | 1)
    np.testing.assert_array_equal(np.array(a ^ 3), x ^ 3)
    np.testing.assert_array_equal(np.array(a << 2), x << 2)
    np.testing.assert_array_equal(np.array(a >> 1), x >> 1)
    np.testing.assert_array_equal(np.array(~a), ~x)
    np.testing.assert_array_equal(np.array(~mx.array([True, False])), [False, True])


def test_weak_scalars_keep_the_array_dtype():
    assert (mx.array([1, 2], dtype=mx.int8) + 1).dtype == mx.int8
    assert (mx.array([1.0], dtype=mx.float16) * 2.5).dtype == mx.float16
    assert (mx.array([1, 2]) * 1.5).dtype == mx.float32


def test_in_place_operators_rebind():
    a = mx.array([1.0, 2.0])
    b = a
    a += 1
    assert a.tolist() == [2.0, 3.0]
    a *= mx.array([2.0, 2.0])
    assert a.tolist() == [4.0, 6.0]
    assert b is a


def test_len_iter_bool():
    a = mx.array([[1, 2], [3, 4], [5, 6]])
    assert len(a) == 3
    rows = [r.tolist() for r in a]
    assert rows == [[1, 2], [3, 4], [5, 6]]
    assert bool(mx.array(1)) is True
    assert bool(mx.array([0.0])) is False
    with pytest.raises(ValueError):
        bool(mx.array([1, 2]))
    with pytest.raises(TypeError):
        len(mx.array(1))
    assert int(mx.array(7)) == 7
    assert float(mx.array(2.5)) == 2.5
    assert [10, 20, 30][mx.array(1)] == 20


def test_repr():
    assert repr(mx.array([1, 2, 3])) == "array([1, 2, 3], dtype=int32)"
    assert "float32" in repr(mx.array([1.5]))
    assert repr(mx.float32) == "rmlx.core.float32"


def test_methods():
    x = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
    a = mx.array(x)
    np.testing.assert_allclose(np.array(a.sum()), x.sum())
    np.testing.assert_allclose(np.array(a.sum(axis=0)), x.sum(axis=0))
    np.testing.assert_allclose(np.array(a.mean(axis=1, keepdims=True)), x.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(np.array(a.max(axis=(0, 1))), x.max())
    np.testing.assert_allclose(np.array(a.min(1)), x.min(1))
    np.testing.assert_allclose(np.array(a.var(axis=0)), x.var(axis=0), rtol=1e-6)
    np.testing.assert_allclose(np.array(a.std(axis=0, ddof=1)), x.std(axis=0, ddof=1), rtol=1e-6)
    np.testing.assert_array_equal(np.array(a.argmax(axis=1)), x.argmax(axis=1))
    np.testing.assert_array_equal(np.array(a.argmin()), x.argmin())
    assert a.reshape(4, 3).shape == (4, 3)
    assert a.reshape((2, -1)).shape == (2, 6)
    assert a.transpose().shape == (4, 3)
    assert a.transpose(1, 0).shape == (4, 3)
    assert a.flatten().shape == (12,)
    assert a.reshape(1, 3, 4).squeeze().shape == (3, 4)
    assert a.swapaxes(0, 1).shape == (4, 3)
    np.testing.assert_allclose(np.array(a.abs()), np.abs(x))
    np.testing.assert_allclose(np.array(a.exp()), np.exp(x), rtol=1e-6)
    np.testing.assert_allclose(np.array(a.square()), x**2)
    assert a.all().item() is False
    assert a.any().item() is True
