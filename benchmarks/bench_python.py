#!/usr/bin/env python3
"""One framework's Python-level benchmarks; prints one JSON object per line.

    python bench_python.py rmlx|mlx|numpy

Run by benchmarks/run_python.py (each framework in its own interpreter).
Method: inputs built and evaluated before timing; 3 warm-up runs, then the
median of the timed runs; each timed run builds the op(s) and evaluates.
"""

import json
import statistics
import sys
import time

import numpy as np

LIB = sys.argv[1]
if LIB == "rmlx":
    import rmlx.core as mx
elif LIB == "mlx":
    import mlx.core as mx
else:
    mx = None

WARMUP, REPEATS = 3, 15
CHAIN = 1000
N = 1 << 22
M = 1024


def ev(x):
    if mx is not None:
        mx.eval(x)
    return x


def timed(fn, repeats=REPEATS):
    for _ in range(WARMUP):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def emit(name, metric, value):
    print(json.dumps({"name": name, "metric": metric, "value": value}), flush=True)


rng = np.random.default_rng(0)
a_np = rng.uniform(-1, 1, N).astype(np.float32)
b_np = rng.uniform(-1, 1, N).astype(np.float32)
m1_np = rng.uniform(-1, 1, (M, M)).astype(np.float32)
m2_np = rng.uniform(-1, 1, (M, M)).astype(np.float32)
x1_np = np.array([0.25], dtype=np.float32)

if mx is not None:
    a, b, m1, m2, x1 = (ev(mx.array(v)) for v in (a_np, b_np, m1_np, m2_np, x1_np))
else:
    a, b, m1, m2, x1 = a_np, b_np, m1_np, m2_np, x1_np


def chain():
    x = x1
    for _ in range(CHAIN):
        x = x * 1.0001 + 0.5
    return ev(x)


t = timed(chain, 9)
emit("per_op_overhead", "us/op", t / (2 * CHAIN) * 1e6)

t = timed(lambda: ev(a + b))
emit("add_2^22_f32", "GB/s", 3 * 4 * N / t / 1e9)

t = timed(lambda: ev(a.sum()))
emit("sum_2^22_f32", "GB/s", 4 * N / t / 1e9)

t = timed(lambda: ev(m1 @ m2), 9)
emit("matmul_1024_f32", "GFLOP/s", 2 * M**3 / t / 1e9)
