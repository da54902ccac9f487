"""Randomised calls of the public API with valid and invalid arguments, in a
child process: any Python exception is fine, a crash (segfault, abort,
hang) fails. Bounded in time (RMLX_FUZZ_SECONDS, 60 by default)."""

import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    r'''
    import inspect, math, random, sys, time
    import numpy as np
    import rmlx.core as mx

    seed, budget, log = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    # Left out: what writes files, changes process-wide settings or blocks by design.
    SKIP = ("save", "load", "export", "import", "set_", "metal", "distributed", "cuda", "clear_cache",
            "reset_peak", "new_stream", "stream", "synchronize", "disable_compile", "enable_compile")
    funcs = []
    for mod, prefix in ((mx, "mx."), (mx.random, "mx.random.")):
        for name in dir(mod):
            f = getattr(mod, name)
            if name.startswith("_") or inspect.isclass(f) or not callable(f):
                continue
            if any(s in name for s in SKIP):
                continue
            funcs.append((prefix + name, f))
    dtypes = [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.int64, mx.uint8, mx.uint64, mx.bool_, mx.complex64, mx.int8]

    def shape():
        return tuple(rng.choice([0, 1, 2, 3, 4]) for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])))

    def array():
        s = shape()
        dt = rng.choice(dtypes)
        v = np.random.default_rng(rng.randrange(1 << 30)).standard_normal(s) * rng.choice([1, 3, 1e3])
        if rng.random() < 0.1 and v.size:
            v.flat[0] = rng.choice([np.nan, np.inf, -np.inf])
        a = mx.array(v.astype(np.float32))
        try:
            a = a.astype(dt)
        except Exception:
            pass
        if rng.random() < 0.2 and a.ndim >= 2:
            a = a.T
        if rng.random() < 0.1 and a.ndim >= 1 and a.shape[0] > 1:
            a = a[::-1]
        return a

    def value(depth=0):
        r = rng.random()
        if r < 0.35:
            return array()
        if r < 0.5:
            return rng.choice([-3, -2, -1, 0, 1, 2, 3, 5, 2**31, -2**40, 2**70])
        if r < 0.58:
            return rng.choice([0.5, -1.5, math.nan, math.inf, 1e308, 0.0])
        if r < 0.66:
            return shape()
        if r < 0.72 and depth < 2:
            return [value(depth + 1) for _ in range(rng.randrange(3))]
        if r < 0.78:
            return rng.choice([None, True, False, "a", "constant", "edge", b"xy", 1j, {}, object()])
        if r < 0.84:
            return rng.choice(dtypes)
        if r < 0.9:
            return mx.random.key(rng.randrange(100))
        return rng.choice([(0, 1), (-1,), [0, 0], (1, -1), slice(None)])

    def call(name, f, args, kwargs):
        with open(log, "w") as fh:
            fh.write(f"{name} args={args!r} kwargs={kwargs!r}\n")
        try:
            r = f(*args, **kwargs)
            if isinstance(r, mx.array):
                if r.size <= 10_000:
                    mx.eval(r)
                    repr(r)
            elif isinstance(r, (list, tuple)):
                mx.eval([x for x in r if isinstance(x, mx.array) and x.size <= 10_000])
        except Exception:
            pass

    start, n = time.time(), 0
    names = ["axis", "axes", "keepdims", "dtype", "shape", "k", "key", "stream", "decimals", "reverse", "inclusive", "offset"]
    while time.time() - start < budget:
        n += 1
        if rng.random() < 0.8:
            name, f = rng.choice(funcs)
            args = [value() for _ in range(rng.randrange(5))]
            kwargs = {rng.choice(names): value() for _ in range(rng.randrange(3))}
            kwargs.pop("stream", None) if rng.random() < 0.7 else None
            call(name, f, args, kwargs)
        else:
            a = array()
            meths = [m for m in dir(a) if not m.startswith("__") or m in ("__getitem__", "__setitem__", "__add__", "__matmul__", "__pow__", "__eq__", "__truediv__", "__floordiv__", "__mod__", "__lshift__")]
            m = rng.choice(meths)
            try:
                attr = getattr(a, m)  # properties (a.mT of a 1-d array) may raise
            except Exception:
                continue
            if callable(attr):
                call("array." + m, attr, [value() for _ in range(rng.randrange(3))], {})
    print(f"{n} calls", flush=True)
    '''
)


def test_random_calls_never_crash(tmp_path):
    budget = float(os.environ.get("RMLX_FUZZ_SECONDS", "60"))
    seed = int(os.environ.get("RMLX_FUZZ_SEED", "0")) or (os.getpid() * 7919) % 100_000 + 1
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log = tmp_path / "last_call.txt"
    env = dict(os.environ)
    try:
        p = subprocess.run(
            [sys.executable, str(script), str(seed), str(budget), str(log)],
            capture_output=True, text=True, timeout=budget + 120, env=env,
        )
    except subprocess.TimeoutExpired:
        last = log.read_text() if log.exists() else "?"
        raise AssertionError(f"the random calls hung (seed {seed}); last call: {last}")
    last = log.read_text() if log.exists() else "?"
    assert p.returncode == 0, f"crash with exit code {p.returncode} (seed {seed}); last call: {last}\n{p.stderr[-3000:]}"
    assert "calls" in p.stdout
