#!/usr/bin/env bash
# Runs one test binary's named test alone on the GPU with every log on, and
# if it has not finished after a while, prints where each thread waits.
# Usage: scripts/gpu-debug.sh BINARY TEST [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -f .gpu/pack.tar.xz ] && [ ! -d .gpu/tests ]; then tar -C .gpu -xJf .gpu/pack.tar.xz; fi
. scripts/gpu-env.sh
export RMLX_TRACE=1 RMLX_LAUNCH_LOG=1 RMLX_JIT_LOG=1
".gpu/tests/$1" "$2" --exact --nocapture --test-threads=1 > /tmp/dbg.log 2>&1 &
pid=$!
for _ in $(seq "${3:-60}"); do sleep 1; kill -0 $pid 2>/dev/null || break; done
if kill -0 $pid 2>/dev/null; then
  echo "=== still running after ${3:-60}s; last log lines:"; tail -40 /tmp/dbg.log
  for t in /proc/$pid/task/*; do echo "--- $t $(cat $t/comm) wchan=$(cat $t/wchan 2>/dev/null) $(cut -d' ' -f3 $t/stat)"; done
  if command -v gdb >/dev/null; then gdb -batch -p $pid -ex "thread apply all bt 30" 2>&1 | grep -E "^#|^Thread" | head -120; else echo "no gdb"; fi
  kill -9 $pid
else
  wait $pid; echo "=== exit $?"; tail -30 /tmp/dbg.log
fi
