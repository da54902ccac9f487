"""Behaviour that MLX programs rely on beyond the values of ops: how Python
and NumPy values mix with arrays, signatures and defaults, aliases, small
functions, protocols (pickle, copy, format), and printing. The expected
values were read off MLX 0.32.4."""

import copy
import pickle

import numpy as np
import pytest

import rmlx.core as mx


# ---------------------------------------------------------------- scalars and NumPy values in ops


def test_python_ints_must_fit_integer_arrays():
    u8 = mx.array([1, 2], dtype=mx.uint8)
    for f in (lambda: u8 + 256, lambda: u8 > -1, lambda: mx.maximum(u8, -1), lambda: mx.where(mx.array([True, False]), u8, 300),
              lambda: mx.array([1, 2]) + 2**31, lambda: mx.add(u8, 1000)):
        with pytest.raises(ValueError, match="overflow"):
            f()
    assert (u8 + 255).dtype == mx.uint8
    assert (mx.array([1], dtype=mx.int64) + 2**40).item() == 2**40 + 1
    assert (u8 + 2.5).dtype == mx.float32, "a Python float still promotes"


def test_numpy_values_take_the_arrays_dtype():
    u8 = mx.array([1, 2], dtype=mx.uint8)
    assert (u8 + np.int64(2)).dtype == mx.uint8
    assert (u8 + np.array([2])).dtype == mx.uint8
    assert (mx.array([1.0], dtype=mx.float16) + np.float32(1)).dtype == mx.float16
    r = mx.add(mx.array([1]), np.array([2.5]))
    assert r.dtype == mx.int32 and r.tolist() == [3]
    assert mx.maximum(np.array([2.5]), mx.array([1])).tolist() == [2]
    assert mx.add(np.array([1.5]), np.array([1])).dtype == mx.float32


def test_unusable_operands():
    x = mx.array([1, 2])
    with pytest.raises(TypeError):
        x + None
    with pytest.raises(ValueError, match="str"):
        x + "x"
    assert (x == "a") is False and (x != "a") is True

    class Wrapper:
        def __mlx_array__(self):
            return mx.array([10, 20])

    assert (mx.array(Wrapper()) + x).tolist() == [11, 22]
    assert (x + Wrapper()).tolist() == [11, 22]


# ---------------------------------------------------------------- creation


def test_large_ints_make_int64():
    assert mx.full((2,), 2**40).dtype == mx.int64
    assert mx.full((2,), 2**40).tolist() == [2**40, 2**40]
    a = mx.arange(2**40, 2**40 + 2)
    assert a.dtype == mx.int64 and a.tolist() == [2**40, 2**40 + 1]
    assert mx.arange(0, 2**31 + 2, 2**30).tolist() == [0, 2**30, 2**31]
    assert mx.arange(stop=5).tolist() == [0, 1, 2, 3, 4]
    assert mx.arange(5).dtype == mx.int32 and mx.arange(5.0).dtype == mx.float32


def test_linspace_endpoint():
    np.testing.assert_allclose(np.array(mx.linspace(0, 1, 5, False)), np.linspace(0, 1, 5, endpoint=False), rtol=1e-6)
    np.testing.assert_allclose(np.array(mx.linspace(2, 3, 4, endpoint=True)), np.linspace(2, 3, 4), rtol=1e-6)
    assert mx.linspace(0, 1, 0, False).shape == (0,)


def test_like_functions_take_a_dtype():
    x = mx.arange(6).reshape(2, 3)
    assert mx.zeros_like(x, mx.float16).dtype == mx.float16
    assert mx.ones_like(x, dtype=mx.bool_).tolist() == [[True] * 3] * 2
    assert mx.full_like(x, 2.5).tolist() == [[2, 2, 2]] * 2
    assert mx.full_like(x, 2.5, dtype=mx.float32).tolist() == [[2.5] * 3] * 2
    assert mx.empty((2, 2)).shape == (2, 2) and mx.empty_like(x).dtype == mx.int32
    assert mx.asarray([1, 2]).dtype == mx.int32 and mx.asarray([1, 2], mx.float32).dtype == mx.float32


# ---------------------------------------------------------------- signatures


def test_signature_forms_mlx_programs_use():
    x = mx.arange(12).reshape(3, 4)
    one = mx.atleast_2d(mx.array(1))
    assert one.shape == (1, 1)
    many = mx.atleast_1d(mx.array(1), mx.array([1, 2]))
    assert isinstance(many, list) and [m.shape for m in many] == [(1,), (2,)]
    assert mx.atleast_3d() == []
    assert mx.device_count(device_type=mx.cpu) == 1
    assert mx.diagonal(a=x).tolist() == [0, 5, 10]
    np.testing.assert_array_equal(np.array(mx.roll(x, (1, 2), axis=(0, 1))), np.roll(np.arange(12).reshape(3, 4), (1, 2), axis=(0, 1)))
    assert mx.contiguous(x.T, allow_col_major=True).tolist() == np.arange(12).reshape(3, 4).T.tolist()
    assert mx.std(mx.array([1.0, 2, 3, 4]), ddof=1).item() == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert mx.array([1.0, 2, 3, 4]).var(correction=1).item() == pytest.approx(np.var([1, 2, 3, 4], ddof=1))
    assert isinstance(mx.divmod(mx.array([5]), 2), list)
    assert isinstance(mx.broadcast_arrays(mx.array([1]), mx.array([1, 2])), list)


@pytest.mark.parametrize("mode", ["reflect", "symmetric"])
def test_pad_mirror_modes(mode):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    for widths in [1, (1, 2), [(2, 1), (0, 3)]]:
        got = np.array(mx.pad(mx.array(x), widths, mode=mode))
        np.testing.assert_array_equal(got, np.pad(x, widths, mode=mode))
    with pytest.raises(ValueError):
        mx.pad(mx.array(x), 5, mode=mode)


# ---------------------------------------------------------------- small functions and aliases


def test_aliases_are_the_same_functions():
    for alias, name in [("acos", "arccos"), ("asinh", "arcsinh"), ("atan2", "arctan2"), ("pow", "power"),
                        ("bitwise_left_shift", "left_shift"), ("empty", "zeros")]:
        assert getattr(mx, alias) is getattr(mx, name)


def test_composed_functions_match_numpy():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    a = mx.array(x)
    np.testing.assert_array_equal(np.array(mx.flip(a)), np.flip(x))
    np.testing.assert_array_equal(np.array(mx.flip(a, axis=1)), np.flip(x, axis=1))
    np.testing.assert_array_equal(np.array(mx.matrix_transpose(a)), x.T)
    parts = mx.unstack(a, axis=1)
    assert isinstance(parts, tuple) and len(parts) == 4 and parts[1].tolist() == [1, 5, 9]
    lo, hi = mx.minmax(a, axis=0)
    assert lo.tolist() == [0, 1, 2, 3] and hi.tolist() == [8, 9, 10, 11]
    assert mx.positive(a).tolist() == x.tolist() and mx.stop_gradient(a).tolist() == x.tolist()
    p, q = np.arange(2), np.arange(3)
    for kw in [{}, {"indexing": "ij"}, {"sparse": True}, {"sparse": True, "indexing": "ij"}]:
        got = mx.meshgrid(mx.array(p), mx.array(q), **kw)
        want = np.meshgrid(p, q, **kw)
        assert isinstance(got, tuple)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(np.array(g), w)
    for name in ["hanning", "hamming", "blackman", "bartlett"]:
        for m in [0, 1, 5, 12]:
            got = np.array(getattr(mx, name)(m))
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, getattr(np, name)(m), atol=1e-6)


def test_dtype_utilities():
    x = mx.arange(3)
    assert mx.result_type(x, mx.float16) == mx.float16
    assert mx.result_type(mx.int8, mx.uint8) == mx.int16
    with pytest.raises(ValueError):
        mx.result_type(x, 1.0)
    assert mx.can_cast(mx.int32, mx.float32) and not mx.can_cast(mx.float32, mx.int32)
    assert not mx.can_cast(mx.uint8, mx.int8) and mx.can_cast(mx.int64, mx.float16)
    assert mx.isdtype(mx.float32, "real floating") and mx.isdtype(mx.int8, ("bool", "integral"))
    assert mx.isdtype(mx.complex64, "numeric") and not mx.isdtype(mx.bool_, "numeric")
    assert mx.isdtype(mx.int8, mx.int8)
    assert mx.broadcast_shapes((2, 1), (3,)) == (2, 3)
    with pytest.raises(ValueError):
        mx.broadcast_shapes((2,), (3,))
    assert mx.DtypeCategory.floating == mx.floating and mx.issubdtype(mx.float16, mx.DtypeCategory.inexact)
    fi = mx.finfo(mx.float32)
    assert fi.smallest_normal == pytest.approx(1.1754943508222875e-38)
    assert repr(fi) == "finfo(min=-3.40282e+38, max=3.40282e+38, dtype=float32)"
    assert int(mx.cpu) == 0


def test_device_functions():
    info = mx.device_info(mx.cpu)
    assert {"device_name", "architecture"} <= set(info)
    assert mx.set_wired_limit(0) == 0
    for name in ["get_active_memory", "get_peak_memory", "clear_cache", "set_cache_limit", "device_info"]:
        assert getattr(mx.metal, name) is getattr(mx, name)


# ---------------------------------------------------------------- the array's members and protocols


def test_array_members():
    c = mx.array([1 + 2j, 3 - 1j])
    assert c.real.tolist() == [1, 3] and c.imag.tolist() == [2, -1]
    x = mx.arange(6).reshape(2, 3)
    assert x.mT.shape == (3, 2)
    assert mx.array([1.26, 2.5]).round(1).tolist() == pytest.approx([1.3, 2.5])
    assert [p.tolist() for p in x.split(3, axis=1)] == [[[0], [3]], [[1], [4]], [[2], [5]]]
    assert mx.array([1.0], dtype=mx.float32).view(mx.int32).item() == 1065353216
    assert mx.array([1, 2]).diag().tolist() == [[1, 0], [0, 2]]
    assert x.diagonal(1).tolist() == [1, 5]
    assert mx.tril(mx.ones((2, 2), dtype=mx.bool_)).dtype == mx.bool_


@pytest.mark.parametrize("dtype", [mx.float32, mx.bfloat16, mx.int64, mx.bool_, mx.complex64])
def test_pickle_and_copy(dtype):
    a = mx.arange(6).reshape(2, 3).astype(dtype)
    for b in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert b.dtype == dtype and b.shape == (2, 3)
        assert mx.array_equal(b, a).item()


def test_format_and_complex():
    assert f"{mx.array(2.5):.2f}" == "2.50"
    assert format(mx.array([1, 2])) == "array([1, 2], dtype=int32)"
    with pytest.raises(TypeError):
        f"{mx.array([1.5]):.2f}"
    assert complex(mx.array(1 + 2j)) == 1 + 2j
    assert complex(mx.array(3.0)) == 3 + 0j


@pytest.mark.parametrize(
    "make,text",
    [
        (lambda: mx.array(True), "array(True, dtype=bool)"),
        (lambda: mx.array([True, False]), "array([True, False], dtype=bool)"),
        (lambda: mx.array([1.5, -2, 3]), "array([1.5, -2, 3], dtype=float32)"),
        (lambda: mx.array([0.1, 1e-8, 1e8]), "array([0.1, 1e-08, 1e+08], dtype=float32)"),
        (lambda: mx.array([-0.0, 1.0]), "array([-0, 1], dtype=float32)"),
        (lambda: mx.exp(mx.array(1.0)), "array(2.71828, dtype=float32)"),
        (lambda: mx.arange(2000), "array([0, 1, 2, ..., 1997, 1998, 1999], dtype=int32)"),
        (lambda: mx.array([1 + 2j, -3j]), "array([1+2j, -0-3j], dtype=complex64)"),
        (lambda: mx.array([0.5, 1.25], dtype=mx.bfloat16), "array([0.5, 1.25], dtype=bfloat16)"),
        (lambda: mx.array([[1.5, 2], [3, 40000]]), "array([[1.5, 2],\n       [3, 40000]], dtype=float32)"),
        (lambda: mx.zeros((0, 3)), "array([], dtype=float32)"),
        (lambda: mx.array([float("nan"), float("inf"), -float("inf")]), "array([nan, inf, -inf], dtype=float32)"),
        (lambda: mx.array([123456.7, 1.0]), "array([123457, 1], dtype=float32)"),
        (lambda: mx.arange(24).reshape(2, 3, 4),
         "array([[[0, 1, 2, 3],\n        [4, 5, 6, 7],\n        [8, 9, 10, 11]],\n"
         "       [[12, 13, 14, 15],\n        [16, 17, 18, 19],\n        [20, 21, 22, 23]]], dtype=int32)"),
    ],
)
def test_repr_as_mlx_prints(make, text):
    assert repr(make()) == text
    assert str(make()) == text
