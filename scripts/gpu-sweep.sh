#!/usr/bin/env bash
# Run on the GPU machine over a tree prepared by scripts/gpu-build.sh: one
# rmlx benchmark (GB/s, no PyTorch) under several settings of the
# tuning knobs, to choose defaults by measurement.
#   scripts/gpu-sweep.sh BENCH "ENV=... ENV=..." "ENV=..." ...
# e.g. scripts/gpu-sweep.sh mul_add_bf16 "" "RMLX_KDEFS=CHAIN_U=1;CHAIN_PRE=3"
# Each setting runs in its own process with its own kernel cache (knobs
# change the kernel source); ROUNDS (default 3) rounds alternate the settings.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -f .gpu/pack.tar.xz ] && [ ! -d .gpu/tests ]; then tar -C .gpu -xJf .gpu/pack.tar.xz; fi
. scripts/gpu-env.sh
export RMLX_ENABLE_TF32=1
bench=$1; shift
tmp=$(mktemp -d)
for round in $(seq 1 "${ROUNDS:-3}"); do
  i=0
  for setting in "$@"; do
    i=$((i + 1))
    mkdir -p "$tmp/k$i"
    cp -r .gpu/kernels/. "$tmp/k$i/" 2>/dev/null
    v=$(env RMLX_KERNEL_CACHE="$tmp/k$i" $setting .gpu/bin/gpu_bench --only "$bench" 2>/dev/null \
        | python3 -c 'import json,sys; print(" ".join(str(round(json.loads(l)["value"],1)) for l in sys.stdin if l.startswith("{")))')
    echo "$round|$setting|$v" >> "$tmp/res"
  done
done
python3 - "$tmp/res" "$bench" <<'PY'
import sys, statistics, collections
vals = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, s, v = line.rstrip("\n").split("|")
    if v.strip():
        vals[s].append([float(x) for x in v.split()])
print(f"## sweep of {sys.argv[2]} (median over the rounds; one column per benchmark matched)")
for s, rows in vals.items():
    cols = list(zip(*rows))
    print(f"| {s or '(defaults)'} | " + " | ".join(f"{statistics.median(c):.1f}" for c in cols) + " |")
PY
