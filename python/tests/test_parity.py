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
    with pytest.raises(MemoryError):
        fn(10**10)
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
