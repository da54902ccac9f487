"""mx.random against values pinned from MLX 0.32.4 (data/mlx_random.json,
made by running the same calls there): the same bits and, up to the last
bits of erfinv/log, the same samples; the distributions' moments; keys in
vmap; bad keys and arguments."""

import json
import math
import pathlib

import numpy as np
import pytest

import rmlx.core as mx

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "mlx_random.json").read_text())
CASES = [c for c in DATA["cases"] if "call" in c]
LOGITS = next(c for c in DATA["cases"] if c["name"] == "logits")["value"]

# Bits and what is computed from them with exact float ops (division,
# comparison, floor) match exactly; samples through erfinv, erf and log
# match to a few units in the last place of the dtype.
EXACT = ("uint32", "int32", "uint8", "bool")
TOL = {"float32": 2e-6, "float16": 2e-3, "bfloat16": 1.6e-2}


def namespace():
    ns = {name: getattr(mx.random, name) for name in dir(mx.random) if not name.startswith("_")}
    ns.update(array=mx.array, float16=mx.float16, bfloat16=mx.bfloat16, uint8=mx.uint8)
    ns["logits"] = mx.array(np.array(LOGITS, dtype=np.float32))
    return ns


def as_numpy(a):
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return np.array(a)


def check(case, got):
    want = np.array(case["value"])
    got = as_numpy(got)
    assert got.shape == want.shape, case["name"]
    if case["dtype"] in EXACT:
        np.testing.assert_array_equal(got, want.astype(got.dtype), err_msg=case["name"])
    else:
        tol = TOL[case["dtype"]]
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=tol, atol=tol, err_msg=case["name"])


@pytest.mark.parametrize("case", [c for c in CASES if not c["call"].startswith(("seed", "then"))], ids=lambda c: c["name"])
def test_matches_mlx(case):
    out = eval(case["call"], namespace())  # noqa: S307 - calls written by the test data above
    assert str(out.dtype).endswith(case["dtype"]), (case["name"], out.dtype)
    check(case, out)


def test_global_sequence_matches_mlx():
    first, second = [c for c in CASES if c["call"].startswith(("seed", "then"))]
    mx.random.seed(42)
    check(first, mx.random.uniform(shape=(3,)))
    check(second, mx.random.uniform(shape=(3,)))
    mx.random.seed(42)
    check(first, mx.random.uniform(shape=(3,)))


def test_split_keys_are_independent_and_deterministic():
    k = mx.random.key(123)
    a, b = mx.random.split(k)
    assert not np.array_equal(np.array(a), np.array(b))
    x = mx.random.uniform(shape=(1000,), key=a)
    y = mx.random.uniform(shape=(1000,), key=a)
    z = mx.random.uniform(shape=(1000,), key=b)
    np.testing.assert_array_equal(np.array(x), np.array(y))
    assert abs(np.corrcoef(np.array(x), np.array(z))[0, 1]) < 0.1


def test_moments():
    k = mx.random.key(0)
    n = 200_000
    u = np.array(mx.random.uniform(-1, 3, shape=(n,), key=k))
    assert u.min() >= -1 and u.max() < 3
    assert abs(u.mean() - 1) < 0.02 and abs(u.var() - 16 / 12) < 0.02
    z = np.array(mx.random.normal(shape=(n,), loc=2.0, scale=0.5, key=k))
    assert abs(z.mean() - 2) < 0.01 and abs(z.std() - 0.5) < 0.01
    t = np.array(mx.random.truncated_normal(-1.0, 0.5, shape=(n,), key=k))
    assert t.min() >= -1 and t.max() <= 0.5
    r = np.array(mx.random.randint(3, 8, shape=(n,), key=k))
    assert r.dtype == np.int32 and set(np.unique(r)) == {3, 4, 5, 6, 7}
    b = np.array(mx.random.bernoulli(0.25, shape=(n,), key=k))
    assert b.dtype == np.bool_ and abs(b.mean() - 0.25) < 0.01
    g = np.array(mx.random.gumbel(shape=(n,), key=k))
    assert abs(g.mean() - 0.5772156649) < 0.02
    lp = np.array(mx.random.laplace(shape=(n,), scale=2.0, key=k))
    assert abs(lp.mean()) < 0.03 and abs(lp.var() - 8.0) < 0.2
    logits = mx.array(np.log(np.array([0.1, 0.2, 0.7], dtype=np.float32)))
    c = np.array(mx.random.categorical(logits, num_samples=n, key=k))
    np.testing.assert_allclose(np.bincount(c, minlength=3) / n, [0.1, 0.2, 0.7], atol=0.01)


def test_global_key_advances():
    mx.random.seed(7)
    a = np.array(mx.random.normal(shape=(4,)))
    b = np.array(mx.random.normal(shape=(4,)))
    assert not np.array_equal(a, b)


def test_vmap_over_keys_matches_a_loop():
    keys = mx.random.split(mx.random.key(5), 4)
    out = mx.vmap(lambda k: mx.random.normal(shape=(3,), key=k))(keys)
    loop = np.stack([np.array(mx.random.normal(shape=(3,), key=keys[i])) for i in range(4)])
    np.testing.assert_allclose(np.array(out), loop, rtol=1e-6)


def test_gradient_through_samples():
    # Reparameterised: d/dloc of sum(normal(loc=loc)) is the count.
    k = mx.random.key(1)
    g = mx.grad(lambda loc: mx.random.normal(shape=(5,), loc=loc, key=k).sum())(mx.array(0.0))
    assert math.isclose(g.item(), 5.0)


def test_bad_input():
    k = mx.random.key(0)
    with pytest.raises(ValueError, match="shape"):
        mx.random.uniform(shape=(2,), key=mx.array([1, 2, 3], dtype=mx.uint32))
    with pytest.raises(ValueError, match="uint32"):
        mx.random.uniform(shape=(2,), key=mx.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="floating"):
        mx.random.uniform(shape=(2,), dtype=mx.int32, key=k)
    with pytest.raises(ValueError, match="floating"):
        mx.random.normal(shape=(2,), dtype=mx.int32, key=k)
    assert mx.random.normal(shape=(2,), dtype=mx.complex64, key=k).dtype == mx.complex64
    with pytest.raises(ValueError, match="integer"):
        mx.random.randint(0, 5, shape=(2,), dtype=mx.float32, key=k)
    with pytest.raises(ValueError, match="broadcast"):
        mx.random.uniform(mx.zeros((3,)), 1, shape=(2,), key=k)
    with pytest.raises(ValueError, match="broadcast"):
        mx.random.uniform(mx.zeros((3,)), 1, key=k)
    with pytest.raises(ValueError, match="at most one"):
        mx.random.categorical(mx.zeros((3,)), shape=(2,), num_samples=2, key=k)
    with pytest.raises(ValueError):
        mx.random.categorical(mx.zeros((3,)), axis=2, key=k)
    with pytest.raises(ValueError, match="shape"):
        mx.random.split(mx.zeros((2, 2), dtype=mx.uint32))
    with pytest.raises((OverflowError, TypeError)):
        mx.random.key(-1)
