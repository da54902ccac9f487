"""grad, value_and_grad, vjp, jvp over trees of arrays, and rmlx.utils'
tree functions: MLX's calling conventions, central finite differences in
float64, composition (grad of grad, jvp of vjp), and PyTorch/JAX where
installed."""

import importlib.util

import numpy as np
import pytest

import rmlx.core as mx
from rmlx.utils import tree_flatten, tree_map, tree_map_with_path, tree_merge, tree_reduce, tree_unflatten


def f64(x):
    return mx.array(np.asarray(x, dtype=np.float64), dtype=mx.float64)


def fd_grad(f, xs, h=1e-6):
    """Central differences of the scalar f(*xs) with respect to each x (NumPy float64 arrays)."""
    out = []
    for i, x in enumerate(xs):
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            up = [v.copy() for v in xs]
            dn = [v.copy() for v in xs]
            up[i][j] += h
            dn[i][j] -= h
            g[j] = (f(*[f64(v) for v in up]).item() - f(*[f64(v) for v in dn]).item()) / (2 * h)
        out.append(g)
    return out


FUNCS = {
    "mlp": lambda w, x: mx.sum(mx.tanh(x @ w) ** 2),
    "softmax_xent": lambda w, x: -mx.sum((x @ w - mx.logsumexp(x @ w, axis=-1, keepdims=True))[:, 0]),
    "norm": lambda w, x: mx.sqrt(mx.sum(w * w)) + mx.mean(mx.exp(x[:, :2] * 0.1)),
    "logsumexp": lambda w, x: mx.logsumexp(x @ w),
    "indexing": lambda w, x: mx.sum(w[::2, ::-1] * x[0, :2].reshape(2, 1)) + mx.sum(x[[0, 2, 2]] ** 3),
    "where_max": lambda w, x: mx.sum(mx.where(w > 0, w, 0.1 * w)) + mx.max(x),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_grad_matches_finite_differences(name):
    f = FUNCS[name]
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((4, 3)), rng.standard_normal((3, 4))
    gw, gx = mx.grad(f, argnums=(0, 1))(f64(w), f64(x))
    want = fd_grad(f, [w, x])
    np.testing.assert_allclose(np.array(gw), want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array(gx), want[1], rtol=1e-5, atol=1e-6)


def test_mlx_calling_conventions():
    f = lambda x, y: (x * y).sum()  # noqa: E731
    x, y = mx.array([1.0, 2.0]), mx.array([3.0, 4.0])
    assert mx.grad(f)(x, y).tolist() == [3, 4]
    a, b = mx.grad(f, argnums=(0, 1))(x, y)
    assert a.tolist() == [3, 4] and b.tolist() == [1, 2]
    assert mx.grad(f, argnums=[1])(x, y).tolist() == [1, 2]
    none, named = mx.grad(lambda x, y=None: (x * y).sum(), argnames="y")(x, y=y)
    assert none is None and named["y"].tolist() == [1, 2]
    gx, named = mx.grad(lambda x, y=None: (x * y).sum(), argnums=0, argnames=["y"])(x, y=y)
    assert gx.tolist() == [3, 4] and list(named) == ["y"]
    (loss, aux), g = mx.value_and_grad(lambda x: ((x * x).sum(), x + 1))(x)
    assert loss.item() == 5 and aux.tolist() == [2, 3] and g.tolist() == [2, 4]
    v, (ga, gb) = mx.value_and_grad(f, argnums=(0, 1))(x, y)
    assert v.item() == 11 and ga.tolist() == [3, 4]


def test_trees_of_parameters():
    params = {"w": [mx.array([1.0, 2.0]), mx.array([[3.0]])], "b": (mx.array(0.5),)}

    def loss(p, scale):
        return (p["w"][0].sum() * p["w"][1][0, 0] + p["b"][0] ** 2) * scale

    g = mx.grad(loss)(params, 2.0)
    assert isinstance(g, dict) and isinstance(g["w"], list) and isinstance(g["b"], tuple)
    assert g["w"][0].tolist() == [6, 6] and g["w"][1].tolist() == [[6]] and g["b"][0].item() == 2.0


def test_compositions():
    x = f64([0.3, -1.2, 2.0])
    # grad of grad: d²/dx² sum(sin x) = -sin x
    d2 = mx.grad(lambda x: mx.grad(lambda y: mx.sin(y).sum())(x).sum())(x)
    np.testing.assert_allclose(np.array(d2), -np.sin(np.array(x)), rtol=1e-12)
    # Hessian-vector product of sum(x^3): H v = 6 x v
    v = f64([1.0, 2.0, -1.0])
    hvp = mx.jvp(lambda x: mx.grad(lambda y: (y**3).sum())(x), [x], [v])[1][0]
    np.testing.assert_allclose(np.array(hvp), 6 * np.array(x) * np.array(v), rtol=1e-10)
    # jvp against finite differences, vjp of jvp
    f = lambda a: mx.exp(a) * mx.cos(a)  # noqa: E731
    outs, tang = mx.jvp(f, [x], [v])
    h = 1e-6
    fd = (np.array(f(x + h * v)) - np.array(f(x - h * v))) / (2 * h)
    np.testing.assert_allclose(np.array(tang[0]), fd, rtol=1e-6)
    _, ct = mx.vjp(lambda a: mx.jvp(f, [a], [v])[1][0], [x], [mx.ones_like(x)])
    assert ct[0].shape == (3,)


def test_vjp_jvp_shapes_and_errors():
    x = mx.array([1.0, 2.0])
    outs, vjps = mx.vjp(lambda a: [a * 2, a.sum()], [x], [mx.ones(2), mx.array(3.0)])
    assert [o.shape for o in outs] == [(2,), ()] and vjps[0].tolist() == [5, 5]
    with pytest.raises(ValueError):
        mx.vjp(lambda a: a * 2, [x], [mx.ones(3)])
    with pytest.raises(ValueError):
        mx.jvp(lambda a: a * 2, [x], [mx.ones(3)])
    with pytest.raises(ValueError, match="scalar"):
        mx.grad(lambda a: a * 2)(x)
    with pytest.raises(ValueError, match="index 3"):
        mx.grad(lambda a, b: (a * b).sum(), argnums=3)(x, x)
    with pytest.raises(ValueError):
        mx.grad(lambda a: a.sum(), argnums=())(x)
    with pytest.raises(ValueError, match="only arrays"):
        mx.grad(lambda p: p[0].sum())([x, 1.0])
    with pytest.raises(ValueError):
        mx.grad(lambda a: a.sum())(mx.array([1, 2]))
    def fails(a):
        raise ZeroDivisionError("from inside the function")

    with pytest.raises(ZeroDivisionError, match="inside"):
        mx.grad(fails)(x)


def test_closures_capture_constants():
    c = mx.array([10.0, 20.0])
    x = mx.array([1.0, 2.0])
    g = mx.grad(lambda a: (a * c).sum())(x)
    assert g.tolist() == [10, 20]
    # An array evaluated inside the function is a constant, and nothing crashes.
    def f(a):
        k = mx.exp(c)
        mx.eval(k)
        return (a * k / k).sum()

    assert mx.grad(f)(x).tolist() == [1, 1]


def test_tree_utilities():
    tree = {"a": [1, (2, 3)], "b": {"c": 4}}
    flat = tree_flatten(tree)
    assert flat == [("a.0", 1), ("a.1.0", 2), ("a.1.1", 3), ("b.c", 4)]
    assert tree_unflatten(flat) == {"a": [1, [2, 3]], "b": {"c": 4}}
    assert tree_flatten([1, 2], prefix=".x") == [("x.0", 1), ("x.1", 2)]
    assert tree_map(lambda v: v * 10, tree) == {"a": [10, (20, 30)], "b": {"c": 40}}
    assert tree_map(lambda a, b: a + b, [1, 2], [10, 20]) == [11, 22]
    assert tree_map_with_path(lambda p, v: p, tree) == {"a": ["a.0", ("a.1.0", "a.1.1")], "b": {"c": "b.c"}}
    assert tree_reduce(lambda acc, v: acc + v, tree, 0) == 10
    assert tree_merge({"a": 1, "b": None}, {"a": None, "b": 2}) == {"a": 1, "b": 2}
    with pytest.raises(ValueError):
        tree_merge({"a": 1}, {"a": 2})
    assert tree_merge({"a": 1}, {"a": 2}, lambda x, y: x + y) == {"a": 3}
    grads = mx.grad(lambda p: sum(v.sum() for _, v in tree_flatten(p)))({"w": mx.ones((2, 2)), "b": [mx.zeros(3)]})
    assert tree_map(lambda g: g.tolist(), grads) == {"w": [[1, 1], [1, 1]], "b": [[1, 1, 1]]}


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed here (it is on the GPU machine)")
def test_against_torch_autograd():
    import torch

    rng = np.random.default_rng(1)
    w, x, t = rng.standard_normal((5, 4)), rng.standard_normal((8, 5)), rng.standard_normal((8, 4))

    def loss_mx(w, x):
        h = mx.maximum(x @ w, 0.0)
        return mx.mean((mx.softmax(h, axis=-1) - f64(t)) ** 2) + mx.logsumexp(h)

    gw, gx = mx.grad(loss_mx, argnums=(0, 1))(f64(w), f64(x))
    tw = torch.tensor(w, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    h = torch.relu(tx @ tw)
    loss = torch.mean((torch.softmax(h, -1) - torch.tensor(t)) ** 2) + torch.logsumexp(h.reshape(-1), 0)
    loss.backward()
    np.testing.assert_allclose(np.array(gw), tw.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.array(gx), tx.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed here")
def test_against_jax():
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(2)
    w, x = rng.standard_normal((3, 3)), rng.standard_normal((4, 3))
    f_mx = lambda w, x: mx.sum(mx.tanh(x @ w) * mx.sigmoid(x)) + mx.sum(w)  # noqa: E731
    f_jx = lambda w, x: jnp.sum(jnp.tanh(x @ w) * jax.nn.sigmoid(x)) + jnp.sum(w)  # noqa: E731
    gw, gx = mx.grad(f_mx, argnums=(0, 1))(f64(w), f64(x))
    jw, jx = jax.grad(f_jx, argnums=(0, 1))(w, x)
    np.testing.assert_allclose(np.array(gw), np.asarray(jw), rtol=1e-9)
    np.testing.assert_allclose(np.array(gx), np.asarray(jx), rtol=1e-9)
    v = rng.standard_normal((3, 3))
    x_mx = f64(x)
    _, (tangent,) = mx.jvp(lambda w: mx.tanh(x_mx @ w), [f64(w)], [f64(v)])
    _, jt = jax.jvp(lambda w: jnp.tanh(x @ w), (w,), (v,))
    np.testing.assert_allclose(np.array(tangent), np.asarray(jt), rtol=1e-9)


VMAP_FUNCS = {
    "affine": lambda a, w: mx.tanh(a @ w + 1.0),
    "softmax": lambda a, w: mx.softmax(a, axis=-1) * w.sum(),
    "reduce": lambda a, w: mx.stack([a.sum(), a.max(), mx.logsumexp(a)]) + w[0, 0],
    "index": lambda a, w: a[::-1][[0, 2]] + w[:2, 0],
    "shape": lambda a, w: mx.concatenate([a.reshape(2, 2).T.reshape(-1), mx.pad(a, (1, 1))], axis=0) * w.mean(),
}


@pytest.mark.parametrize("name", sorted(VMAP_FUNCS))
def test_vmap_matches_a_loop(name):
    f = VMAP_FUNCS[name]
    rng = np.random.default_rng(3)
    xs, w = f64(rng.standard_normal((5, 4))), f64(rng.standard_normal((4, 3)))
    got = mx.vmap(f, in_axes=(0, None))(xs, w)
    want = mx.stack([f(xs[i], w) for i in range(5)])
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=1e-12)
    got_t = mx.vmap(f, in_axes=(1, None), out_axes=1)(xs.T, w)
    np.testing.assert_allclose(np.array(got_t), np.moveaxis(np.array(want), 0, 1), rtol=1e-12, atol=1e-12)


def test_vmap_of_grad_gives_per_example_gradients():
    rng = np.random.default_rng(4)
    w, xs, ys = f64(rng.standard_normal(3)), f64(rng.standard_normal((6, 3))), f64(rng.standard_normal(6))
    loss = lambda w, x, y: (mx.sum(w * x) - y) ** 2  # noqa: E731
    per = mx.vmap(mx.grad(loss), in_axes=(None, 0, 0))(w, xs, ys)
    want = mx.stack([mx.grad(loss)(w, xs[i], ys[i]) for i in range(6)])
    np.testing.assert_allclose(np.array(per), np.array(want), rtol=1e-12)
    # grad of vmap
    g = mx.grad(lambda w: mx.vmap(lambda x: mx.sum(w * x) ** 2)(xs).sum())(w)
    loop = mx.grad(lambda w: sum((mx.sum(w * xs[i]) ** 2) for i in range(6)))(w)
    np.testing.assert_allclose(np.array(g), np.array(loop), rtol=1e-10)


def test_vmap_trees_and_errors():
    x = mx.arange(12.0).reshape(3, 4)
    out = mx.vmap(lambda d: {"s": d["a"] + d["b"][0]}, in_axes=({"a": 0, "b": [1]},))({"a": x, "b": [x.T]})
    assert out["s"].tolist() == (2 * np.arange(12.0).reshape(3, 4)).tolist()
    with pytest.raises(ValueError, match="in_axes"):
        mx.vmap(lambda a: a, in_axes=2)(x)
    with pytest.raises(ValueError, match="different sizes"):
        mx.vmap(lambda a, b: a + b)(x, mx.ones((4, 4)))
    with pytest.raises(ValueError):
        mx.vmap(lambda a, b: a + b, in_axes=(0, 0, 0))(x, x)
    with pytest.raises(ValueError):
        mx.vmap(lambda a: a, in_axes=None)(x)


def test_jvp_matches_finite_differences():
    rng = np.random.default_rng(7)
    w = rng.uniform(-1, 1, (3, 4))
    x = rng.uniform(-1, 1, (5, 3))
    tw = rng.uniform(-1, 1, w.shape)
    tx = rng.uniform(-1, 1, x.shape)
    for name, f in FUNCS.items():
        outs, tans = mx.jvp(f, [f64(w), f64(x)], [f64(tw), f64(tx)])
        h = 1e-6
        want = (f(f64(w + h * tw), f64(x + h * tx)).item() - f(f64(w - h * tw), f64(x - h * tx)).item()) / (2 * h)
        assert outs[0].item() == pytest.approx(f(f64(w), f64(x)).item(), rel=1e-12), name
        assert tans[0].item() == pytest.approx(want, rel=1e-5, abs=1e-7), name


def test_custom_function_rules_are_used():
    calls = []

    @mx.custom_function
    def f(x, y):
        return mx.sin(x) * y

    @f.vjp
    def f_vjp(primals, cotangent, output):
        calls.append("vjp")
        x, y = primals
        assert isinstance(cotangent, mx.array) and isinstance(output, mx.array)
        # deliberately not the true derivative, so the test sees the rule used
        return cotangent * 2.0, cotangent * 3.0

    @f.jvp
    def f_jvp(primals, tangents):
        calls.append("jvp")
        dx, dy = tangents
        return dx * 10.0 + dy

    @f.vmap
    def f_vmap(inputs, axes):
        calls.append("vmap")
        x, y = inputs
        return mx.sin(x) * y + 100.0, axes[0]

    x = mx.array([1.0, 2.0])
    y = mx.array([3.0, 4.0])
    np.testing.assert_allclose(np.array(f(x, y)), np.sin([1.0, 2.0]) * [3.0, 4.0], rtol=1e-6)
    gx, gy = mx.grad(lambda a, b: f(a, b).sum(), argnums=(0, 1))(x, y)
    assert gx.tolist() == [2.0, 2.0] and gy.tolist() == [3.0, 3.0]
    _, t = mx.jvp(f, [x, y], [mx.ones(2), mx.ones(2)])
    assert t[0].tolist() == [11.0, 11.0]
    v = mx.vmap(f)(mx.zeros((3, 2)), mx.ones((3, 2)))
    assert v.shape == (3, 2) and v.tolist() == [[100.0, 100.0]] * 3
    assert calls == ["vjp", "jvp", "vmap"]


def test_custom_function_defaults_and_several_outputs():
    @mx.custom_function
    def g(x):
        return x * 2.0, mx.exp(x)

    x = mx.array([0.5, -1.0])
    # No rule: derived from the function itself.
    gx = mx.grad(lambda a: g(a)[0].sum() + g(a)[1].sum())(x)
    np.testing.assert_allclose(np.array(gx), 2.0 + np.exp([0.5, -1.0]), rtol=1e-6)

    @g.vjp
    def g_vjp(primal, cotangents, outputs):
        assert isinstance(primal, mx.array) and len(cotangents) == 2 and len(outputs) == 2
        return cotangents[0] * 2.0 + cotangents[1] * outputs[1]  # one primal: a bare array

    gx = mx.grad(lambda a: g(a)[0].sum() + g(a)[1].sum())(x)
    np.testing.assert_allclose(np.array(gx), 2.0 + np.exp([0.5, -1.0]), rtol=1e-6)
    # grad of grad through a custom function without rules
    h = mx.custom_function(lambda a: mx.sin(a) * a)
    d2 = mx.grad(lambda a: mx.grad(lambda b: h(b).sum())(a).sum())(x)
    xn = np.array([0.5, -1.0])
    np.testing.assert_allclose(np.array(d2), 2 * np.cos(xn) - xn * np.sin(xn), rtol=1e-5)


def test_custom_function_bad_rules():
    @mx.custom_function
    def f(x):
        return x * 2.0

    @f.vjp
    def wrong_count(primals, cotangent, output):
        return cotangent, cotangent

    with pytest.raises(ValueError, match="returned 2 arrays, expected 1"):
        mx.grad(lambda a: f(a).sum())(mx.ones(3))

    @f.vjp
    def wrong_shape(primals, cotangent, output):
        return mx.ones(5)

    with pytest.raises(ValueError, match="shape"):
        mx.grad(lambda a: f(a).sum())(mx.ones(3))

    @f.vjp
    def raises(primals, cotangent, output):
        raise KeyError("from the rule")

    with pytest.raises(KeyError, match="from the rule"):
        mx.grad(lambda a: f(a).sum())(mx.ones(3))
    with pytest.raises(ValueError, match="must be arrays"):
        f(3.0)
    with pytest.raises(TypeError):
        mx.custom_function(5)


def test_checkpoint_gives_the_same_gradients():
    calls = {"n": 0}

    def block(w, x):
        calls["n"] += 1
        return mx.tanh(x @ w) * 2.0

    rng = np.random.default_rng(3)
    w = mx.array(rng.uniform(-1, 1, (4, 4)).astype(np.float32))
    x = mx.array(rng.uniform(-1, 1, (2, 4)).astype(np.float32))
    plain = mx.grad(lambda w: block(w, block(w, x)).sum())(w)
    calls["n"] = 0
    ck = mx.checkpoint(block)
    got = mx.grad(lambda w: ck(w, ck(w, x)).sum())(w)
    np.testing.assert_allclose(np.array(got), np.array(plain), rtol=1e-5, atol=1e-6)
    assert calls["n"] == 4  # each block ran forward once, then again in the backward pass
    # trees of arrays go through checkpoint too
    tree_ck = mx.checkpoint(lambda p: {"y": p["a"] * p["b"]})
    g = mx.grad(lambda a: tree_ck({"a": a, "b": mx.array([3.0])})["y"].sum())(mx.array([2.0]))
    assert g.tolist() == [3.0]
    # numbers among the arguments are passed through
    scaled = mx.checkpoint(lambda a, k: a * k)
    assert mx.grad(lambda a: scaled(a, 5.0).sum())(mx.array([1.0, 2.0])).tolist() == [5.0, 5.0]


def test_custom_function_rules_under_the_complex_convention():
    # The rule sees and returns cotangents in the convention the built-in
    # rules use (the seed conjugated, the result conjugated back), so a rule
    # written for MLX gives MLX's answer. Values from MLX 0.32.4.
    c = mx.array(1 + 2j)
    seen = []

    @mx.custom_function
    def f(x):
        return x * c

    @f.vjp
    def f_vjp(primals, cotangent, output):
        seen.append(np.array(cotangent))
        return (cotangent * mx.array(0.5 - 1j),)

    x = mx.array([1 + 1j, 2 - 1j])
    _, (ct,) = mx.vjp(f, [x], [mx.array([1 + 0j, 1j])])
    np.testing.assert_allclose(seen[0], [1 - 0j, -1j])
    np.testing.assert_allclose(np.array(ct), [0.5 + 1j, -1 + 0.5j])
    _, (ct,) = mx.vjp(lambda x: mx.sin(f(x)) * 3, [x], [mx.array([1 + 0j, 1j])])
    np.testing.assert_allclose(np.array(ct), [33.4486 + 3.67412j, 31.1143 + 12.8737j], rtol=1e-4)
    g = mx.grad(lambda x: mx.abs(f(x)).sum())(x)
    np.testing.assert_allclose(np.array(g), [-1.1068 + 0.158114j, -0.2 + 1.1j], rtol=1e-4)


def test_gradients_through_indices_computed_from_the_primal():
    # Indices carry no gradient; the values they pick do. MLX 0.32.4 raises
    # ValueError ("Cannot calculate VJP with respect to indices. Use
    # stop_gradient on indices") for every one of these, even x[argmax(x)];
    # rmlx gives JAX's and PyTorch's answer, which is the derivative almost
    # everywhere (the indices are piecewise constant in x), so MLX programs
    # (which wrap such indices in stop_gradient) run unchanged.
    x = mx.array([3.0, 1.0, 2.0])
    cases = [
        (lambda x: x[mx.argmax(x)], [1, 0, 0]),
        (lambda x: mx.take(x, mx.where(x > 1, 1, 0)).sum(), [1, 2, 0]),  # takes x[1], x[0], x[1]
        (lambda x: mx.take(x, mx.floor(x - 1).astype(mx.int32)).sum(), [1, 1, 1]),
        (lambda x: mx.take_along_axis(x, mx.argsort(x), axis=0).sum(), [1, 1, 1]),
        (lambda x: (x * x).at[mx.argmax(x)].add(2.0).sum(), [6, 2, 4]),
        (lambda x: mx.put_along_axis(x * x, mx.argmin(x, keepdims=True), mx.array([0.0]), axis=0).sum(), [6, 0, 4]),
    ]
    for f, want in cases:
        np.testing.assert_allclose(np.array(mx.grad(f)(x)), want)
        # The same with the indices behind stop_gradient, as MLX needs them.
    np.testing.assert_allclose(np.array(mx.grad(lambda x: x[mx.stop_gradient(mx.argmax(x))])(x)), [1, 0, 0])
    # A float argument used only as indices has a zero gradient (JAX's too).
    table = mx.arange(6.0).reshape(2, 3)
    g = mx.grad(lambda i: mx.take(table, i.astype(mx.int32), axis=1).sum())(mx.array([0.0, 2.0]))
    assert g.tolist() == [0.0, 0.0]
    # vjp and jvp with respect to integer indices: zeros of the indices' dtype.
    idx = mx.array([[0, 2]])
    fn = lambda a, i: mx.take_along_axis(a, i, axis=1)
    _, (ga, gi) = mx.vjp(fn, [table, idx], [mx.ones((2, 2))])
    assert ga.tolist() == [[1, 0, 1], [1, 0, 1]] and gi.dtype == mx.int32 and gi.tolist() == [[0, 0]]
    _, (t,) = mx.jvp(fn, [table, idx], [mx.ones((2, 3)), mx.array([[1, 1]])])
    assert t.tolist() == [[1, 1], [1, 1]]


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed here")
def test_index_gradients_against_jax():
    import jax
    import jax.numpy as jnp

    xs = np.array([3.0, 1.0, 2.0, -0.5], dtype=np.float32)
    pairs = [
        (lambda x: x[mx.argmax(x)], lambda x: x[jnp.argmax(x)]),
        (lambda x: mx.take(x, mx.where(x > 1, 1, 0)).sum(), lambda x: jnp.take(x, jnp.where(x > 1, 1, 0)).sum()),
        (lambda x: mx.take(x, mx.floor(x).astype(mx.int32) % 4).sum(),
         lambda x: jnp.take(x, jnp.floor(x).astype(jnp.int32) % 4).sum()),
        (lambda x: (mx.take_along_axis(x, mx.argsort(x), axis=0) * mx.arange(4)).sum(),
         lambda x: (jnp.take_along_axis(x, jnp.argsort(x), axis=0) * jnp.arange(4)).sum()),
        (lambda x: (x * x).at[mx.argmax(x)].add(x[0]).sum(), lambda x: (x * x).at[jnp.argmax(x)].add(x[0]).sum()),
    ]
    for f, g in pairs:
        np.testing.assert_allclose(np.array(mx.grad(f)(mx.array(xs))), np.asarray(jax.grad(g)(jnp.asarray(xs))), rtol=1e-6)
