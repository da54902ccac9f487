#!/usr/bin/env bash
# Run here (no GPU needed): builds the test binaries and the GPU benchmark in
# release mode and copies them, stripped, into .gpu/ for the device machine,
# with kernels precompiled by NVRTC into .gpu/kernels when NVRTC is found
# (NVRTC_LIB names its directory). Then: scripts/gpu-check.sh runs there.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu/tests .gpu/bin
mkdir -p .gpu/tests .gpu/bin .gpu/kernels
# Tests and binaries in one cargo run: one feature resolution, so rmlx-core
# is compiled once for both (a separate `-p rmlx-benchmarks` build resolves
# features without the dev-dependencies and compiles it again). The
# extension is built by maturin below.
cargo build --release --workspace --exclude rmlx-python --all-targets --message-format=json 2>/dev/null \
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
# The Python package (abi3 wheel), unpacked into .gpu/py for PYTHONPATH.
rm -rf .gpu/py .gpu/wheel
if MATURIN=$(command -v maturin || ls .venv/bin/maturin 2>/dev/null) && [ -f crates/rmlx-python/Cargo.toml ]; then
  if "$MATURIN" build -q --release -o .gpu/wheel; then
    mkdir -p .gpu/py && python3 -m zipfile -e .gpu/wheel/*.whl .gpu/py
    find .gpu/py -name '*.so' -exec strip {} +
  else
    echo "the Python wheel did not build: the Python suite will not run on the GPU"
  fi
fi
if [ -n "${NVRTC_LIB:-}" ]; then
  LD_LIBRARY_PATH="$NVRTC_LIB" RMLX_KERNEL_CACHE=.gpu/kernels .gpu/bin/kernel_check sm_90
fi
du -sh .gpu
# What travels: one compressed pack (the device tool carries at most 64 MiB).
tar -C .gpu -cf - tests bin kernels $( [ -d .gpu/py ] && echo py ) | xz -T2 -3 > .gpu/pack.tar.xz
ls -la .gpu/pack.tar.xz
