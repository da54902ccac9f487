#!/usr/bin/env python3
"""GPU benchmarks: rmlx against PyTorch, in one run on this machine's GPU 0.

Runs the rmlx benchmark binary first (`--rmlx PATH`, which prints one JSON
object per line; run with RMLX_ENABLE_TF32=1 so that its float32 matmuls use
TF32), then the same benchmarks in PyTorch in this process (same sizes, random
inputs in [-1, 1), same byte and FLOP counting, same method: 3 warm-up runs,
then the median wall time of the timed runs, each from an idle GPU to
torch.cuda.synchronize() after the op), and prints a Markdown table with the
ratios and the issue's targets, plus the GPU, the date and the versions.

    python3 benchmarks/run_gpu.py --rmlx target/release/gpu_bench [--quick] [--out FILE] [--only PATTERN]

If the binary fails, its stderr is shown, whatever it printed before failing
is still used, the PyTorch numbers are still printed, and the exit status is 1.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

import torch

WARMUP = 3
QUICK_REPEATS = 3
BANDWIDTH_REPEATS = 20
MATMUL_REPEATS = 20
BIG_MATMUL = 8192
BIG_MATMUL_REPEATS = 10
DECODE_REPEATS = 50
CHAIN_REPEATS = 10

# The sizes (gpu_bench.rs uses the same).
N_ELEMWISE = 1 << 28
SUM_SHAPE = (8192, 32768)
SOFTMAX_SHAPE = (4096, 32768)
MATMUL_SIZES = (4096, 8192)
DECODE_K, DECODE_N = 4096, 14336
CHAIN_LEN, CHAIN_ITERS = 1024, 1000
TRAIN_REPEATS = 20
MLP = (4096, 1024, 4096, 1024)  # batch, in, hidden, out
PER_EXAMPLE = (256, 1024)  # batch, features of the square linear layer
GATHER = (131072, 1 << 20, 4096)  # table rows, gathered rows, row length (bf16)
SORT_N = 1 << 24
CUMSUM_SHAPE = (4096, 32768)
NORMAL_N = 1 << 28
CONV = (64, 56, 256)  # batch, height = width, channels in = out (3x3, padding 1)

# name -> (label, metric, target). A target is ("ratio", x): rmlx/PyTorch >= x
# for throughput; or ("max_us", x): rmlx's own us/op at most x.
BENCHMARKS = [
    ("add_f32", "a+b, 2^28 f32", "GB/s", ("ratio", 0.97)),
    ("add_bf16", "a+b, 2^28 bf16", "GB/s", ("ratio", 0.97)),
    ("exp_f32", "exp(a), 2^28 f32", "GB/s", ("ratio", 0.97)),
    ("exp_bf16", "exp(a), 2^28 bf16", "GB/s", ("ratio", 0.97)),
    ("mul_add_f32", "a*b+c, 2^28 f32", "GB/s", ("ratio", 0.97)),
    ("mul_add_bf16", "a*b+c, 2^28 bf16", "GB/s", ("ratio", 0.97)),
    ("sum_last_axis_f32", "sum(axis=-1), 8192x32768 f32", "GB/s", ("ratio", 0.97)),
    ("sum_first_axis_f32", "sum(axis=0), 8192x32768 f32", "GB/s", ("ratio", 0.97)),
    ("softmax_last_axis_f32", "softmax(axis=-1), 4096x32768 f32", "GB/s", ("ratio", 1.5)),
    ("matmul_4096_bf16", "matmul 4096^3 bf16", "TFLOP/s", ("ratio", 0.97)),
    ("matmul_4096_tf32", "matmul 4096^3 f32 (TF32)", "TFLOP/s", ("ratio", 0.97)),
    ("matmul_8192_bf16", "matmul 8192^3 bf16", "TFLOP/s", ("ratio", 0.97)),
    ("matmul_8192_tf32", "matmul 8192^3 f32 (TF32)", "TFLOP/s", ("ratio", 0.97)),
    ("decode_gemv_bf16", "decode (1x4096) @ (4096x14336) bf16, weight bytes", "GB/s", ("ratio", 0.97)),
    ("launch_chain_f32", "launch chain: 2,000 tiny ops (x*1.0001+0.5, 1024 f32)", "us/op", ("max_us", 3.0)),
    # The same chain with eager fusion off: one kernel per op (for reference, no target).
    ("launch_chain_f32_unfused", "launch chain, RMLX_FUSE=0 (a kernel per op)", "us/op", ("none", 0)),
    # Issue 7: one eager training step (PyTorch: autograd + in-place SGD), and
    # per-example gradients (PyTorch: torch.func.vmap(torch.func.grad)).
    ("mlp_train_step_f32", "MLP step 1024->4096->1024, batch 4096, f32 TF32", "us/op", ("ratio", 1.0)),
    ("per_example_grads_f32", "per-example grads, vmap(grad), 1024x1024 linear, batch 256", "us/op", ("ratio", 1.0)),
    # Issue 5 (PyTorch: index_select, index_add (out of place), sort (values
    # and indices), cumsum, randn).
    ("take_rows_bf16", "take 1M rows of 4096 bf16 from a 128k-row table", "GB/s", ("ratio", 0.95)),
    ("scatter_add_rows_bf16", "scatter-add 1M rows of 4096 bf16 into a 128k-row table", "GB/s", ("ratio", 0.9)),
    ("sort_f32", "sort 2^24 f32", "GB/s", ("ratio", 0.9)),
    ("cumsum_last_axis_f32", "cumsum(axis=-1), 4096x32768 f32", "GB/s", ("ratio", 0.9)),
    ("random_normal_f32", "random.normal 2^28 f32", "GB/s", ("ratio", 0.9)),
    # PyTorch: F.conv2d on channels_last bf16 tensors (cuDNN, benchmark mode).
    ("conv2d_3x3_bf16", "conv2d ResNet 3x3, N=64 C=K=256 56x56 bf16 NHWC", "TFLOP/s", ("ratio", 0.8)),
]


class Runner:
    def __init__(self, quick, only):
        self.quick = quick
        self.only = only or []
        self.results = {}  # name -> (metric, value, median ms)

    def wants(self, name):
        return not self.only or any(p in name for p in self.only)

    def repeats(self, full):
        return min(QUICK_REPEATS, full) if self.quick else full

    def run(self, name, metric, work, repeats, fn):
        """Median seconds of fn(i) + synchronize, after WARMUP untimed calls.

        `i` counts the calls (warm-up from 0, then timed from 0), so fn can
        alternate between input sets, as the rmlx binary does. `work` is bytes
        (GB/s), FLOPs (TFLOP/s) or ops (us/op) per call.
        """
        if not self.wants(name):
            return
        print(f"  {name}", file=sys.stderr, flush=True)
        for i in range(WARMUP):
            y = fn(i)
            del y
        times = []
        for i in range(self.repeats(repeats)):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            y = fn(i)
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
            del y  # freed outside the timed region
        t = statistics.median(times)
        if metric == "GB/s":
            value = work / t / 1e9
        elif metric == "TFLOP/s":
            value = work / t / 1e12
        else:
            value = t * 1e6 / work
        self.results[name] = (metric, value, t * 1e3)


def free():
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


def torch_benchmarks(r):
    """Same benchmarks as gpu_bench.rs, in PyTorch; fills r.results."""
    dev = torch.device("cuda", 0)
    gen = torch.Generator(device=dev)
    gen.manual_seed(0)

    def rand(*shape, dtype=torch.float32):
        x = torch.rand(*shape, device=dev, generator=gen).mul_(2).sub_(1)  # uniform in [-1, 1)
        return x if dtype == torch.float32 else x.to(dtype)

    # Elementwise: bytes = inputs read + output written.
    n = N_ELEMWISE
    for tag, dtype in (("f32", torch.float32), ("bf16", torch.bfloat16)):
        names = [f"{op}_{tag}" for op in ("add", "exp", "mul_add")]
        if not any(r.wants(x) for x in names):
            continue
        print(f"elementwise {tag}: {n} elements", file=sys.stderr, flush=True)
        a, b, c = rand(n, dtype=dtype), rand(n, dtype=dtype), rand(n, dtype=dtype)
        size = a.element_size() * n
        r.run(f"add_{tag}", "GB/s", 3 * size, BANDWIDTH_REPEATS, lambda i: a + b)
        r.run(f"exp_{tag}", "GB/s", 2 * size, BANDWIDTH_REPEATS, lambda i: torch.exp(a))
        r.run(f"mul_add_{tag}", "GB/s", 4 * size, BANDWIDTH_REPEATS, lambda i: a * b + c)
        del a, b, c
        free()

    # Sum: bytes = input read + output written.
    rows, cols = SUM_SHAPE
    if r.wants("sum_last_axis_f32") or r.wants("sum_first_axis_f32"):
        print(f"sum: {rows} x {cols}", file=sys.stderr, flush=True)
        x = rand(rows, cols)
        r.run("sum_last_axis_f32", "GB/s", 4 * (rows * cols + rows), BANDWIDTH_REPEATS, lambda i: x.sum(dim=-1))
        r.run("sum_first_axis_f32", "GB/s", 4 * (rows * cols + cols), BANDWIDTH_REPEATS, lambda i: x.sum(dim=0))
        del x
        free()

    # Softmax: bytes = one read + one write.
    rows, cols = SOFTMAX_SHAPE
    if r.wants("softmax_last_axis_f32"):
        print(f"softmax: {rows} x {cols}", file=sys.stderr, flush=True)
        x = rand(rows, cols)
        r.run(
            "softmax_last_axis_f32", "GB/s", 2 * 4 * rows * cols, BANDWIDTH_REPEATS, lambda i: torch.softmax(x, dim=-1)
        )
        del x
        free()

    # Matmul: 2*n^3 FLOPs; two input sets, alternating, as in the rmlx binary.
    for n in MATMUL_SIZES:
        repeats = BIG_MATMUL_REPEATS if n >= BIG_MATMUL else MATMUL_REPEATS
        if r.wants(f"matmul_{n}_tf32"):
            print(f"matmul: {n}^3 f32 (TF32)", file=sys.stderr, flush=True)
            xs, ys = [rand(n, n), rand(n, n)], [rand(n, n), rand(n, n)]
            old = torch.backends.cuda.matmul.allow_tf32
            torch.backends.cuda.matmul.allow_tf32 = True
            try:
                r.run(f"matmul_{n}_tf32", "TFLOP/s", 2 * n**3, repeats, lambda i: xs[i % 2] @ ys[i % 2])
            finally:
                torch.backends.cuda.matmul.allow_tf32 = old
            del xs, ys
            free()
        if r.wants(f"matmul_{n}_bf16"):
            print(f"matmul: {n}^3 bf16", file=sys.stderr, flush=True)
            bf = torch.bfloat16
            xs, ys = [rand(n, n, dtype=bf), rand(n, n, dtype=bf)], [rand(n, n, dtype=bf), rand(n, n, dtype=bf)]
            r.run(f"matmul_{n}_bf16", "TFLOP/s", 2 * n**3, repeats, lambda i: xs[i % 2] @ ys[i % 2])
            del xs, ys
            free()

    # Decode: GB/s of the weight matrix; two input sets so the weights leave L2.
    if r.wants("decode_gemv_bf16"):
        k, n = DECODE_K, DECODE_N
        print(f"decode: (1 x {k}) @ ({k} x {n})", file=sys.stderr, flush=True)
        bf = torch.bfloat16
        xs = [rand(1, k, dtype=bf), rand(1, k, dtype=bf)]
        ws = [rand(k, n, dtype=bf), rand(k, n, dtype=bf)]
        r.run("decode_gemv_bf16", "GB/s", k * n * 2, DECODE_REPEATS, lambda i: xs[i % 2] @ ws[i % 2])
        del xs, ws
        free()

    # Launch chain: eager x = x * 1.0001 + 0.5, synchronized at the end.
    if r.wants("launch_chain_f32"):
        print(f"launch chain: {CHAIN_ITERS} x (x * 1.0001 + 0.5) on {CHAIN_LEN} f32", file=sys.stderr, flush=True)
        x0 = rand(CHAIN_LEN)

        def chain(i):
            x = x0
            for _ in range(CHAIN_ITERS):
                x = x * 1.0001 + 0.5
            return x

        r.run("launch_chain_f32", "us/op", 2 * CHAIN_ITERS, CHAIN_REPEATS, chain)
        del x0
        free()

    old_tf32 = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        # One eager training step: forward, backward, SGD (parameters updated in place).
        if r.wants("mlp_train_step_f32"):
            batch, din, hidden, dout = MLP
            print(f"training: MLP {din} -> {hidden} -> {dout}, batch {batch}", file=sys.stderr, flush=True)
            x, t = rand(batch, din), rand(batch, dout)
            params = [
                (rand(din, hidden) / din**0.5).requires_grad_(),
                torch.zeros(hidden, device=dev, requires_grad=True),
                (rand(hidden, dout) / hidden**0.5).requires_grad_(),
                torch.zeros(dout, device=dev, requires_grad=True),
            ]

            def step(i):
                w1, b1, w2, b2 = params
                y = torch.relu(x @ w1 + b1) @ w2 + b2
                loss = ((y - t) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    for p in params:
                        p -= 0.05 * p.grad
                        p.grad = None
                return loss

            r.run("mlp_train_step_f32", "us/op", 1, TRAIN_REPEATS, step)
            del x, t, params
            free()

        # Per-example gradients of mean((W x - y)^2) with respect to W.
        if r.wants("per_example_grads_f32"):
            b, n = PER_EXAMPLE
            print(f"training: per-example gradients of a {n} x {n} linear layer, batch {b}", file=sys.stderr, flush=True)
            w, xs, ys = rand(n, n), rand(b, n), rand(b, n)

            def loss(w, x, y):
                return ((w @ x - y) ** 2).mean()

            per_example = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))
            r.run("per_example_grads_f32", "us/op", 1, TRAIN_REPEATS, lambda i: per_example(w, xs, ys))
            del w, xs, ys
            free()
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old_tf32

    # Issue 5: gathers and scatters of embedding rows, sort, cumsum, randn.
    t, m, d = GATHER
    if r.wants("take_rows_bf16") or r.wants("scatter_add_rows_bf16"):
        print(f"gather: {m} rows of {d} bf16 from a {t}-row table", file=sys.stderr, flush=True)
        table = rand(t, d, dtype=torch.bfloat16)
        idx = torch.randint(0, t, (m,), device=dev, generator=gen)
        r.run("take_rows_bf16", "GB/s", 2 * 2 * m * d + 8 * m, BANDWIDTH_REPEATS,
              lambda i: torch.index_select(table, 0, idx))
        upd = rand(m, d, dtype=torch.bfloat16)
        r.run("scatter_add_rows_bf16", "GB/s", 2 * 2 * m * d + 2 * 2 * t * d + 8 * m, BANDWIDTH_REPEATS,
              lambda i: table.index_add(0, idx, upd))
        del table, idx, upd
        free()
    if r.wants("sort_f32"):
        print(f"sort: {SORT_N} float32 keys", file=sys.stderr, flush=True)
        x = rand(SORT_N)
        r.run("sort_f32", "GB/s", 2 * 4 * SORT_N, BANDWIDTH_REPEATS, lambda i: torch.sort(x))
        del x
        free()
    if r.wants("cumsum_last_axis_f32"):
        rows, cols = CUMSUM_SHAPE
        print(f"cumsum: {rows} x {cols}", file=sys.stderr, flush=True)
        x = rand(rows, cols)
        r.run("cumsum_last_axis_f32", "GB/s", 2 * 4 * rows * cols, BANDWIDTH_REPEATS, lambda i: torch.cumsum(x, dim=-1))
        del x
        free()
    if r.wants("random_normal_f32"):
        print(f"random.normal: {NORMAL_N} float32", file=sys.stderr, flush=True)
        r.run("random_normal_f32", "GB/s", 4 * NORMAL_N, BANDWIDTH_REPEATS,
              lambda i: torch.randn(NORMAL_N, device=dev, generator=gen))
        free()
    if r.wants("conv2d_3x3_bf16"):
        n, hw, c = CONV
        print(f"conv2d: N={n}, {hw}x{hw}, C=K={c}, 3x3, bf16 channels_last", file=sys.stderr, flush=True)
        old_bench = torch.backends.cudnn.benchmark
        torch.backends.cudnn.benchmark = True
        try:
            x = rand(n, c, hw, hw, dtype=torch.bfloat16).contiguous(memory_format=torch.channels_last)
            w = (rand(c, c, 3, 3) * 0.05).to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
            r.run("conv2d_3x3_bf16", "TFLOP/s", 2 * n * hw * hw * c * c * 9, MATMUL_REPEATS,
                  lambda i: torch.nn.functional.conv2d(x, w, padding=1))
            del x, w
            free()
        finally:
            torch.backends.cudnn.benchmark = old_bench


def run_rmlx(path, quick, only, timeout, extra_env=None):
    """Runs the binary; returns ({name: (metric, value, ms)}, error or None, its stderr).

    Its stderr (progress) is passed through as it comes and kept, to show
    again if it fails; rows printed before a failure are kept.
    """
    cmd = [path] + (["--quick"] if quick else [])
    for p in only or []:
        cmd += ["--only", p]
    env = dict(os.environ, RMLX_ENABLE_TF32="1", **(extra_env or {}))
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    except OSError as e:
        return {}, f"cannot start {path}: {e}", ""
    err_lines = []

    def tee():
        for line in proc.stderr:
            err_lines.append(line)
            sys.stderr.write(line)
            sys.stderr.flush()

    t = threading.Thread(target=tee, daemon=True)
    t.start()
    results, error = {}, None
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        for line in proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                results[row["name"]] = (row["metric"], float(row["value"]), float(row["ms"]))
            except (ValueError, KeyError, TypeError) as e:
                print(f"ignoring a line from {path} ({e}): {line}", file=sys.stderr)
        rc = proc.wait()
    finally:
        killer.cancel()
    t.join()
    if rc != 0:
        error = f"{' '.join(cmd)} exited with status {rc}" + (" (killed: timeout)" if rc == -9 else "")
    return results, error, "".join(err_lines)


def median_rounds(rounds):
    """{name: (metric, median value, median ms)} over the rounds that have the
    name, and {name: (min, max)} of the values."""
    out, spread = {}, {}
    for name in {n for res in rounds for n in res}:
        rows = [res[name] for res in rounds if name in res]
        vals = [v for _, v, _ in rows]
        out[name] = (rows[0][0], statistics.median(vals), statistics.median(ms for _, _, ms in rows))
        spread[name] = (min(vals), max(vals))
    return out, spread


def fmt_target(t):
    s = f"{t:.2f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def fmt(v):
    if v is None:
        return "—"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def table(rmlx, pt, only):
    lines = [
        "| benchmark | rmlx | PyTorch | ratio | target | pass |",
        "|---|---|---|---|---|---|",
    ]
    passed = failed = 0
    for name, label, metric, target in BENCHMARKS:
        if only and not any(p in name for p in only):
            continue
        r, p = rmlx.get(name), pt.get(name.removesuffix("_unfused"))
        note = ""
        if r is not None and r[0] != metric:
            note = f" (rmlx reports {r[0]}, expected {metric}: not compared)"
            r = None
        rv = r[1] if r else None
        pv = p[1] if p else None
        ratio = None
        if rv is not None and pv is not None and rv > 0 and pv > 0:
            ratio = pv / rv if metric == "us/op" else rv / pv
        if target[0] == "ratio":
            tgt = f"≥ {fmt_target(target[1])}"
            met = None if ratio is None else ratio >= target[1]
        elif target[0] == "none":
            tgt, met = "—", None
        else:
            tgt = f"≤ {fmt_target(target[1])} us/op"
            met = None if rv is None else rv <= target[1]
        if met is None:
            verdict = "—"
        else:
            verdict = "pass" if met else "fail"
            passed += met
            failed += not met
        ratio_s = "—" if ratio is None else f"{ratio:.2f}"
        lines.append(f"| {label} ({metric}){note} | {fmt(rv)} | {fmt(pv)} | {ratio_s} | {tgt} | {verdict} |")
    return "\n".join(lines), passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rmlx", required=True, help="path to the gpu_bench binary")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test, not a measurement)")
    ap.add_argument("--out", help="also write the report (Markdown) to this file")
    ap.add_argument(
        "--only", action="append", metavar="PATTERN", help="only benchmarks whose name contains PATTERN (repeatable)"
    )
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before the rmlx binary is killed")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of rmlx and PyTorch (median over them)")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("PyTorch sees no CUDA GPU")

    # Rounds: rmlx (its own process), then PyTorch (this process, its cache
    # emptied after each benchmark), again and again; each side's figure is
    # the median over the rounds, so that a slow spell of the machine does
    # not fall on one side only.
    rounds_rmlx, rounds_pt = [], []
    error, stderr = None, ""
    for k in range(args.rounds):
        print(f"round {k + 1}/{args.rounds}: {args.rmlx} (RMLX_ENABLE_TF32=1) ...", file=sys.stderr, flush=True)
        res, err, se = run_rmlx(args.rmlx, args.quick, args.only, args.timeout)
        if k == 0 and (not args.only or any(p in "launch_chain_f32" for p in args.only)):
            print("the launch chain again with RMLX_FUSE=0 ...", file=sys.stderr, flush=True)
            unfused, _, _ = run_rmlx(args.rmlx, args.quick, ["launch_chain"], args.timeout, {"RMLX_FUSE": "0"})
            if "launch_chain_f32" in unfused:
                res["launch_chain_f32_unfused"] = unfused["launch_chain_f32"]
        rounds_rmlx.append(res)
        if err:
            error, stderr = err, se
        print(f"round {k + 1}/{args.rounds}: PyTorch ...", file=sys.stderr, flush=True)
        r = Runner(args.quick, args.only)
        torch_benchmarks(r)
        rounds_pt.append(r.results)
        if error:
            break
    rmlx, spread = median_rounds(rounds_rmlx)
    r.results, spread_pt = median_rounds(rounds_pt)

    props = torch.cuda.get_device_properties(0)
    facts = [
        f"- GPU: {torch.cuda.get_device_name(0)} ({props.total_memory / 2**30:.0f} GiB), host: {platform.node()}",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- PyTorch {torch.__version__} (CUDA {torch.version.cuda}), Python {platform.python_version()}",
        f"- rmlx: {args.rmlx}, run with RMLX_ENABLE_TF32=1; PyTorch f32 matmuls with allow_tf32 = True",
        f"- method: random inputs in [-1, 1); {WARMUP} warm-up runs, median wall time (op issued to GPU idle) of "
        + (
            f"{QUICK_REPEATS} timed runs (--quick: not a measurement)"
            if args.quick
            else f"{BANDWIDTH_REPEATS} (elementwise, sum, softmax), {MATMUL_REPEATS} / {BIG_MATMUL_REPEATS} "
            f"(matmul 4096 / 8192), {DECODE_REPEATS} (decode), {CHAIN_REPEATS} (launch chain) timed runs"
        ),
        f"- rounds: {args.rounds}, alternating rmlx and PyTorch; each figure is the median over the rounds",
        "- bytes: inputs read + output written (decode: the weight matrix only); FLOPs: 2·M·N·K",
        "- ratio: rmlx/PyTorch for GB/s and TFLOP/s, PyTorch/rmlx for us/op; above 1 means rmlx is faster",
    ]
    tbl, passed, failed = table(rmlx, r.results, args.only)
    report = "\n".join(facts) + "\n\n" + tbl + "\n"
    if args.rounds > 1:
        lines = ["", "Spread over the rounds (min–max), rmlx / PyTorch:", ""]
        for name, _, metric, _ in BENCHMARKS:
            if name in spread:
                a = spread[name]
                b = spread_pt.get(name)
                pt_s = f"{fmt(b[0])}–{fmt(b[1])}" if b else "—"
                lines.append(f"- {name}: {fmt(a[0])}–{fmt(a[1])} / {pt_s} {metric}")
        report += "\n".join(lines) + "\n"
    if error:
        report += f"\n**rmlx failed**: {error}; its rows above are those it printed before failing.\n"
    print(report)
    print(f"{passed} targets met, {failed} missed", file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
    if error:
        tail = stderr.splitlines()[-60:]
        print(f"\n{error}. Its stderr (last {len(tail)} lines):", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
