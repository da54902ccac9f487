#!/usr/bin/env python3
"""CPU benchmarks: rmlx against NumPy, in one run on this machine.

Runs the rmlx benchmark binary (`--rmlx PATH`, which prints one JSON object
per line), then the same benchmarks in NumPy in this process (same sizes,
random float32 inputs, same byte and FLOP counting, same method: 2 warm-up
runs, then the median of the timed repeats), and prints a Markdown table with
the ratios and targets, plus the machine, the date and the NumPy version.

    python benchmarks/run_cpu.py --rmlx target/release/cpu_bench [--quick] [--out FILE]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

WARMUP = 2
REPEATS = 9
QUICK_REPEATS = 3

N_ELEMWISE = 1 << 24
ROWS = COLS = 4096
CHAIN = 100_000
TAKE = (32768, 65536, 512)  # table rows, gathered rows, row length
SORT_N = 1 << 22

# name -> (label, metric, target). A target is ("ratio", x): rmlx/NumPy >= x
# for throughput; or ("max_us", x): rmlx's own us/op below x. None: no target.
BENCHMARKS = [
    ("add", "a+b, 2^24 f32", "GB/s", ("ratio", 1.0)),
    ("exp", "exp(a), 2^24 f32", "GB/s", ("ratio", 2.0)),
    ("mul_add", "a*b+c, 2^24 f32", "GB/s", ("ratio", 1.0)),
    ("sum_last_axis", "sum(axis=-1), 4096x4096 f32", "GB/s", ("ratio", 1.0)),
    ("softmax_last_axis", "softmax(axis=-1), 4096x4096 f32", "GB/s", ("ratio", 2.0)),
    ("matmul_1024", "matmul 1024^3 f32", "GFLOP/s", ("ratio", 0.95)),
    ("matmul_2048", "matmul 2048^3 f32", "GFLOP/s", ("ratio", 0.95)),
    ("graph_build", "graph overhead: build (100k x+1)", "us/op", None),
    ("graph_eval", "graph overhead: eval (100k x+1)", "us/op", None),
    ("graph_total", "graph overhead: build+eval (100k x+1)", "us/op", ("max_us", 1.0)),
    ("take_rows", "take 65536 rows of 512 f32 from a 32768-row table", "GB/s", ("ratio", 1.0)),
    ("sort", "sort 2^22 f32", "GB/s", ("ratio", 1.0)),
    ("cumsum_last_axis", "cumsum(axis=-1), 4096x4096 f32", "GB/s", ("ratio", 1.0)),
]


def median_time(fn, repeats):
    """Median seconds of fn() after WARMUP untimed calls; results are freed untimed."""
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = fn()
        times.append(time.perf_counter() - t0)
        del y
    return statistics.median(times)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def numpy_benchmarks(repeats):
    """Same benchmarks as cpu_bench.rs, in NumPy: {name: value}."""
    rng = np.random.default_rng(0)

    def rand(*shape):
        return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)

    out = {}
    n = N_ELEMWISE
    a, b, c = rand(n), rand(n), rand(n)
    nbytes = 4 * n
    out["add"] = 3 * nbytes / median_time(lambda: a + b, repeats) / 1e9
    out["exp"] = 2 * nbytes / median_time(lambda: np.exp(a), repeats) / 1e9
    out["mul_add"] = 4 * nbytes / median_time(lambda: a * b + c, repeats) / 1e9
    del a, b, c

    x = rand(ROWS, COLS)
    nbytes = 4 * ROWS * COLS
    out["sum_last_axis"] = nbytes / median_time(lambda: x.sum(-1), repeats) / 1e9
    out["softmax_last_axis"] = 2 * nbytes / median_time(lambda: softmax(x), repeats) / 1e9
    del x

    for size in (1024, 2048):
        p, q = rand(size, size), rand(size, size)
        out[f"matmul_{size}"] = 2 * size**3 / median_time(lambda: p @ q, repeats) / 1e9
        del p, q

    # Graph overhead: a Python loop of x = x + 1.0 on a one-element array.
    x0 = rand(1)

    def chain():
        x = x0
        for _ in range(CHAIN):
            x = x + 1.0
        return x

    assert chain().dtype == np.float32
    out["graph_total"] = median_time(chain, repeats) * 1e6 / CHAIN

    t, m, d = TAKE
    table = rand(t, d)
    idx = rng.integers(0, t, m)
    out["take_rows"] = (2 * 4 * m * d + 8 * m) / median_time(lambda: np.take(table, idx, axis=0), repeats) / 1e9
    del table
    x = rand(SORT_N)
    out["sort"] = 2 * 4 * SORT_N / median_time(lambda: np.sort(x), repeats) / 1e9
    x = rand(ROWS, COLS)
    out["cumsum_last_axis"] = 2 * 4 * ROWS * COLS / median_time(lambda: np.cumsum(x, axis=-1), repeats) / 1e9
    return out


def run_rmlx(path, quick):
    cmd = [path] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed with exit status {proc.returncode}")
    results = {}
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line:
            r = json.loads(line)
            results[r["name"]] = (r["metric"], float(r["value"]))
    return results


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:
        return "unknown"


def fmt_target(t):
    s = f"{t:.2f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def fmt(v):
    if v is None:
        return "—"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def table(rmlx, numpy):
    lines = [
        "| benchmark | rmlx | NumPy | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for name, label, metric, target in BENCHMARKS:
        r = rmlx.get(name)
        if r is not None and r[0] != metric:
            sys.exit(f"{name}: rmlx reports {r[0]}, expected {metric}")
        rv = r[1] if r else None
        nv = numpy.get(name)
        ratio = None
        if rv is not None and nv is not None and rv > 0 and nv > 0:
            ratio = nv / rv if metric == "us/op" else rv / nv
        if target is None:
            tgt = "—"
        elif target[0] == "ratio":
            met = ratio is not None and ratio >= target[1]
            tgt = f"≥ {fmt_target(target[1])} {'✓' if met else '✗'}"
        else:
            met = rv is not None and rv < target[1]
            tgt = f"< {fmt_target(target[1])} us/op {'✓' if met else '✗'}"
        ratio_s = "—" if ratio is None else f"{ratio:.2f}"
        lines.append(f"| {label} ({metric}) | {fmt(rv)} | {fmt(nv)} | {ratio_s} | {tgt} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rmlx", required=True, help="path to the cpu_bench binary")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test, not a measurement)")
    ap.add_argument("--out", help="also write the report (Markdown) to this file")
    args = ap.parse_args()

    repeats = QUICK_REPEATS if args.quick else REPEATS
    print(f"running {args.rmlx}{' --quick' if args.quick else ''} ...", file=sys.stderr, flush=True)
    rmlx = run_rmlx(args.rmlx, args.quick)
    print("running NumPy ...", file=sys.stderr, flush=True)
    numpy = numpy_benchmarks(repeats)

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    facts = [
        f"- machine: {cpu_model()}, {os.cpu_count()} logical cores ({affinity} usable by this process)",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- NumPy {np.__version__} (BLAS: {blas_name()}), Python {platform.python_version()}",
        f"- method: {WARMUP} warm-up runs, median of {repeats} timed runs"
        + (" (--quick: not a measurement)" if args.quick else ""),
        "- ratio: rmlx/NumPy for GB/s and GFLOP/s, NumPy/rmlx for us/op; above 1 means rmlx is faster",
    ]
    report = "\n".join(facts) + "\n\n" + table(rmlx, numpy) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
