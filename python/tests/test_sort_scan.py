"""Sorting, scans, gathers along an axis, dynamic slices, the matmul family
and permutation against NumPy (on the device the suite runs on), their
gradients against finite differences, and their errors."""

import numpy as np
import pytest

import rmlx.core as mx

RNG = np.random.default_rng(7)
SORT_DTYPES = ["float32", "float16", "bfloat16", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
               "uint32", "uint64", "bool"]


def np_of(a):
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return np.array(a)


def sample(shape, dtype):
    if dtype == "bool":
        return RNG.integers(0, 2, shape).astype(bool)
    if dtype.startswith("uint"):
        return RNG.integers(0, 50, shape).astype(dtype)
    if dtype.startswith("int"):
        return RNG.integers(-50, 50, shape).astype(dtype)
    x = RNG.integers(-20, 20, shape).astype(np.float32) / 4  # ties on purpose
    return x


def mx_of(x, dtype):
    if dtype == "bfloat16":
        return mx.array(x.astype(np.float32)).astype(mx.bfloat16)
    if dtype == "float64":
        return mx.array(x.astype(np.float64))
    return mx.array(x.astype(dtype) if dtype not in ("float16",) else x.astype(np.float16))


@pytest.mark.parametrize("dtype", SORT_DTYPES)
@pytest.mark.parametrize("shape,axis", [((37,), -1), ((5, 300), 1), ((6, 7), 0), ((3, 4, 5), 1), ((2, 5000), -1),
                                        ((9000,), 0)])
def test_sort_and_argsort_match_numpy(dtype, shape, axis):
    x = sample(shape, dtype)
    a = mx_of(x, dtype)
    ref = np_of(a)
    got = mx.sort(a, axis=axis)
    assert got.dtype == a.dtype
    np.testing.assert_array_equal(np_of(got), np.sort(ref, axis=axis))
    idx = mx.argsort(a, axis=axis)
    assert idx.dtype == mx.uint32
    np.testing.assert_array_equal(np.array(idx), np.argsort(ref, axis=axis, kind="stable"))


def test_sort_nan_and_signed_zero_order():
    x = np.array([3.0, np.nan, 1.0, -0.0, 0.0, -np.inf, np.nan, np.inf, -1.0], dtype=np.float32)
    a = mx.array(x)
    np.testing.assert_array_equal(np.array(mx.argsort(a)), np.argsort(x, kind="stable"))
    s = np.array(mx.sort(a))
    np.testing.assert_array_equal(s, np.sort(x))
    # -0.0 and 0.0 compare equal: they keep their order.
    assert np.signbit(s[2]) and not np.signbit(s[3])
    big = RNG.standard_normal(20000).astype(np.float32)
    big[RNG.integers(0, 20000, 300)] = np.nan
    big[:50] = 0.0
    big[50:100] = -0.0
    np.testing.assert_array_equal(np.array(mx.argsort(mx.array(big))), np.argsort(big, kind="stable"))


def test_sort_complex_lexicographic():
    x = np.array([1 + 2j, 1 + 1j, -1 + 5j, 0 - 1j], dtype=np.complex64)
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(x))), np.sort(x))


def test_sort_flattened_and_large_single_row():
    x = RNG.standard_normal((30, 40)).astype(np.float32)
    np.testing.assert_array_equal(np.array(mx.sort(mx.array(x), axis=None)), np.sort(x, axis=None))
    y = RNG.integers(-(2 ** 40), 2 ** 40, 70000).astype(np.int64)
    np.testing.assert_array_equal(np.array(mx.argsort(mx.array(y))), np.argsort(y, kind="stable"))


@pytest.mark.parametrize("kth", [0, 3, -1, 9])
def test_partition_and_argpartition(kth):
    x = RNG.standard_normal((4, 10)).astype(np.float32)
    a = mx.array(x)
    p = np.array(mx.partition(a, kth, axis=1))
    want = np.partition(x, kth, axis=1)
    np.testing.assert_array_equal(p[:, kth], want[:, kth])
    k = kth % 10
    assert np.all(p[:, :k] <= p[:, k : k + 1]) and np.all(p[:, k + 1 :] >= p[:, k : k + 1])
    i = np.array(mx.argpartition(a, kth, axis=1))
    np.testing.assert_array_equal(np.take_along_axis(x, i.astype(np.int64), 1), p)


def test_topk():
    x = RNG.standard_normal((3, 50)).astype(np.float32)
    t = np.array(mx.topk(mx.array(x), 5))
    np.testing.assert_array_equal(np.sort(t, axis=1), np.sort(x, axis=1)[:, -5:])
    t0 = np.array(mx.topk(mx.array(x), 2, axis=0))
    np.testing.assert_array_equal(np.sort(t0, axis=0), np.sort(x, axis=0)[-2:])
    assert mx.topk(mx.array(x), 0).shape == (3, 0)


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side):
    a = np.sort(RNG.integers(0, 20, 40)).astype(np.float32)
    v = RNG.integers(-2, 23, (3, 7)).astype(np.float32)
    got = mx.searchsorted(mx.array(a), mx.array(v), side=side)
    assert got.dtype == mx.uint32
    np.testing.assert_array_equal(np.array(got), np.searchsorted(a, v, side=side))
    an = np.array([1.0, 2.0, np.nan], dtype=np.float32)
    vn = np.array([np.nan, 3.0, 0.5], dtype=np.float32)
    np.testing.assert_array_equal(np.array(mx.searchsorted(mx.array(an), mx.array(vn), side=side)),
                                  np.searchsorted(an, vn, side=side))


def test_sort_gradients():
    x = mx.array([3.0, 1.0, 2.0, 5.0])
    g = mx.grad(lambda t: (mx.sort(t) * mx.array([1.0, 2.0, 3.0, 4.0])).sum())(x)
    np.testing.assert_allclose(np.array(g), [3.0, 1.0, 2.0, 4.0])
    out, tan = mx.jvp(lambda t: mx.sort(t), [x], [mx.array([10.0, 20.0, 30.0, 40.0])])
    np.testing.assert_allclose(np.array(tan[0]), [20.0, 30.0, 10.0, 40.0])
    b = mx.vmap(mx.sort)(mx.array([[3.0, 1.0], [0.0, -1.0]]))
    np.testing.assert_array_equal(np.array(b), [[1.0, 3.0], [-1.0, 0.0]])


def np_scan(name, x, axis, reverse, inclusive):
    f = {"cumsum": np.cumsum, "cumprod": np.cumprod, "cummax": np.maximum.accumulate,
         "cummin": np.minimum.accumulate, "logcumsumexp": np.logaddexp.accumulate}[name]
    ident = {"cumsum": 0, "cumprod": 1, "cummax": -np.inf, "cummin": np.inf, "logcumsumexp": -np.inf}[name]
    if reverse:
        x = np.flip(x, axis)
    y = f(x, axis=axis)
    if not inclusive:
        y = np.moveaxis(y, axis, 0)
        first = np.full_like(y[:1], ident)
        y = np.concatenate([first, y[:-1]], 0)
        y = np.moveaxis(y, 0, axis)
    if reverse:
        y = np.flip(y, axis)
    return y


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"])
@pytest.mark.parametrize("shape,axis", [((50,), 0), ((4, 3000), 1), ((300, 5), 0), ((2, 3, 4), 1), ((3, 9000), -1)])
@pytest.mark.parametrize("reverse,inclusive", [(False, True), (True, True), (False, False), (True, False)])
def test_scans_match_numpy(name, shape, axis, reverse, inclusive):
    x = RNG.uniform(0.9, 1.1, shape) if name == "cumprod" else RNG.standard_normal(shape)
    x = x.astype(np.float32)
    got = getattr(mx, name)(mx.array(x), axis=axis, reverse=reverse, inclusive=inclusive)
    want = np_scan(name, x.astype(np.float64), axis, reverse, inclusive)
    tol = 1e-4 * max(1.0, float(np.nanmax(np.abs(np.where(np.isfinite(want), want, 0)))))
    np.testing.assert_allclose(np.array(got), want, rtol=2e-4, atol=tol)


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "int8", "bool", "float16", "bfloat16"])
def test_scan_dtypes(dtype):
    x = sample((6, 9), dtype)
    a = mx_of(x, dtype)
    got = mx.cumsum(a, axis=1)
    want_dtype = mx.int32 if dtype == "bool" else a.dtype
    assert got.dtype == want_dtype
    if dtype in ("float16", "bfloat16"):
        np.testing.assert_allclose(np_of(got), np.cumsum(np_of(a).astype(np.float32), axis=1), rtol=1e-2, atol=0.1)
    else:
        np.testing.assert_array_equal(np_of(got), np.cumsum(np_of(a), axis=1).astype(np_of(got).dtype))
    mx_max = np_of(mx.cummax(a, axis=0))
    np.testing.assert_array_equal(mx_max, np.maximum.accumulate(np_of(a), axis=0))


def test_scan_nan_propagates_and_flattened_default():
    x = mx.array([1.0, float("nan"), 3.0, 0.0])
    assert np.isnan(np.array(mx.cummax(x))[1:]).all()
    assert np.isnan(np.array(mx.cummin(x))[1:]).all()
    m = np.arange(12).reshape(3, 4).astype(np.float32)
    np.testing.assert_array_equal(np.array(mx.cumsum(mx.array(m))), np.cumsum(m))
    np.testing.assert_array_equal(np.array(mx.array(m).cumsum(axis=0)), np.cumsum(m, axis=0))
    np.testing.assert_array_equal(np.array(mx.cumsum(mx.array([1, 2, 3]), dtype=mx.float32)), [1.0, 3.0, 6.0])


def numeric_grad(f, x, eps=1e-3):
    x = x.astype(np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"])
@pytest.mark.parametrize("reverse,inclusive", [(False, True), (True, False)])
def test_scan_gradients(name, reverse, inclusive):
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    if name == "cumprod":
        x[1, 2] = 0.0  # one zero
        x[2, 1] = 0.0  # two zeros in a row
        x[2, 3] = 0.0
    w = RNG.standard_normal((3, 5)).astype(np.float32)

    def f_mx(t):
        y = getattr(mx, name)(t, axis=1, reverse=reverse, inclusive=inclusive)
        if name in ("logcumsumexp",) and not inclusive:
            y = mx.where(mx.isinf(y), 0.0, y)
        return (y * mx.array(w)).sum()

    def f_np(t):
        y = np_scan(name, t, 1, reverse, inclusive)
        y = np.where(np.isinf(y), 0.0, y)
        return float((y * w).sum())

    g = np.array(mx.grad(f_mx)(mx.array(x)))
    np.testing.assert_allclose(g, numeric_grad(f_np, x), rtol=2e-2, atol=2e-2)
    # Forward mode agrees with reverse mode.
    t = RNG.standard_normal((3, 5)).astype(np.float32)
    _, jt = mx.jvp(f_mx, [mx.array(x)], [mx.array(t)])
    np.testing.assert_allclose(float(np.array(jt[0])), float((g * t).sum()), rtol=2e-3, atol=2e-3)


def test_scan_vmap():
    x = RNG.standard_normal((4, 3, 6)).astype(np.float32)
    got = mx.vmap(lambda t: mx.cumsum(t, axis=1, reverse=True))(mx.array(x))
    np.testing.assert_allclose(np.array(got), np.flip(np.cumsum(np.flip(x, 2), 2), 2), rtol=1e-5, atol=1e-5)


def test_diff():
    x = np.array([1, 4, 9, 16, 25])
    np.testing.assert_array_equal(np.array(mx.diff(mx.array(x))), np.diff(x))
    np.testing.assert_array_equal(np.array(mx.diff(mx.array(x), n=3)), np.diff(x, n=3))
    m = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(np.array(mx.diff(mx.array(m), axis=0)), np.diff(m, axis=0), rtol=1e-6)
    b = np.array([True, False, False, True])
    np.testing.assert_array_equal(np.array(mx.diff(mx.array(b))), np.diff(b))
    np.testing.assert_array_equal(np.array(mx.diff(mx.array(x), prepend=mx.array(0), append=mx.array(30))),
                                  np.diff(x, prepend=0, append=30))


def test_take_and_put_along_axis():
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    idx = RNG.integers(-5, 5, (3, 4))
    got = mx.take_along_axis(mx.array(x), mx.array(idx), axis=1)
    np.testing.assert_array_equal(np.array(got), np.take_along_axis(x, idx, 1))
    idx0 = RNG.integers(0, 3, (2, 1))
    got = mx.take_along_axis(mx.array(x), mx.array(idx0), axis=0)
    np.testing.assert_array_equal(np.array(got), np.take_along_axis(x, np.broadcast_to(idx0, (2, 5)), 0))
    flat = mx.take_along_axis(mx.array(x), mx.array([0, 14, 7]), axis=None)
    np.testing.assert_array_equal(np.array(flat), x.ravel()[[0, 14, 7]])
    # Out of range: clamped (the documented rule), never a read outside.
    np.testing.assert_array_equal(np.array(mx.take_along_axis(mx.array(x), mx.array([[9], [-9], [2]]), axis=1)),
                                  x[[0, 1, 2], [4, 0, 2]][:, None])
    pi = np.argsort(RNG.standard_normal((3, 5)), axis=1)[:, :2]
    v = RNG.standard_normal((3, 2)).astype(np.float32)
    want = x.copy()
    np.put_along_axis(want, pi, v, 1)
    np.testing.assert_array_equal(np.array(mx.put_along_axis(mx.array(x), mx.array(pi), mx.array(v), axis=1)), want)
    np.testing.assert_array_equal(
        np.array(mx.put_along_axis(mx.zeros((2, 3)), mx.array([[0], [2]]), mx.array(1.0), axis=1)),
        [[1, 0, 0], [0, 0, 1]])


def test_take_along_axis_gradient():
    x = mx.array(RNG.standard_normal((3, 4)).astype(np.float32))
    idx = mx.array([[0, 0], [3, 1], [2, 2]])
    g = mx.grad(lambda t: mx.take_along_axis(t, idx, axis=1).sum())(x)
    np.testing.assert_array_equal(np.array(g), [[2, 0, 0, 0], [0, 1, 0, 1], [0, 0, 2, 0]])


def test_dynamic_slice_and_update():
    a = mx.arange(20).reshape(4, 5)
    s = mx.slice(a, mx.array([1, 2]), [0, 1], [2, 3])
    np.testing.assert_array_equal(np.array(s), np.arange(20).reshape(4, 5)[1:3, 2:5])
    # Starts are clamped so the window fits (as JAX's dynamic_slice).
    s = mx.slice(mx.arange(10), mx.array([8]), [0], [4])
    np.testing.assert_array_equal(np.array(s), [6, 7, 8, 9])
    u = mx.slice_update(a, mx.zeros((2, 2), dtype=mx.int32), mx.array([2, 3]), [0, 1])
    want = np.arange(20).reshape(4, 5)
    want[2:4, 3:5] = 0
    np.testing.assert_array_equal(np.array(u), want)
    s = mx.slice(mx.arange(10), mx.array([-3]), [0], [2])
    np.testing.assert_array_equal(np.array(s), [7, 8])


def test_matmul_family():
    a = RNG.standard_normal((3, 4)).astype(np.float32)
    b = RNG.standard_normal((4, 5)).astype(np.float32)
    c = RNG.standard_normal((3, 5)).astype(np.float32)
    A, B, C = mx.array(a), mx.array(b), mx.array(c)
    np.testing.assert_allclose(np.array(mx.addmm(C, A, B, alpha=2.0, beta=0.5)), 2 * a @ b + 0.5 * c, rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(np.array(mx.inner(A, mx.array(c[:, :4]))), np.inner(a, c[:, :4]), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.array(mx.outer(A, B)), np.outer(a, b), rtol=1e-6)
    t1 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    t2 = RNG.standard_normal((4, 3, 5)).astype(np.float32)
    np.testing.assert_allclose(np.array(mx.tensordot(mx.array(t1), mx.array(t2), axes=([1, 2], [1, 0]))),
                               np.tensordot(t1, t2, axes=([1, 2], [1, 0])), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.array(mx.tensordot(A, B, axes=1)), a @ b, rtol=1e-4, atol=1e-4)
    z1 = (RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))).astype(np.complex64)
    z2 = (RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))).astype(np.complex64)
    np.testing.assert_allclose(np.array(mx.vecdot(mx.array(z1), mx.array(z2))), np.vecdot(z1, z2), rtol=1e-4,
                               atol=1e-4)
    k1 = RNG.integers(0, 5, (2, 3))
    k2 = RNG.integers(0, 5, (3, 2, 2))
    np.testing.assert_array_equal(np.array(mx.kron(mx.array(k1), mx.array(k2))), np.kron(k1, k2))
    sq = RNG.standard_normal((2, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(np.array(mx.trace(mx.array(sq), 1, 1, 2)), np.trace(sq, 1, 1, 2), rtol=1e-5,
                               atol=1e-5)
    ia = RNG.integers(-5, 5, (3, 4)).astype(np.int32)
    ib = RNG.integers(-5, 5, (4, 2)).astype(np.int32)
    np.testing.assert_array_equal(np.array(mx.array(ia) @ mx.array(ib)), ia @ ib)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk,kl->il", [(2, 30), (30, 4), (4, 5)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ij->ji", [(3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,kl->", [(2, 3), (4, 5)]),
    ("abc,cd,bd->a", [(2, 3, 4), (4, 5), (3, 5)]),
    ("ij", [(3, 4)]),
    ("ji", [(3, 4)]),
    ("...i->...", [(2, 3, 4)]),
    ("bik,bkj->b", [(1, 2, 3), (4, 3, 2)]),
])
def test_einsum_matches_numpy(spec, shapes):
    ops = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    got = mx.einsum(spec, *[mx.array(o) for o in ops])
    want = np.einsum(spec, *ops)
    np.testing.assert_allclose(np.array(got), want, rtol=1e-4, atol=1e-4)


def test_einsum_path_and_errors():
    a, b, c, d = mx.ones((2, 30)), mx.ones((30, 4)), mx.ones((4, 50)), mx.ones((50, 2))
    path, report = mx.einsum_path("ij,jk,kl,lm->im", a, b, c, d)
    assert len(path) == 3 and all(len(p) == 2 for p in path)
    assert "Optimized FLOP count" in report
    # The greedy order contracts the small intermediates first (never the 30x50 one).
    assert path[0] in [(0, 1), (2, 3)]
    with pytest.raises(ValueError, match="operands"):
        mx.einsum("ij,jk->ik", a)
    with pytest.raises(ValueError, match="not a subscript"):
        mx.einsum("i1->i", mx.ones((3, 3)))
    with pytest.raises(ValueError):
        mx.einsum("ij,jk->iz", a, b)
    with pytest.raises(ValueError, match="size"):
        mx.einsum("ij,jk->ik", a, c)


def test_masked_and_gathered_products():
    a = RNG.standard_normal((4, 6)).astype(np.float32)
    b = RNG.standard_normal((6, 4)).astype(np.float32)
    ml = np.array([[True, False, True], [False, True, True]])
    mo = np.array([[1.0, 0.0], [0.5, 2.0]], dtype=np.float32)
    got = mx.block_masked_mm(mx.array(a), mx.array(b), 2, mask_out=mx.array(mo), mask_lhs=mx.array(ml))
    am = a * np.kron(ml, np.ones((2, 2)))
    want = (am @ b) * np.kron(mo, np.ones((2, 2)))
    np.testing.assert_allclose(np.array(got), want, rtol=1e-4, atol=1e-4)
    A = RNG.standard_normal((3, 2, 4)).astype(np.float32)
    B = RNG.standard_normal((5, 4, 3)).astype(np.float32)
    li, ri = np.array([2, 0, 0, 1]), np.array([4, 4, 1, 0])
    got = mx.gather_mm(mx.array(A), mx.array(B), mx.array(li), mx.array(ri))
    np.testing.assert_allclose(np.array(got), A[li] @ B[ri], rtol=1e-4, atol=1e-4)
    a2 = RNG.standard_normal((2, 6)).astype(np.float32)
    b2 = RNG.standard_normal((6, 3)).astype(np.float32)
    seg = np.array([[0, 2], [2, 6], [1, 1]])
    got = mx.segmented_mm(mx.array(a2), mx.array(b2), mx.array(seg))
    want = np.stack([a2[:, s:e] @ b2[s:e] for s, e in seg])
    np.testing.assert_allclose(np.array(got), want, rtol=1e-4, atol=1e-4)


def test_permutation_matches_mlx():
    # Values from MLX 0.32.4: permutation(5, key(0)) and of arange(6).reshape(3, 2).
    k = mx.random.key(0)
    np.testing.assert_array_equal(np.array(mx.random.permutation(5, key=k)), [1, 2, 0, 4, 3])
    p = mx.random.permutation(mx.arange(6).reshape(3, 2), key=k)
    np.testing.assert_array_equal(np.array(p), [[2, 3], [4, 5], [0, 1]])
    q = np.array(mx.random.permutation(1000))
    np.testing.assert_array_equal(np.sort(q), np.arange(1000))


def test_multivariate_normal_moments():
    mean = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]], dtype=np.float32)
    s = np.array(mx.random.multivariate_normal(mx.array(mean), mx.array(cov), shape=(40000,), key=mx.random.key(3)))
    assert s.shape == (40000, 3)
    np.testing.assert_allclose(s.mean(0), mean, atol=0.05)
    np.testing.assert_allclose(np.cov(s.T), cov, atol=0.06)
    # Positive semi-definite (singular) covariances work too.
    sing = np.array([[1.0, 1.0], [1.0, 1.0]], dtype=np.float32)
    t = np.array(mx.random.multivariate_normal(mx.zeros(2), mx.array(sing), shape=(100,), key=mx.random.key(1)))
    np.testing.assert_allclose(t[:, 0], t[:, 1], atol=1e-4)
    with pytest.raises(ValueError):
        mx.random.multivariate_normal(mx.zeros(2), mx.eye(3))
    with pytest.raises(ValueError):
        mx.random.multivariate_normal(mx.zeros(2), mx.eye(2), dtype=mx.float16)


def test_errors():
    with pytest.raises(ValueError):
        mx.sort(mx.array([1, 2]), axis=3)
    with pytest.raises(ValueError):
        mx.partition(mx.array([1, 2]), 5)
    with pytest.raises(ValueError):
        mx.topk(mx.array([1, 2]), 3)
    with pytest.raises(ValueError):
        mx.searchsorted(mx.ones((2, 2)), mx.array([1.0]))
    with pytest.raises(ValueError):
        mx.searchsorted(mx.array([1.0]), mx.array([1.0]), side="middle")
    with pytest.raises(ValueError):
        mx.cumsum(mx.array([1, 2]), axis=2)
    with pytest.raises(ValueError):
        mx.take_along_axis(mx.ones((2, 3)), mx.array([0.5]), axis=1)
    with pytest.raises(ValueError):
        mx.take_along_axis(mx.ones((2, 3)), mx.array([0, 1]), axis=1)
    with pytest.raises(ValueError):
        mx.slice(mx.ones((4,)), mx.array([0]), [0], [5])
    with pytest.raises(ValueError):
        mx.slice(mx.ones((4,)), mx.array([0.0]), [0], [2])
    with pytest.raises(ValueError):
        mx.tensordot(mx.ones((2, 3)), mx.ones((2, 3)), axes=1)
    with pytest.raises(ValueError):
        mx.block_masked_mm(mx.ones((4, 4)), mx.ones((4, 4)), 2, mask_lhs=mx.ones((3, 3)))
    with pytest.raises(ValueError):
        mx.segmented_mm(mx.ones((2, 4)), mx.ones((4, 2)), mx.array([[0, 1, 2]]))


def test_row_scatter_through_at():
    table = RNG.standard_normal((6, 4)).astype(np.float32)
    idx = np.array([0, 3, 3, 5, 0, 0])
    rows = RNG.standard_normal((6, 4)).astype(np.float32)
    want = table.copy()
    np.add.at(want, idx, rows)
    got = mx.array(table).at[mx.array(idx)].add(mx.array(rows))
    np.testing.assert_allclose(np.array(got), want, rtol=1e-5, atol=1e-5)
    want = table.copy()
    np.maximum.at(want, idx, rows)
    np.testing.assert_array_equal(np.array(mx.array(table).at[mx.array(idx)].maximum(mx.array(rows))), want)
    want = table.copy()
    np.multiply.at(want, idx, rows)
    np.testing.assert_allclose(np.array(mx.array(table).at[mx.array(idx)].multiply(mx.array(rows))), want,
                               rtol=1e-5)
    want = table.copy()
    np.subtract.at(want, idx, 1.5)
    np.testing.assert_allclose(np.array(mx.array(table).at[mx.array(idx)].subtract(1.5)), want, rtol=1e-6)
    ti = np.zeros((5, 3), dtype=np.int32)
    np.add.at(ti, np.array([1, 1, 4]), np.array([[1, 2, 3]], dtype=np.int32))
    got = mx.zeros((5, 3), dtype=mx.int32).at[mx.array([1, 1, 4])].add(mx.array([[1, 2, 3]]))
    np.testing.assert_array_equal(np.array(got), ti)
    for dt in (mx.bfloat16, mx.float16, mx.int8, mx.uint16):
        got = mx.zeros((4, 2), dtype=dt).at[mx.array([1, 1, 3])].add(mx.ones((3, 2), dtype=dt))
        np.testing.assert_array_equal(np_of(got), [[0, 0], [2, 2], [0, 0], [1, 1]])
    with pytest.raises(IndexError):
        mx.zeros((4, 2)).at[[4]].add(1.0)
    # Array indices are data: out of range they are clamped (never a write outside).
    got = mx.zeros((4, 2)).at[mx.array([9, -9])].add(1.0)
    np.testing.assert_array_equal(np.array(got), [[1, 1], [0, 0], [0, 0], [1, 1]])
    np.testing.assert_array_equal(np.array(mx.zeros((4, 2)).at[[1, -1]].add(1.0)), [[0, 0], [1, 1], [0, 0], [1, 1]])


def test_embedding_gradient_and_vmap():
    table = mx.array(RNG.standard_normal((5, 3)).astype(np.float32))
    idx = mx.array([1, 1, 4, 0])
    g = mx.grad(lambda t: (mx.take(t, idx, axis=0) * 2.0).sum())(table)
    np.testing.assert_array_equal(np.array(g), [[2] * 3, [4] * 3, [0] * 3, [0] * 3, [2] * 3])
    # vmap over batched rows to add.
    base = mx.zeros((4, 2))
    ids = mx.array([[0, 0], [1, 3], [2, 2]])

    def f(i):
        return base.at[i].add(mx.ones((2, 2)))

    got = np.array(mx.vmap(f)(ids))
    want = np.zeros((3, 4, 2))
    for b, row in enumerate(np.array(ids)):
        np.add.at(want[b], row, np.ones((2, 2)))
    np.testing.assert_array_equal(got, want)
    # The update's gradient is the cotangent gathered back.
    gu = mx.grad(lambda u: (base.at[mx.array([0, 0, 3])].add(u) * mx.arange(8).reshape(4, 2)).sum())(mx.ones((3, 2)))
    np.testing.assert_array_equal(np.array(gu), [[0, 1], [0, 1], [6, 7]])
