"""Issue 24: defects a new user hit against MLX's behaviour, each a test that
failed before its fix."""

import numpy as np
import pytest

import rmlx.core as mx


def test_stop_gradient_is_a_constant_under_grad():
    f = lambda x: mx.sum(2 * x + mx.stop_gradient(3 * x))
    assert mx.grad(f)(mx.array([1.0, 2.0])).tolist() == [2.0, 2.0]
    v, g = mx.value_and_grad(f)(mx.array(1.0))
    assert v.item() == 5.0 and g.item() == 2.0
    # A closure over an array computed from the primal, stopped.
    def loss(x):
        scale = mx.stop_gradient(mx.exp(x))
        return mx.sum(scale * x)

    x = mx.array([0.0, 1.0])
    np.testing.assert_allclose(mx.grad(loss)(x), np.exp([0.0, 1.0]), rtol=1e-6)
    outs, cts = mx.vjp(lambda a: mx.stop_gradient(a) * a, [mx.array(3.0)], [mx.array(1.0)])
    assert outs[0].item() == 9.0 and cts[0].item() == 3.0
    outs, tans = mx.jvp(lambda a: mx.stop_gradient(a * a) + a, [mx.array(3.0)], [mx.array(1.0)])
    assert outs[0].item() == 12.0 and tans[0].item() == 1.0
    # vmap keeps the values and the batch axis.
    y = mx.vmap(mx.stop_gradient)(mx.arange(6.0).reshape(2, 3))
    assert y.tolist() == [[0, 1, 2], [3, 4, 5]]
    # grad of vmap of a stopped branch.
    g = mx.grad(lambda x: mx.sum(mx.vmap(lambda r: r * mx.stop_gradient(r))(x)))(mx.array([[1.0, 2.0]]))
    assert g.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("window", ["hanning", "hamming", "blackman", "bartlett"])
def test_huge_windows_are_a_memory_error(window):
    fn = getattr(mx, window)
    # The 10**10 points (40 GB) fit a large machine, so it is asked
    # for under a 1 GiB limit; 10**13 points (40 TB) fit none.
    previous = mx.set_memory_limit(1 << 30)
    try:
        with pytest.raises(MemoryError):
            fn(10**10)
    finally:
        mx.set_memory_limit(previous)
    with pytest.raises(MemoryError):
        fn(10**13)
    assert fn(4).shape == (4,)


def test_async_eval_inside_a_transform_is_a_value_error():
    def f(x):
        y = x * 2
        mx.async_eval(y)
        return mx.sum(y)

    with pytest.raises(ValueError):
        mx.grad(f)(mx.array([1.0]))
    # The library still works after.
    assert mx.grad(lambda x: mx.sum(x * 2))(mx.array([1.0])).tolist() == [2.0]


def test_async_eval_then_read():
    xs = [mx.arange(1000.0) * i for i in range(8)]
    mx.async_eval(*xs)
    for i, x in enumerate(xs):
        assert x[10].item() == 10.0 * i
    mx.synchronize()


def test_cummax_cummin_gradients_go_to_the_last_tie():
    # As MLX (recorded from 0.32.4): of equal running extrema, the latest
    # element in scan order gets the gradient.
    g = mx.grad(lambda x: mx.sum(mx.cummax(x)))(mx.array([1.0, 3.0, 3.0, 2.0, 5.0]))
    assert g.tolist() == [1.0, 1.0, 2.0, 0.0, 1.0]
    g = mx.grad(lambda x: mx.sum(mx.cummin(x)))(mx.array([3.0, 1.0, 1.0, 2.0, 0.0]))
    assert g.tolist() == [1.0, 1.0, 2.0, 0.0, 1.0]
    g = mx.grad(lambda x: mx.sum(mx.cummax(x, reverse=True)))(mx.array([1.0, 3.0, 3.0, 2.0, 5.0, 5.0]))
    assert g.tolist() == [0.0, 0.0, 0.0, 0.0, 5.0, 1.0]
    # Against a loop over prefixes (each prefix max's gradient at its last argmax).
    x = np.array([2.0, 1.0, 2.0, 4.0, 4.0, 0.0, 4.0], dtype=np.float32)
    w = np.arange(1.0, 8.0, dtype=np.float32)
    want = np.zeros_like(x)
    for i in range(len(x)):
        j = max(k for k in range(i + 1) if x[k] == x[: i + 1].max())
        want[j] += w[i]
    g = mx.grad(lambda v: mx.sum(mx.cummax(v) * mx.array(w)))(mx.array(x))
    np.testing.assert_array_equal(np.array(g), want)
    # The jvp agrees with the vjp (a tangent read at the same source).
    _, (t,) = mx.jvp(lambda v: mx.cummax(v), [mx.array(x)], [mx.array(w)])
    src = [max(k for k in range(i + 1) if x[k] == x[: i + 1].max()) for i in range(len(x))]
    np.testing.assert_array_equal(np.array(t), w[src])


def test_jvp_rules_match_mlx():
    jv = lambda f, xs, ts: mx.jvp(f, xs, ts)[1][0]
    # max/min: the tangent at the first extremum (MLX); the vjp shares ties.
    assert jv(lambda x: mx.max(x, axis=1), [mx.array([[1.0, 2.0], [3.0, 3.0]])], [mx.array([[1.0, 2.0], [3.0, 4.0]])]).tolist() == [2.0, 3.0]
    assert jv(lambda x: mx.min(x), [mx.array([1.0, 1.0, 3.0])], [mx.array([1.0, 2.0, 3.0])]).item() == 1.0
    assert jv(lambda x: mx.max(x, axis=(0, 1)), [mx.array([[1.0, 3.0], [3.0, 0.0]])], [mx.array([[1.0, 2.0], [3.0, 4.0]])]).item() == 2.0
    assert mx.grad(lambda x: mx.max(x))(mx.array([1.0, 3.0, 3.0])).tolist() == [0.0, 0.5, 0.5]
    # Comparisons: zeros of the tangent's dtype.
    t = jv(lambda x: x > 1.0, [mx.array([1.0, 2.0])], [mx.array([1.0, 1.0])])
    assert t.dtype == mx.float32 and t.tolist() == [0.0, 0.0]
    # Integer primals carry tangents; casts cast them.
    t = jv(lambda x: x * 3, [mx.array([1, 2])], [mx.array([1, 1])])
    assert t.dtype == mx.int32 and t.tolist() == [3, 3]
    t = jv(lambda x: x.astype(mx.int32), [mx.array([1.0, 2.0])], [mx.array([1.5, 1.0])])
    assert t.dtype == mx.int32 and t.tolist() == [1, 1]
    t = jv(lambda x: x.astype(mx.float16), [mx.array([1.0, 2.0])], [mx.array([1.5, 1.0])])
    assert t.dtype == mx.float16 and t.tolist() == [1.5, 1.0]
    # Reductions and partly traced inputs against finite differences.
    x0 = np.array([[0.3, -1.2, 2.0], [1.5, 0.7, -0.4]], dtype=np.float32)
    t0 = np.array([[1.0, 0.5, -2.0], [0.25, 1.0, 3.0]], dtype=np.float32)
    for f in (lambda x: mx.logsumexp(x, axis=1), lambda x: mx.var(x, axis=0), lambda x: mx.prod(x, axis=1), lambda x: mx.mean(x * x)):
        got = np.array(jv(f, [mx.array(x0)], [mx.array(t0)]))
        eps = 1e-3
        fd = (np.array(f(mx.array(x0 + eps * t0))) - np.array(f(mx.array(x0 - eps * t0)))) / (2 * eps)
        np.testing.assert_allclose(got, fd, rtol=2e-2, atol=2e-2)
    with pytest.raises(ValueError):
        mx.jvp(lambda x, y: x * y, [mx.array([2.0]), mx.array([5.0])], [mx.array([1.0])])


def test_vmap_of_indexing_reads_each_batch_element():
    a = mx.arange(6).reshape(2, 3)
    i = mx.array([2, 0])
    assert mx.vmap(lambda r, k: r[k])(a, i).tolist() == [2, 3]
    assert mx.vmap(lambda k: mx.arange(10)[k])(mx.array([2, 0, 5])).tolist() == [2, 0, 5]
    assert mx.vmap(lambda k: mx.arange(12).reshape(3, 4)[k, 1:3])(i).tolist() == [[9, 10], [1, 2]]
    assert mx.vmap(lambda r, k: r.at[k].add(10))(mx.zeros((2, 3)), i).tolist() == [[0, 0, 10], [10, 0, 0]]

    def set_one(r, k):
        r[k] = 7
        return r

    assert mx.vmap(set_one)(mx.zeros((2, 3)), i).tolist() == [[0, 0, 7], [7, 0, 0]]
    # Reading values of a mapped input is an error (MLX raises the same).
    with pytest.raises(ValueError):
        mx.vmap(lambda r: r * r.sum().item())(mx.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError):
        mx.vmap(lambda r: mx.array(r.tolist()))(mx.arange(6.0).reshape(2, 3))
    # ...but not of arrays the function closes over, and vmap still works after.
    c = mx.array(2.0)
    assert mx.vmap(lambda r: r * c.item())(mx.ones((2, 2))).tolist() == [[2, 2], [2, 2]]
    assert mx.vmap(mx.grad(lambda x: (x * x).sum()))(mx.ones((2, 3))).tolist() == [[2.0] * 3] * 2


def test_vmap_out_axes_trees_and_negative():
    assert mx.vmap(lambda a: a * 2, out_axes=-1)(mx.ones((2, 3, 4))).shape == (3, 4, 2)
    outs = mx.vmap(lambda a: (a, {"s": a.sum()}), out_axes=(1, {"s": 0}))(mx.ones((2, 3)))
    assert outs[0].shape == (3, 2) and outs[1]["s"].shape == (2,)
    with pytest.raises(ValueError):
        mx.vmap(lambda a: a, out_axes=3)(mx.ones((2, 3)))


def test_integer_power_and_arange():
    # MLX gives [0, 0, 0, 1] for these (it wraps 1 / b in integers wrongly);
    # NumPy raises. rmlx computes the exact integer result: 1**-1 = 1,
    # (-1)**-1 = -1, 2**-1 truncates to 0.
    assert (mx.array([1, -1, 2, 1]) ** mx.array([-1, -1, -1, 0])).tolist() == [1, -1, 0, 1]
    # Integer ranges step in the dtype from the first two values (NumPy, MLX).
    for args in [(0.5, 5, 1.5), (-1.5, 3, 0.7), (0, 2.5, 0.5), (3, -4.2, -1.5)]:
        assert mx.arange(*args, dtype=mx.int32).tolist() == np.arange(*args, dtype=np.int32).tolist(), args


def test_comparisons_with_other_objects_and_devices():
    a = mx.array([1, 2])
    assert (a == [1, 2]) is False and (a != [1, 2]) is True
    assert (a == (1, 2)) is False and (a == "a") is False
    # None is unequal, as any other object (MLX raises TypeError here).
    assert (a == None) is False  # noqa: E711
    assert isinstance(a == np.array([1, 2]), mx.array)
    assert mx.Device(mx.cpu) == mx.cpu and mx.cpu == mx.Device(mx.cpu)
    assert mx.Device(mx.gpu) != mx.cpu and mx.cpu != mx.gpu
    assert hash(mx.Device(mx.cpu)) == hash(mx.cpu)


def test_repr_summarises_long_axes_as_mlx():
    assert repr(mx.arange(6)) == "array([0, 1, 2, 3, 4, 5], dtype=int32)"
    assert repr(mx.arange(7)) == "array([0, 1, 2, ..., 4, 5, 6], dtype=int32)"
    assert repr(mx.arange(14).reshape(2, 7)) == "array([[0, 1, 2, ..., 4, 5, 6],\n       [7, 8, 9, ..., 11, 12, 13]], dtype=int32)"
    r = repr(mx.arange(16).reshape(8, 2))
    assert r == ("array([[0, 1],\n       [2, 3],\n       [4, 5],\n       ...,\n       [10, 11],\n"
                 "       [12, 13],\n       [14, 15]], dtype=int32)")
    assert repr(mx.arange(7.0) / 3) == "array([0, 0.333333, 0.666667, ..., 1.33333, 1.66667, 2], dtype=float32)"


def test_roll_and_pad_forms():
    a = mx.arange(6).reshape(2, 3)
    assert mx.roll(a, (1, 2)).tolist() == [[3, 4, 5], [0, 1, 2]]
    assert mx.roll(a, (1, 1), axis=1).tolist() == [[1, 2, 0], [4, 5, 3]]
    assert mx.roll(a, 1, axis=(0, 1)).tolist() == [[5, 3, 4], [2, 0, 1]]
    x = np.ones((2, 2), dtype=np.float32)
    for w in [1, (1,), (1, 2), [(1, 2)], ((1, 2),), [(1, 2), (0, 1)], [1, 2], ((1,), (2,))]:
        assert mx.pad(mx.array(x), w).shape == np.pad(x, w).shape, w
    assert mx.pad(mx.arange(3), 2, mode="edge").tolist() == [0, 0, 0, 1, 2, 2, 2]
    assert mx.pad(mx.arange(3), 2, mode="reflect").tolist() == [2, 1, 0, 1, 2, 1, 0]
    with pytest.raises(ValueError):
        mx.pad(mx.array(x), -1)
    with pytest.raises(ValueError):
        mx.pad(mx.array(x), [(1, 1)] * 3)


def test_boolean_masks():
    a = mx.arange(5)
    m = mx.array([True, False, True, False, True])
    # MLX 0.32 refuses a[mask] ("not yet supported"); rmlx reads the mask and
    # gathers, as NumPy does.
    assert a[m].tolist() == [0, 2, 4]
    b = mx.arange(12).reshape(3, 4)
    assert np.array_equal(np.array(b[b > 5]), np.arange(12).reshape(3, 4)[np.arange(12).reshape(3, 4) > 5])
    assert b[mx.array([True, False, True])].tolist() == [[0, 1, 2, 3], [8, 9, 10, 11]]
    assert b[:, mx.array([False, True, True, False])].tolist() == [[1, 2], [5, 6], [9, 10]]
    assert b[[True, False, False]].tolist() == [[0, 1, 2, 3]]
    with pytest.raises(IndexError):
        b[mx.array([True, False])]
    # Assignment as MLX does it: values in order, or broadcast.
    c = mx.arange(5)
    c[c > 2] = 0
    assert c.tolist() == [0, 1, 2, 0, 0]
    c = mx.arange(5)
    c[c > 2] = mx.array([10, 20])
    assert c.tolist() == [0, 1, 2, 10, 20]
    d = mx.zeros((2, 3))
    d[mx.array([True, False])] = mx.array([7, 8, 9])
    assert d.tolist() == [[7, 8, 9], [0, 0, 0]]
    e = mx.arange(6).reshape(2, 3)
    e[e > 2] = mx.array([10, 20, 30])
    assert e.tolist() == [[0, 1, 2], [10, 20, 30]]
    # Gradients flow through a masked read.
    g = mx.grad(lambda x: mx.sum(x[mx.array([True, False, True])] ** 2))(mx.array([1.0, 2.0, 3.0]))
    assert g.tolist() == [2.0, 0.0, 6.0]
    # masked_scatter: lazy, so it works under vmap and grad too.
    r = mx.masked_scatter(mx.zeros(4), mx.array([True, False, True, False]), mx.array([1.0, 2.0]))
    assert r.tolist() == [1.0, 0.0, 2.0, 0.0]
    g = mx.grad(lambda s: mx.sum(mx.masked_scatter(mx.zeros(3), mx.array([False, True, True]), s) * mx.array([1.0, 2.0, 3.0])))(mx.array([5.0, 6.0, 7.0]))
    assert g.tolist() == [2.0, 3.0, 0.0]


def test_bytes_version_and_overflow():
    assert mx.array(b"abc").tolist() == [97, 98, 99] and mx.array(b"abc").dtype == mx.uint8
    assert mx.array(bytearray(b"ab")).dtype == mx.uint8 and mx.array(b"").shape == (0,)
    assert mx.array(b"ab", dtype=mx.float32).tolist() == [97.0, 98.0]
    assert isinstance(mx.__version__, str) and mx.__version__.count(".") == 2
    # MLX raises RuntimeError(std::bad_cast) for these, or wraps silently to 0
    # for 2**40 in int32; NumPy raises OverflowError, as rmlx does.
    with pytest.raises(OverflowError):
        mx.array(2**70)
    with pytest.raises(OverflowError):
        mx.array(2**40, dtype=mx.int32)
    with pytest.raises(OverflowError):
        mx.zeros((2**40, 2**40))
    assert mx.array(2**64 - 1, dtype=mx.uint64).item() == 2**64 - 1
    assert mx.array([2**63]).dtype == mx.uint64 and mx.array([2**63]).tolist() == [2**63]
    assert mx.array([2**40]).dtype == mx.int64
    with pytest.raises(ValueError):
        mx.arange(3)[2**40]
    with pytest.raises(ValueError):
        mx.arange(3)[2**40:]


def test_deep_nesting_is_a_value_error_not_a_crash():
    # MLX segfaults here (stack overflow in its list conversion).
    deep = 1
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ValueError, match="nested"):
        mx.array(deep)
    with pytest.raises(ValueError):
        mx.zeros((1,) * 2000)
    ok = 1
    for _ in range(30):
        ok = [ok]
    assert mx.array(ok).ndim == 30 and mx.array(ok).tolist() == ok


def test_errors_mlx_raises():
    with pytest.raises(ValueError):
        mx.kron(mx.array([]), mx.ones(2))
    with pytest.raises(ValueError):
        mx.addmm(mx.zeros((2, 2), dtype=mx.int32), mx.ones((2, 2), dtype=mx.int32), mx.ones((2, 2), dtype=mx.int32))
    with pytest.raises(ValueError):
        mx.addmm(mx.zeros((3, 3)), mx.ones((2, 2)), mx.ones((2, 2)))
    with pytest.raises(ValueError):
        mx.segmented_mm(mx.ones((2, 4), dtype=mx.int32), mx.ones((4, 2), dtype=mx.int32), mx.array([[0, 2], [2, 4]]))
    for p in (mx.array([1, 0]), mx.array([True]), 1):
        with pytest.raises(ValueError):
            mx.random.bernoulli(p)
    assert mx.random.bernoulli(mx.array([1.0, 0.0])).tolist() == [True, False]
    with pytest.raises(ValueError):
        mx.searchsorted(mx.ones((2, 2)), mx.array([1.0]))
    with pytest.raises(ValueError):
        mx.asarray(np.arange(3.0)[::2], copy=False)
    x = mx.array([1.0])
    assert mx.asarray(x, copy=False) is not None and mx.asarray(x, copy=False).tolist() == [1.0]
    with pytest.raises(ValueError):
        mx.asarray(x, dtype=mx.int32, copy=False)


def test_hadamard_transform():
    # Sizes 2**k: the Sylvester matrix (scipy.linalg.hadamard), over 1/sqrt(n).
    def sylvester(p):
        h = np.array([[1.0]])
        while h.shape[0] < p:
            h = np.block([[h, h], [h, -h]])
        return h

    x = np.random.RandomState(0).randn(3, 16).astype(np.float32)
    np.testing.assert_allclose(np.array(mx.hadamard_transform(mx.array(x))), x @ sylvester(16) / 4, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.array(mx.hadamard_transform(mx.array(x), scale=1.0)), x @ sylvester(16), rtol=1e-5, atol=1e-4)
    # m * 2**k: orthogonal (H H^T = n I) and MLX's values (recorded from 0.32.4).
    for n in (12, 20, 28, 24, 40, 112):
        h = np.array(mx.hadamard_transform(mx.eye(n), scale=1.0))
        assert set(np.unique(h)) <= {-1.0, 1.0}
        np.testing.assert_array_equal(h @ h.T, n * np.eye(n))
    y = mx.hadamard_transform(mx.ones((1, 12)))
    np.testing.assert_allclose(np.array(y)[0, :3], [2.886751174926758, -0.5773502588272095, 0.5773502588272095], rtol=1e-6)
    assert mx.hadamard_transform(mx.arange(8.0), scale=1.0).tolist() == [28.0, -4.0, -8.0, 0.0, -16.0, 0.0, 0.0, 0.0]
    assert mx.hadamard_transform(mx.ones(4, dtype=mx.int32)).dtype == mx.float32
    assert mx.hadamard_transform(mx.ones(8, dtype=mx.float16)).dtype == mx.float16
    # MLX returns values for n = 72 = 9 * 8 although 9 is no supported m; rmlx refuses.
    for bad in (mx.ones(3), mx.ones(72), mx.ones(0)):
        with pytest.raises(ValueError):
            mx.hadamard_transform(bad)
    # Differentiable (a linear map: its gradient is the transposed transform).
    g = mx.grad(lambda v: mx.sum(mx.hadamard_transform(v) * mx.arange(8.0)))(mx.ones(8))
    np.testing.assert_allclose(np.array(g), sylvester(8) @ np.arange(8.0) / np.sqrt(8), rtol=1e-5, atol=1e-5)


def test_as_strided_and_depends():
    assert mx.as_strided(mx.arange(6), (2, 2), (1, 2)).tolist() == [[0, 2], [1, 3]]
    assert mx.as_strided(mx.arange(6)).tolist() == [0, 1, 2, 3, 4, 5]
    assert mx.as_strided(mx.arange(10), (3,), (2,), 1).tolist() == [1, 3, 5]
    assert mx.as_strided(mx.arange(6).reshape(2, 3), (3, 2)).tolist() == [[0, 1], [2, 3], [4, 5]]
    # A transposed input reads in row-major order of its values.
    assert mx.as_strided(mx.arange(6).reshape(2, 3).T, (6,), (1,)).tolist() == [0, 3, 1, 4, 2, 5]
    with pytest.raises(ValueError):
        mx.as_strided(mx.arange(6), (4,), (2,))
    (o,) = mx.depends([mx.array(1)], [mx.array(2)])
    assert o.tolist() == 1
    (o,) = mx.depends([mx.array([1.0, 2.0])], [mx.array([np.nan]), mx.array([], dtype=mx.float32)])
    assert o.tolist() == [1.0, 2.0]


def test_array_api_aliases():
    a = mx.array([[1, 2], [3, 4]])
    assert mx.cumulative_sum(a, axis=1).tolist() == [[1, 3], [3, 7]]
    assert mx.cumulative_prod(a, axis=0, reverse=True).tolist() == [[3, 8], [3, 4]]
    assert mx.cumulative_sum(a, axis=1, dtype=mx.float32).dtype == mx.float32
    assert a.__div__(2).tolist() == [[0.5, 1.0], [1.5, 2.0]] and a.__rdiv__(1)[0, 0].item() == 1.0
    assert bytes(mx.array([1, 2], dtype=mx.uint8)) == b"\x01\x02"
    assert bytes(mx.array([1.0], dtype=mx.float32)) == np.array([1.0], dtype=np.float32).tobytes()


def test_complex64_ops_mlx_supports():
    z = mx.array([1.26 + 2.74j])
    assert mx.round(z).tolist() == [1 + 3j]
    np.testing.assert_allclose(np.array(mx.round(z, 1)), [1.3 + 2.7j], rtol=1e-6)
    assert mx.isposinf(mx.array([1 + 1j, complex(np.inf, 0)])).tolist() == [False, True]
    assert mx.isneginf(mx.array([1 + 1j, complex(-np.inf, 0)])).tolist() == [False, True]
    a, b = np.array([1 + 1j, -2 + 0.5j], np.complex64), np.array([1 + 0j, 3 - 1j], np.complex64)
    np.testing.assert_allclose(np.array(mx.logaddexp(mx.array(a), mx.array(b))), np.log(np.exp(a) + np.exp(b)), rtol=1e-5)
    np.testing.assert_allclose(np.array(mx.logaddexp(mx.array(a), 2.0)), np.log(np.exp(a) + np.exp(2.0)), rtol=1e-5)
    # MLX's own branch: 3-4j with -2 gives 2.9956-4.0051j (NumPy's principal log: +2.2781j).
    np.testing.assert_allclose(np.array(mx.logaddexp(mx.array([3 - 4j]), mx.array([-2 + 0j]))), [2.9955993 - 4.0051217j], rtol=1e-5)
    # logcumsumexp gives the principal branch (MLX's scan can differ by 2*pi*i
    # in the imaginary part; exp of both agrees).
    x = np.array([1 + 1j, 2 - 1j, 0.5 + 3j], np.complex64)
    np.testing.assert_allclose(np.array(mx.logcumsumexp(mx.array(x))), np.log(np.cumsum(np.exp(x))), rtol=1e-5)
    np.testing.assert_allclose(np.array(mx.logcumsumexp(mx.array(x), reverse=True)), np.log(np.cumsum(np.exp(x[::-1])))[::-1], rtol=1e-5)
    # Median in NumPy's complex order (real part, then imaginary part); MLX agrees.
    for v in ([1 + 1j, 2 + 0j, 0j], [3 + 1j, 1 + 5j, 2 + 0j, 0j], [1 + 2j, 1 + 1j, 1 + 3j]):
        assert mx.median(mx.array(v)).item() == np.median(np.sort_complex(np.array(v, np.complex64)))
    m = np.array([[3 + 1j, 1 + 5j], [2 + 0j, 0j]], np.complex64)
    assert mx.median(mx.array(m), axis=1).tolist() == [(2 + 3j), (1 + 0j)]
    # random.normal: a standard complex normal (each part of variance 1/2).
    s = np.array(mx.random.normal((20000,), dtype=mx.complex64, key=mx.random.key(3)))
    assert s.dtype == np.complex64 and abs(s.real.var() - 0.5) < 0.03 and abs(s.imag.var() - 0.5) < 0.03
    t = np.array(mx.random.normal((20000,), dtype=mx.complex64, loc=1.0, scale=2.0, key=mx.random.key(3)))
    np.testing.assert_allclose(t, 1.0 + 2.0 * s, rtol=1e-5, atol=1e-5)


# MLX 0.32.4's gradients at z = [1+2j, -0.5+0.25j] (recorded; PyTorch's
# convention: a holomorphic f gives conj(f'(z))).
MLX_COMPLEX_GRADS = {
    "abs": [(0.4472 + 0.8944j), (-0.8944 + 0.4472j)],
    "exp": [(-1.1312 - 2.4717j), (0.5877 - 0.1501j)],
    "log": [(0.2 + 0.4j), (-1.6 + 0.8j)],
    "prod": [(-0.5 - 0.25j), (1 - 2j)],
    "mulw": [(0.3 + 1j), (2 - 0.5j)],
    "sq": [(2 - 4j), (-1 - 0.5j)],
    "absq": [(2 + 4j), (-1 + 0.5j)],
    "real": [(1 + 0j), (1 + 0j)],
    "imag": [1j, 1j],
    "conj": [(1 - 0j), (1 - 0j)],
    "div": [(0.196 + 0.072j), (-2.56 + 6.08j)],
    "sqrt": [(0.2844 + 0.1758j), (0.1536 + 0.6509j)],
    "sin": [(2.0327 + 3.0519j), (0.9052 - 0.1211j)],
    "realmul": [(2 + 4j), (-1 + 0.5j)],
    "matmul": [(0.3 + 1j), (2 - 0.5j)],
    "mean_absexp": [(1.3591 + 0j), (0.3033 + 0j)],
}


def test_complex_gradients_follow_mlx_and_pytorch():
    z = mx.array([1 + 2j, -0.5 + 0.25j])
    w = mx.array([0.3 - 1j, 2 + 0.5j])
    fs = {
        "abs": lambda z: mx.sum(mx.abs(z)),
        "exp": lambda z: mx.sum(mx.exp(z)),
        "log": lambda z: mx.sum(mx.log(z)),
        "prod": lambda z: mx.prod(z),
        "mulw": lambda z: mx.sum(z * w),
        "sq": lambda z: mx.sum(z * z),
        "absq": lambda z: mx.sum(mx.abs(z) ** 2),
        "real": lambda z: mx.sum(mx.real(z)),
        "imag": lambda z: mx.sum(mx.imag(z)),
        "conj": lambda z: mx.sum(mx.conj(z)),
        "div": lambda z: mx.sum(w / z),
        "sqrt": lambda z: mx.sum(mx.sqrt(z)),
        "sin": lambda z: mx.sum(mx.sin(z)),
        "realmul": lambda z: mx.sum(mx.real(z * mx.conj(z))),
        "matmul": lambda z: mx.sum(mx.matmul(z.reshape(1, 2), w.reshape(2, 1))),
        "mean_absexp": lambda z: mx.mean(mx.abs(mx.exp(z))),
    }
    for name, f in fs.items():
        got = np.array(mx.grad(f)(z))
        np.testing.assert_allclose(got, MLX_COMPLEX_GRADS[name], atol=2e-4, err_msg=name)
    # A real loss of a complex parameter: the gradient is dL/dx + i dL/dy.
    loss = lambda z: mx.sum(mx.abs(z * w - 1) ** 2)
    g = np.array(mx.grad(loss)(z))
    zz, ww, eps = np.array(z), np.array(w), 1e-3
    num = lambda q: float(np.sum(np.abs(q * ww - 1) ** 2))
    for k in range(2):
        dx = np.zeros(2, np.complex64)
        dx[k] = eps
        fd = (num(zz + dx) - num(zz - dx)) / (2 * eps) + 1j * (num(zz + 1j * dx) - num(zz - 1j * dx)) / (2 * eps)
        np.testing.assert_allclose(g[k], fd, rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize(
    "dt", ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "float32", "float64", "complex64", "complex128"]
)
def test_dlpack_imports_of_every_numpy_dtype(dt):
    base = np.arange(-6, 6).reshape(3, 4)
    for x in (base.astype(dt), base.astype(dt)[:, ::2], base.astype(dt).T, base.astype(dt)[::-1], np.zeros((0, 3), dt), np.array(3, dt)):
        try:
            got = mx.from_dlpack(x) if hasattr(mx, "from_dlpack") else mx.array(x)
        except (ValueError, TypeError, BufferError):
            continue  # refused with a Python exception (complex128, float64 on a device without it)
        np.testing.assert_array_equal(np.array(got), x.astype(np.array(got).dtype))


def test_printoptions():
    # As MLX: a precision set prints fixed notation with that many decimals.
    with mx.printoptions(precision=3) as opts:
        assert repr(mx.array([1 / 3, 12345.678, 1e-9])) == "array([0.333, 12345.678, 0.000], dtype=float32)"
        assert mx.get_printoptions().precision == 3 and opts.precision == 3
    assert repr(mx.array([1 / 3])) == "array([0.333333], dtype=float32)"
    assert mx.get_printoptions().precision == -1
    mx.set_printoptions(precision=10)
    try:
        assert repr(mx.array([1 / 3])) == "array([0.3333333433], dtype=float32)"
    finally:
        mx.set_printoptions()
    assert repr(mx.array([1 / 3])) == "array([0.333333], dtype=float32)"


def test_custom_function_keyword_arguments_as_in_mlx():
    # Results of MLX 0.32.4 for the same programs.
    seen = {}

    @mx.custom_function
    def f(x, scale=2.0):
        return x * scale

    @f.vjp
    def f_vjp(primals, cotangent, output, **kwargs):
        seen.update(kwargs)
        return cotangent * 10

    assert f(mx.array(1.0), scale=3.0).item() == 3.0
    assert mx.grad(lambda x: f(x, scale=3.0))(mx.array(1.0)).item() == 10.0
    assert seen == {"scale": 3.0}

    @mx.custom_function
    def g(x, y=None):
        return x * y

    # Without a rule, gradients flow through keyword arrays too.
    assert mx.grad(lambda y: g(mx.array(2.0), y=y))(mx.array(1.0)).item() == 2.0
    assert mx.grad(lambda x: g(x, y=mx.array(3.0)))(mx.array(1.0)).item() == 3.0
    assert mx.vmap(lambda x: g(x, y=4.0))(mx.array([1.0, 2.0])).tolist() == [4.0, 8.0]

    @g.jvp
    def g_jvp(primals, tangents):
        return tangents

    with pytest.raises(ValueError):
        g(mx.array(2.0), y=mx.array(3.0))


def test_signatures_take_mlx_spellings():
    a = mx.array([[1.0, 2.0], [3.0, 5.0]])
    assert mx.vecdot(a, a, 0).tolist() == [10.0, 29.0]
    assert mx.allclose(mx.var(a, correction=1), mx.var(a, ddof=1)).item()
    assert mx.allclose(mx.std(a, axis=0, correction=1), mx.array(np.std(np.array(a), axis=0, ddof=1))).item()
    assert mx.array([1, 2]).at[0].add(value=5).tolist() == [6, 2]
    with mx.StreamContext(mx.cpu):
        assert (mx.array([1]) + 1).tolist() == [2]
    with pytest.raises(TypeError):
        mx.StreamContext(None)
    assert mx.tensordot(mx.ones((2, 3)), mx.ones((2, 3))).item() == 6.0
    assert mx.random.uniform().shape == ()
    assert mx.random.bernoulli().dtype == mx.bool_


def test_unique_against_numpy_and_mlx():
    r = np.random.default_rng(0).integers(0, 50, size=(7, 40))
    vals, index, inverse, counts = mx.unique(mx.array(r), 60, True, True, True)
    nv, ni, ninv, nc = np.unique(r, return_index=True, return_inverse=True, return_counts=True)
    k = len(nv)
    assert vals.tolist()[:k] == nv.tolist() and index.tolist()[:k] == ni.tolist()
    assert inverse.shape == r.shape and inverse.reshape(-1).tolist() == ninv.reshape(-1).tolist()
    assert counts.tolist() == nc.tolist() + [0] * (60 - k)
    assert index.dtype == mx.uint32 and inverse.dtype == mx.uint32 and counts.dtype == mx.int32
    # MLX 0.32.4's results: padding repeats the first entry (or fill_value,
    # cast to the dtype), truncation keeps the smallest, inverse clamps.
    a = mx.array([3, 1, 3, 2, 1.5])
    got = [x.tolist() for x in mx.unique(a, 2, True, True, True)]
    assert got == [[1.0, 1.5], [1, 4], [1, 0, 1, 1, 1], [1, 1]]
    got = [x.tolist() for x in mx.unique(a, 6, True, True, True)]
    assert got == [[1.0, 1.5, 2.0, 3.0, 1.0, 1.0], [1, 4, 3, 0, 1, 1], [3, 0, 3, 2, 1], [1, 1, 1, 2, 0, 0]]
    assert mx.unique(a, 6, fill_value=-1).tolist() == [1.0, 1.5, 2.0, 3.0, -1.0, -1.0]
    assert mx.unique(mx.array([2, 1]), 3, fill_value=mx.array(9.5)).tolist() == [1, 2, 9]
    assert mx.unique(mx.array([1.0, np.nan, np.nan]), 3, return_counts=True)[1].tolist() == [1, 1, 1]
    assert mx.unique(mx.array([True, False, True]), 3, stream=mx.cpu).tolist() == [False, True, False]
    assert [x.tolist() for x in mx.unique(mx.array([5, 5]), 0, True, True, True)] == [[], [], [0, 0], []]
    with pytest.raises(ValueError):
        mx.unique(a, -1)
    with pytest.raises(ValueError):
        mx.unique(a, 2, fill_value=mx.array([1, 2]))
    with pytest.raises(ValueError):
        mx.unique(mx.array([], dtype=mx.float32), 2)
    # Lazy: it works under grad-free transforms such as vmap.
    rows = mx.vmap(lambda x: mx.unique(x, 3))(mx.array([[2, 2, 1], [5, 4, 4]]))
    assert rows.tolist() == [[1, 2, 1], [4, 5, 4]]
