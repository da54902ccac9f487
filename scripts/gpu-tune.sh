#!/usr/bin/env bash
# Run on the GPU machine over a tree prepared by scripts/gpu-build.sh: the
# sweeps that chose the kernel defaults recorded in benchmarks/RESULTS.md
# (see scripts/gpu-sweep.sh), two rounds each.
set -uo pipefail
cd "$(dirname "$0")/.."
export ROUNDS=${ROUNDS:-2}
S=scripts/gpu-sweep.sh
$S mul_add "" "RMLX_CHAIN_LIGHT=0" "RMLX_KDEFS=CHAIN_PRE=3" "RMLX_KDEFS=CHAIN_U=1" \
  "RMLX_KDEFS=CHAIN_U=1;CHAIN_PRE=3" "RMLX_KDEFS=CHAIN_MINB=4"
$S sum_first "" "RMLX_KDEFS=COL_PIPE=1;COL_U=8" "RMLX_KDEFS=COL_PIPE=1" \
  "RMLX_KDEFS=COL_PIPE=1;COL_U=8 RMLX_COL_WANT=4" "RMLX_COL_WANT=16" "RMLX_COL_WANT=4"
$S softmax "" "RMLX_SOFTMAX_P=4" "RMLX_SOFTMAX_P=2" "RMLX_KDEFS=SOFTMAX_TWO=1"
$S launch_chain_f32 "" "RMLX_CHAIN_LIGHT=0"
