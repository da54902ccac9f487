"""Functions of rmlx.core against NumPy, over dtypes and shapes."""

import numpy as np
import pytest

import rmlx.core as mx


def A(v, **kw):
    """mx.array, keeping float64 NumPy data float64 (mx.array narrows it to float32, as MLX does)."""
    if getattr(v, "dtype", None) == np.float64 and "dtype" not in kw:
        kw["dtype"] = mx.float64
    return mx.array(v, **kw)

RNG = np.random.default_rng(0)
SHAPES = [(), (7,), (3, 5), (2, 3, 4)]
FLOATS = [(mx.float32, np.float32, 1e-5), (mx.float16, np.float16, 2e-3), (mx.float64, np.float64, 1e-12)]


def rand(shape, npdt, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape).astype(npdt)


UNARY = [
    ("abs", np.abs, None),
    ("negative", np.negative, None),
    ("square", np.square, None),
    ("sign", np.sign, None),
    ("exp", np.exp, None),
    ("expm1", np.expm1, None),
    ("sin", np.sin, None),
    ("cos", np.cos, None),
    ("tan", np.tan, (-1.0, 1.0)),
    ("tanh", np.tanh, None),
    ("sinh", np.sinh, None),
    ("cosh", np.cosh, None),
    ("arctan", np.arctan, None),
    ("arcsin", np.arcsin, (-0.9, 0.9)),
    ("arccos", np.arccos, (-0.9, 0.9)),
    ("arcsinh", np.arcsinh, None),
    ("arccosh", np.arccosh, (1.1, 3.0)),
    ("arctanh", np.arctanh, (-0.9, 0.9)),
    ("log", np.log, (0.1, 3.0)),
    ("log2", np.log2, (0.1, 3.0)),
    ("log10", np.log10, (0.1, 3.0)),
    ("log1p", np.log1p, (-0.5, 3.0)),
    ("sqrt", np.sqrt, (0.0, 4.0)),
    ("rsqrt", lambda x: 1 / np.sqrt(x), (0.1, 4.0)),
    ("reciprocal", np.reciprocal, (0.5, 2.0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), None),
    ("floor", np.floor, None),
    ("ceil", np.ceil, None),
    ("degrees", np.degrees, None),
    ("radians", np.radians, None),
]


@pytest.mark.parametrize("name,ref,rng", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("mxdt,npdt,tol", FLOATS, ids=["f32", "f16", "f64"])
def test_unary(name, ref, rng, mxdt, npdt, tol):
    lo, hi = rng or (-2.0, 2.0)
    for shape in SHAPES:
        x = rand(shape, npdt, lo, hi)
        got = getattr(mx, name)(A(x))
        assert got.dtype == mxdt
        want = ref(x.astype(np.float64))
        np.testing.assert_allclose(np.array(got).astype(np.float64), want, rtol=tol * 4, atol=tol * 4, err_msg=name)


BINARY = [
    ("add", np.add),
    ("subtract", np.subtract),
    ("multiply", np.multiply),
    ("divide", np.divide),
    ("maximum", np.maximum),
    ("minimum", np.minimum),
    ("power", lambda a, b: np.power(np.abs(a), b)),
    ("arctan2", np.arctan2),
    ("logaddexp", np.logaddexp),
]


@pytest.mark.parametrize("name,ref", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("mxdt,npdt,tol", FLOATS, ids=["f32", "f16", "f64"])
def test_binary_broadcasting(name, ref, mxdt, npdt, tol):
    for sa, sb in [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (5,))]:
        x, y = rand(sa, npdt, 0.5, 2.0), rand(sb, npdt, 0.5, 2.0)
        if name == "power":
            got = mx.power(mx.abs(A(x)), A(y))
        else:
            got = getattr(mx, name)(A(x), A(y))
        assert got.shape == np.broadcast_shapes(sa, sb)
        want = ref(x.astype(np.float64), y.astype(np.float64))
        np.testing.assert_allclose(np.array(got).astype(np.float64), want, rtol=tol * 4, atol=tol * 4)


@pytest.mark.parametrize("npdt", [np.int8, np.int32, np.int64, np.uint8, np.uint32])
def test_integer_arithmetic(npdt):
    x = RNG.integers(1, 50, size=(4, 5)).astype(npdt)
    y = RNG.integers(1, 9, size=(5,)).astype(npdt)
    a, b = A(x), A(y)
    for f in ["add", "subtract", "multiply", "floor_divide", "remainder", "maximum", "minimum"]:
        got = np.array(getattr(mx, f)(a, b))
        want = getattr(np, f)(x, y)
        assert got.dtype == want.dtype, f
        np.testing.assert_array_equal(got, want, err_msg=f)


def test_comparisons_and_logic():
    x, y = rand((3, 4), np.float32), rand((4,), np.float32)
    a, b = A(x), A(y)
    for f in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
        np.testing.assert_array_equal(np.array(getattr(mx, f)(a, b)), getattr(np, f)(x, y))
    p, q = x > 0, y > 0
    for f in ["logical_and", "logical_or", "logical_xor"]:
        np.testing.assert_array_equal(np.array(getattr(mx, f)(A(p), A(q))), getattr(np, f)(p, q))
    np.testing.assert_array_equal(np.array(mx.logical_not(A(p))), ~p)
    np.testing.assert_array_equal(np.array(mx.where(A(p), a, 0.0)), np.where(p, x, 0.0))


REDUCTIONS = [("sum", np.sum), ("prod", np.prod), ("max", np.max), ("min", np.min), ("mean", np.mean)]


@pytest.mark.parametrize("name,ref", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@pytest.mark.parametrize("mxdt,npdt,tol", [FLOATS[0], FLOATS[2]], ids=["f32", "f64"])
def test_reductions(name, ref, mxdt, npdt, tol):
    x = rand((3, 4, 5), npdt, 0.5, 1.5)
    a = A(x)
    for axis in [None, 0, 1, 2, -1, (0, 2), (0, 1, 2)]:
        for keepdims in [False, True]:
            got = getattr(mx, name)(a, axis=axis, keepdims=keepdims)
            want = ref(x.astype(np.float64), axis=axis, keepdims=keepdims)
            assert got.shape == np.shape(want)
            np.testing.assert_allclose(np.array(got), want, rtol=tol * 10)


def test_integer_sums_and_arg_reductions():
    x = RNG.integers(-9, 9, size=(4, 6)).astype(np.int32)
    a = A(x)
    np.testing.assert_array_equal(np.array(mx.sum(a, axis=1)), x.sum(axis=1))
    np.testing.assert_array_equal(np.array(mx.argmax(a, axis=0)), x.argmax(axis=0))
    np.testing.assert_array_equal(np.array(mx.argmin(a, axis=1)), x.argmin(axis=1))
    np.testing.assert_array_equal(np.array(mx.all(a != 100)), True)
    np.testing.assert_array_equal(np.array(mx.any(a > 100, axis=0)), np.zeros(6, bool))


def test_softmax_logsumexp_var_std():
    x = rand((4, 7), np.float32)
    a = A(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(np.array(mx.softmax(a, axis=-1)), e / e.sum(axis=-1, keepdims=True), rtol=1e-5)
    lse = np.log(np.exp(x.astype(np.float64)).sum(axis=1))
    np.testing.assert_allclose(np.array(mx.logsumexp(a, axis=1)), lse, rtol=1e-5)
    np.testing.assert_allclose(np.array(mx.var(a, axis=0)), x.var(axis=0), rtol=1e-5)
    np.testing.assert_allclose(np.array(mx.std(a, ddof=1)), x.std(ddof=1), rtol=1e-5)


def test_creation():
    assert np.array(mx.zeros((2, 3))).tolist() == [[0.0] * 3] * 2
    assert mx.ones(4, dtype=mx.int32).tolist() == [1, 1, 1, 1]
    assert mx.full((2,), 7).tolist() == [7, 7]
    assert mx.full((2,), 2.5, mx.float16).dtype == mx.float16
    np.testing.assert_array_equal(np.array(mx.arange(5)), np.arange(5))
    assert mx.arange(5).dtype == mx.int32
    assert mx.arange(0.0, 1.0, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    np.testing.assert_allclose(np.array(mx.linspace(0, 1, 5)), np.linspace(0, 1, 5))
    np.testing.assert_array_equal(np.array(mx.eye(3, 4, k=1)), np.eye(3, 4, k=1))
    np.testing.assert_array_equal(np.array(mx.identity(2)), np.identity(2))
    np.testing.assert_array_equal(np.array(mx.tri(3)), np.tri(3))
    z = mx.zeros_like(A([1, 2]))
    assert z.dtype == mx.int32 and z.tolist() == [0, 0]


def test_shape_functions():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    a = A(x)
    np.testing.assert_array_equal(np.array(mx.reshape(a, (6, 4))), x.reshape(6, 4))
    np.testing.assert_array_equal(np.array(mx.transpose(a)), x.transpose())
    np.testing.assert_array_equal(np.array(mx.transpose(a, (1, 0, 2))), x.transpose(1, 0, 2))
    np.testing.assert_array_equal(np.array(mx.swapaxes(a, 0, 2)), np.swapaxes(x, 0, 2))
    np.testing.assert_array_equal(np.array(mx.moveaxis(a, 0, -1)), np.moveaxis(x, 0, -1))
    np.testing.assert_array_equal(np.array(mx.expand_dims(a, 1)), np.expand_dims(x, 1))
    np.testing.assert_array_equal(np.array(mx.squeeze(mx.expand_dims(a, 0), 0)), x)
    np.testing.assert_array_equal(np.array(mx.flatten(a, 1)), x.reshape(2, 12))
    np.testing.assert_array_equal(np.array(mx.broadcast_to(A([1.0, 2.0]), (3, 2))), np.broadcast_to([1.0, 2.0], (3, 2)))
    np.testing.assert_array_equal(np.array(mx.concatenate([a, a], axis=1)), np.concatenate([x, x], axis=1))
    np.testing.assert_array_equal(np.array(mx.stack([a, a])), np.stack([x, x]))
    parts = mx.split(a, 2, axis=2)
    assert len(parts) == 2
    np.testing.assert_array_equal(np.array(parts[1]), np.split(x, 2, axis=2)[1])
    parts = mx.split(a, [1, 3], axis=2)
    for p, q in zip(parts, np.split(x, [1, 3], axis=2)):
        np.testing.assert_array_equal(np.array(p), q)
    np.testing.assert_array_equal(np.array(mx.tile(A([1, 2]), (2, 2))), np.tile([1, 2], (2, 2)))
    np.testing.assert_array_equal(np.array(mx.repeat(A([1, 2]), 2)), np.repeat([1, 2], 2))
    np.testing.assert_array_equal(np.array(mx.pad(a, 1)), np.pad(x, 1))
    np.testing.assert_array_equal(np.array(mx.pad(a, [(0, 1), (1, 0), (0, 0)], constant_values=5)), np.pad(x, [(0, 1), (1, 0), (0, 0)], constant_values=5))
    np.testing.assert_array_equal(np.array(mx.roll(A([1, 2, 3]), 1)), np.roll([1, 2, 3], 1))
    m = x[0]
    np.testing.assert_array_equal(np.array(mx.diagonal(A(m))), np.diagonal(m))
    np.testing.assert_array_equal(np.array(mx.diag(A([1, 2]))), np.diag([1, 2]))
    np.testing.assert_array_equal(np.array(mx.tril(A(m))), np.tril(m))
    np.testing.assert_array_equal(np.array(mx.triu(A(m), 1)), np.triu(m, 1))
    s = mx.broadcast_arrays(A([1, 2]), A([[1], [2], [3]]))
    assert [t.shape for t in s] == [(3, 2), (3, 2)]


@pytest.mark.parametrize("mxdt,npdt,tol", [FLOATS[0], FLOATS[1], FLOATS[2]], ids=["f32", "f16", "f64"])
def test_matmul(mxdt, npdt, tol):
    for (m, k, n) in [(1, 8, 5), (3, 4, 2), (16, 33, 7)]:
        x, y = rand((m, k), npdt), rand((k, n), npdt)
        got = mx.matmul(A(x), A(y))
        np.testing.assert_allclose(np.array(got).astype(np.float64), x.astype(np.float64) @ y.astype(np.float64), rtol=tol * 50, atol=tol * 50)
    x, y = rand((2, 3, 4), np.float32), rand((4, 5), np.float32)
    np.testing.assert_allclose(np.array(A(x) @ A(y)), x @ y, rtol=1e-5)


def test_misc_math():
    x = np.array([-1.5, 0.4, 2.5, np.nan, np.inf], dtype=np.float32)
    a = A(x)
    np.testing.assert_array_equal(np.array(mx.isnan(a)), np.isnan(x))
    np.testing.assert_array_equal(np.array(mx.isinf(a)), np.isinf(x))
    np.testing.assert_array_equal(np.array(mx.isfinite(a)), np.isfinite(x))
    np.testing.assert_array_equal(np.array(mx.nan_to_num(a, nan=0.0, posinf=9.0)), np.nan_to_num(x, nan=0.0, posinf=9.0))
    np.testing.assert_array_equal(np.array(mx.round(A([1.25, 2.5, -0.5]), 1)), np.round([1.25, 2.5, -0.5], 1).astype(np.float32))
    np.testing.assert_array_equal(np.array(mx.clip(A([1, 5, 9]), 2, 6)), [2, 5, 6])
    assert mx.allclose(A([1.0, 2.0]), A([1.0, 2.0 + 1e-7])).item() is True
    assert mx.array_equal(A([1, 2]), A([1, 3])).item() is False
    np.testing.assert_array_equal(np.array(mx.isclose(A([1.0, 2.0]), A([1.0, 2.1]))), [True, False])
    q, r = mx.divmod(A([7, -7]), 3)
    assert q.tolist() == [2, -3] and r.tolist() == [1, 2]
    c = A([1 + 2j, 3 - 1j])
    np.testing.assert_array_equal(np.array(mx.real(c)), [1.0, 3.0])
    np.testing.assert_array_equal(np.array(mx.imag(c)), [2.0, -1.0])
    np.testing.assert_array_equal(np.array(mx.conj(c)), np.conj(np.array([1 + 2j, 3 - 1j], np.complex64)))
