#!/usr/bin/env python3
"""The generation-loop idiom through the Python API, on the GPU: a
1x4096 @ 4096x14336 bf16 product (one decoder MLP projection at batch 1)
called in a loop, each result handed to ``mx.async_eval`` (as MLX's
generation loops do), against PyTorch's eager loop in the same process.

    PYTHONPATH=.gpu/py python3 benchmarks/gpu_python_loop.py [--quick]

Method (METHOD.md): warm-up loops first; each timed run is a loop of STEPS
calls ended by a synchronize; the median of the runs. GB/s counts the
weight bytes read per call. Also reports the host time one async_eval call
costs (the loop's Python time per step with the GPU work already queued).
Prints a Markdown table, then one JSON line.
"""

import json
import statistics
import sys
import time

import numpy as np
import torch

import rmlx.core as mx

QUICK = "--quick" in sys.argv
STEPS = 50 if QUICK else 200
RUNS = 5 if QUICK else 11
K, N = 4096, 14336
BYTES = K * N * 2

mx.set_default_device(mx.gpu)
rng = np.random.default_rng(0)
w_np = (rng.standard_normal((K, N)) * 0.02).astype(np.float32)
x_np = rng.standard_normal((1, K)).astype(np.float32)

w = mx.array(w_np).astype(mx.bfloat16)
x = mx.array(x_np).astype(mx.bfloat16)
mx.eval(w, x)


def rmlx_loop():
    y = None
    for _ in range(STEPS):
        y = x @ w
        mx.async_eval(y)
    mx.eval(y)
    mx.synchronize()


tw = torch.from_numpy(w_np).to("cuda", torch.bfloat16)
tx = torch.from_numpy(x_np).to("cuda", torch.bfloat16)


def torch_loop():
    y = None
    for _ in range(STEPS):
        y = tx @ tw
    torch.cuda.synchronize()
    return y


def timed(fn):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) / STEPS


# Same values (bf16 sums may differ in the last bits).
ref = (tx.float() @ tw.float()).cpu().numpy()
got = np.array((x @ w).astype(mx.float32))
err = float(np.max(np.abs(got - ref)) / (np.max(np.abs(ref)) + 1e-9))

t_rmlx = timed(rmlx_loop)
t_torch = timed(torch_loop)

# Host cost of one async_eval: queue STEPS products with the GPU busy, time the Python loop only.
big = [x @ w for _ in range(4)]
mx.eval(*big)
t0 = time.perf_counter()
ys = []
for _ in range(STEPS):
    y = x @ w
    mx.async_eval(y)
    ys.append(y)
host = (time.perf_counter() - t0) / STEPS
mx.eval(*ys)

gbs = lambda t: BYTES / t / 1e9
row = {
    "name": "matvec_async_eval_loop_bf16",
    "rmlx_us": t_rmlx * 1e6,
    "torch_us": t_torch * 1e6,
    "rmlx_GBps": gbs(t_rmlx),
    "torch_GBps": gbs(t_torch),
    "ratio_vs_torch": t_torch / t_rmlx,
    "host_us_per_step": host * 1e6,
    "max_rel_err": err,
}
print("| Python loop (1x4096 @ 4096x14336 bf16, async_eval) | rmlx | PyTorch eager | rmlx/PyTorch | host us/step |")
print("|---|---|---|---|---|")
print(
    f"| {STEPS} steps, median of {RUNS} | {row['rmlx_us']:.1f} us ({row['rmlx_GBps']:.0f} GB/s) | "
    f"{row['torch_us']:.1f} us ({row['torch_GBps']:.0f} GB/s) | {row['ratio_vs_torch']:.2f}x | {row['host_us_per_step']:.1f} |"
)
print(json.dumps(row))
