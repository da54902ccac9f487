#!/usr/bin/env bash
# Run on the GPU machine over a tree prepared by scripts/gpu-build.sh: the
# whole Rust test suite on the GPU (RMLX_DEVICE=gpu), then the GPU
# benchmarks against PyTorch in the same call; a short table comes last.
# Arguments: --no-bench, --quick (fewer benchmark repeats); BENCH_ONLY=a,b
# runs only the benchmarks whose names contain a or b; TEST_THREADS (default
# 4) threads per Rust test binary. The kernel cache goes to
# $OUT/kernels.tar.xz after the Rust tests and again at the end, for the next
# call to carry as .gpu/kernels.tar.xz.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/rmlx-out}
mkdir -p "$OUT"
BENCH=1; QUICK=""
for a in "$@"; do
  case "$a" in --no-bench) BENCH=0 ;; --quick) QUICK="--quick" ;; esac
done
if [ -f .gpu/pack.tar.xz ] && [ ! -d .gpu/tests ]; then
  tar -C .gpu -xJf .gpu/pack.tar.xz
fi
# A kernel cache brought back from an earlier call (`tar -C .gpu -cJf
# kernels.tar.xz kernels` there), so the suite need not compile every kernel.
if [ -f .gpu/kernels.tar.xz ]; then
  mkdir -p .gpu/kernels && tar -C .gpu -xJf .gpu/kernels.tar.xz
fi
. scripts/gpu-env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

declare -a ROWS
pass_all=0
for t in .gpu/tests/*; do
  name=$(basename "$t")
  start=$(date +%s.%N)
  # A hung test must not take the whole call with it.
  timeout -s KILL 420 "$t" --test-threads="${TEST_THREADS:-4}" > "$OUT/test-$name.log" 2>&1
  rc=$?
  secs=$(python3 -c "import time; print(f'{time.time()-$start:.1f}')")
  summary=$(grep -E "^test result:" "$OUT/test-$name.log" | tail -1 | sed 's/test result: //; s/; finished.*//')
  [ $rc -ne 0 ] && pass_all=1 && grep -E "^test .* FAILED$|panicked|^---- " "$OUT/test-$name.log" | head -20
  ROWS+=("$(printf '| %-12s | %-4s | %6ss | %s |' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" "$secs" "$summary")")
done

save_kernels() { [ -d .gpu/kernels ] && tar -C .gpu -cJf "$OUT/kernels.tar.xz" kernels 2>/dev/null; }
save_kernels

# The Python suite on the GPU (the package unpacked into .gpu/py).
if [ -d .gpu/py ]; then
  start=$(date +%s.%N)
  if python3 -c "import pytest" 2>/dev/null; then
    RMLX_DEVICE=gpu PYTHONPATH=.gpu/py timeout -s KILL 300 python3 -m pytest -q -p no:cacheprovider python/tests > "$OUT/test-python.log" 2>&1
    rc=$?
    summary=$(tail -1 "$OUT/test-python.log")
  else
    rc=1; summary="pytest is not installed here"
  fi
  secs=$(python3 -c "import time; print(f'{time.time()-$start:.1f}')")
  [ $rc -ne 0 ] && pass_all=1 && grep -E "^FAILED|Error" "$OUT/test-python.log" | head -20
  ROWS+=("$(printf '| %-12s | %-4s | %6ss | %s |' "python" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" "$secs" "$summary")")
fi

if [ $BENCH -eq 1 ]; then
  ONLY=()
  IFS=',' read -ra pats <<< "${BENCH_ONLY:-}"
  for p in "${pats[@]}"; do [ -n "$p" ] && ONLY+=(--only "$p"); done
  python3 .gpu/bin/run_gpu.py --rmlx .gpu/bin/gpu_bench --out "$OUT/bench.md" $QUICK "${ONLY[@]}" 2>&1 | tee "$OUT/bench.log" | tail -5 >/dev/null
fi

# The Python-API loop (async_eval) against PyTorch eager, as users call it.
PYLOOP=""
if [ $BENCH -eq 1 ] && [ -d .gpu/py ]; then
  PYTHONPATH=.gpu/py timeout -s KILL 240 python3 benchmarks/gpu_python_loop.py $QUICK > "$OUT/python-loop.md" 2>&1 || echo "python loop benchmark failed" >> "$OUT/python-loop.md"
  PYLOOP=$(grep -v '^{' "$OUT/python-loop.md")
fi

save_kernels
echo
echo "## rmlx on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| tests        | ok?  |   time  | result |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
if [ $BENCH -eq 1 ] && [ -f "$OUT/bench.md" ]; then echo; cat "$OUT/bench.md"; fi
if [ -n "$PYLOOP" ]; then echo; echo "$PYLOOP"; fi
exit $pass_all
