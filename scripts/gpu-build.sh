#!/usr/bin/env bash
# Run here (no GPU needed): builds the test binaries and the GPU benchmark in
# release mode and copies them, stripped, into .gpu/ for the device machine,
# with kernels precompiled by NVRTC into .gpu/kernels when NVRTC is found
# (NVRTC_LIB names its directory). Then: scripts/gpu-check.sh runs there.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu/tests .gpu/bin
mkdir -p .gpu/tests .gpu/bin .gpu/kernels
# Tests, binaries and the Python extension in one cargo run: one feature
# resolution, so rmlx-core is compiled once for all of them (a separate
# build, maturin's included, resolves features without the dev-dependencies
# and compiles it again).
cargo build --release --workspace --all-targets --message-format=json 2>/dev/null \
  | python3 -c '
import json, sys, shutil, os
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"] and m["target"]["kind"] in (["test"], ["lib"]):
        name = m["target"]["name"] + ("-unit" if m["target"]["kind"] == ["lib"] else "")
        shutil.copy(m["executable"], os.path.join(".gpu/tests", name))
'
cp target/release/gpu_bench target/release/kernel_check .gpu/bin/
cp benchmarks/run_gpu.py .gpu/bin/
strip .gpu/tests/* .gpu/bin/gpu_bench .gpu/bin/kernel_check
# The Python package for PYTHONPATH: its sources and the extension as
# rmlx/core.abi3.so (what the abi3 wheel holds).
rm -rf .gpu/py .gpu/wheel
if [ -f target/release/librmlx_python.so ]; then
  mkdir -p .gpu/py/rmlx
  cp python/rmlx/*.py python/rmlx/py.typed .gpu/py/rmlx/
  cp target/release/librmlx_python.so .gpu/py/rmlx/core.abi3.so
  strip .gpu/py/rmlx/core.abi3.so
else
  echo "the Python extension did not build: the Python suite will not run on the GPU"
fi
if [ -n "${NVRTC_LIB:-}" ]; then
  LD_LIBRARY_PATH="$NVRTC_LIB" RMLX_KERNEL_CACHE=.gpu/kernels .gpu/bin/kernel_check sm_90
fi
du -sh .gpu
# What travels: one compressed pack (the device tool carries at most 64 MiB).
tar -C .gpu -cf - tests bin kernels $( [ -d .gpu/py ] && echo py ) | xz -T2 -3 > .gpu/pack.tar.xz
ls -la .gpu/pack.tar.xz
