#!/usr/bin/env bash
# Run on the GPU machine over a tree prepared by scripts/gpu-build.sh: every
# Rust test binary on the GPU under compute-sanitizer's memcheck (out-of-
# bounds and misaligned device accesses, leaks of device memory at exit are
# not counted), a line per binary last. SANITIZE_LIMIT: seconds a binary may
# take (default 400); a binary cut off by it says so. SANITIZE_SKIP: a file
# of test names (one a line) already run clean, to leave out; SANITIZE_BINS:
# a glob of the binaries in .gpu/tests to run (default all).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/rmlx-out}
mkdir -p "$OUT"
if [ -f .gpu/pack.tar.xz ] && [ ! -d .gpu/tests ]; then
  tar -C .gpu -xJf .gpu/pack.tar.xz
fi
. scripts/gpu-env.sh
CS=$(command -v compute-sanitizer || true)
[ -z "$CS" ] && [ -x /usr/local/cuda/bin/compute-sanitizer ] && CS=/usr/local/cuda/bin/compute-sanitizer
[ -z "$CS" ] && CS=$(find / -name compute-sanitizer -type f -perm -u+x 2>/dev/null | head -1)
if [ -z "$CS" ]; then echo "compute-sanitizer was not found (looked on PATH, in /usr/local/cuda/bin and under /)"; exit 2; fi
LIMIT=${SANITIZE_LIMIT:-400}
declare -a ROWS
status=0
for t in .gpu/tests/${SANITIZE_BINS:-*}; do
  name=$(basename "$t")
  start=$(date +%s)
  SKIP=()
  if [ -n "${SANITIZE_SKIP:-}" ] && [ -f "$SANITIZE_SKIP" ]; then
    while read -r n; do [ -n "$n" ] && SKIP+=(--skip "$n"); done < "$SANITIZE_SKIP"
    [ ${#SKIP[@]} -gt 0 ] && SKIP+=(--exact)
  fi
  # API errors are not memory errors: the tests ask for too much memory on purpose.
  timeout -s KILL "$LIMIT" "$CS" --tool memcheck --report-api-errors no --error-exitcode 99 --print-limit 20 \
    "$t" --test-threads=4 "${SKIP[@]}" \
    > "$OUT/sanitize-$name.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  tests=$(grep -E "^test result:" "$OUT/sanitize-$name.log" | tail -1 | sed 's/test result: //; s/; finished.*//')
  errs=$(grep -E "ERROR SUMMARY" "$OUT/sanitize-$name.log" | tail -1 | sed 's/^=* *//')
  [ $rc -eq 137 ] && tests="cut off after ${LIMIT}s: $(grep -cE '^test .* ok$' "$OUT/sanitize-$name.log") tests passed by then"
  [ $rc -ne 0 ] && status=1
  ROWS+=("| $name | $rc | ${secs}s | ${tests:-no result} | ${errs:-no summary} |")
done
echo
echo "## compute-sanitizer memcheck, $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| binary | exit | time | tests | sanitizer |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
exit $status
