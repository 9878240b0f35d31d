#!/usr/bin/env bash
# Scores one model under several `percepnet denoise` option sets on a development set of WAV pairs
# (DEV/clean, DEV/noisy): one table row per LABEL=OPTIONS, e.g. "floor -66=--feature-floor -66".
# Usage: scripts/compare-options.sh DEV MODEL.pnnm|builtin WORKDIR 'LABEL=OPTIONS'...
set -euo pipefail
cd "$(dirname "$0")/.."
DEV="$(realpath "$1")"; MODEL="$2"; WORK="$3"; shift 3
[ "$MODEL" = builtin ] && MODEL_ARGS=() || MODEL_ARGS=(--model "$(realpath "$MODEL")")
. scripts/common.sh
args=()
i=0
for spec in "$@"; do
  label="${spec%%=*}"; opts="${spec#*=}"; out="$WORK/o$i"
  # shellcheck disable=SC2086 # OPTIONS is a list of words on purpose
  "$P" denoise "$DEV/noisy" "$out" "${MODEL_ARGS[@]}" $opts >/dev/null
  "$L" eval --clean "$DEV/clean" --enhanced "$out" --noisy "$DEV/noisy" --json "$out.json" >/dev/null
  [ $i = 0 ] && args+=("noisy=$out.json:noisy")
  args+=("$label=$out.json"); i=$((i+1))
done
python3 scripts/results-table.py "${args[@]}"
