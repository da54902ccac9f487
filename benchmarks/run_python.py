#!/usr/bin/env python3
"""Python-level benchmarks: rmlx against NumPy and MLX's CPU wheel, in one run.

    python3 benchmarks/run_python.py --rmlx-python .venv/bin/python --mlx-python .venv-mlx/bin/python [--out FILE]

Each framework runs benchmarks/bench_python.py in its own interpreter (rmlx
and NumPy in the rmlx virtualenv, MLX in its own), the three one after
another, twice; each figure is the better of the two runs' medians. Prints a
Markdown table with rmlx's ratio to each (above 1: rmlx is faster).
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = [
    ("per_op_overhead", "per-op overhead: 1,000 x (x * 1.0001 + 0.5), one element, built and evaluated", "us/op"),
    ("add_2^22_f32", "a+b, 2^22 float32", "GB/s"),
    ("sum_2^22_f32", "sum, 2^22 float32", "GB/s"),
    ("matmul_1024_f32", "matmul 1024^3 float32", "GFLOP/s"),
]


def run(python, lib):
    out = subprocess.run([python, os.path.join(HERE, "bench_python.py"), lib], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{lib} ({python}) failed:\n{out.stderr}")
    res = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        res[r["name"]] = r["value"]
    return res


def version(python, mod):
    out = subprocess.run([python, "-c", f"import {mod} as m; print(getattr(m, '__version__', '?'))"], capture_output=True, text=True)
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rmlx-python", required=True)
    ap.add_argument("--mlx-python", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    runs = {"rmlx": [], "numpy": [], "mlx": []}
    for _ in range(2):
        runs["rmlx"].append(run(args.rmlx_python, "rmlx"))
        runs["numpy"].append(run(args.rmlx_python, "numpy"))
        runs["mlx"].append(run(args.mlx_python, "mlx"))
    best = {}
    for lib, rs in runs.items():
        best[lib] = {}
        for name, _, metric in ROWS:
            vals = [r[name] for r in rs]
            best[lib][name] = min(vals) if metric == "us/op" else max(vals)
    lines = [
        f"- machine: {platform.node()}, {os.cpu_count()} CPUs; date {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- NumPy {version(args.rmlx_python, 'numpy')}, MLX {version(args.mlx_python, 'mlx.core')} (CPU wheel), rmlx {version(args.rmlx_python, 'rmlx')}",
        "- ratio: rmlx / other for GB/s and GFLOP/s, other / rmlx for us/op (above 1: rmlx is faster)",
        "",
        "| benchmark | rmlx | NumPy | MLX (CPU) | vs NumPy | vs MLX |",
        "|---|---|---|---|---|---|",
    ]
    for name, label, metric in ROWS:
        r, n, m = best["rmlx"][name], best["numpy"][name], best["mlx"][name]
        if metric == "us/op":
            rn, rm = n / r, m / r
        else:
            rn, rm = r / n, r / m
        lines.append(f"| {label} ({metric}) | {r:.3g} | {n:.3g} | {m:.3g} | {rn:.2f} | {rm:.2f} |")
    report = "\n".join(lines)
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report + "\n")


if __name__ == "__main__":
    main()
