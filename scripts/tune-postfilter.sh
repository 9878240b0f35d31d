#!/usr/bin/env bash
# Scores a model at several postfilter strengths on a development set of WAV pairs (DEV/clean,
# DEV/noisy, e.g. from `percepnet-lab corpus mixtures`), to choose the strength without the evaluation pairs.
# Usage: scripts/tune-postfilter.sh DEV MODEL.pnnm [WORKDIR] [strength...]   (default strengths 0 0.25 0.5 0.75 1)
set -euo pipefail
cd "$(dirname "$0")/.."
DEV="$(realpath "$1")"; MODEL="$(realpath "$2")"; shift 2
WORK="${1:-$(mktemp -d)}"; shift || true
[ $# -gt 0 ] && STRENGTHS=("$@") || STRENGTHS=(0 0.25 0.5 0.75 1)
. scripts/common.sh
for s in "${STRENGTHS[@]}"; do
  "$P" denoise "$DEV/noisy" "$WORK/s$s" --model "$MODEL" --postfilter-strength "$s" >/dev/null
  "$L" eval --clean "$DEV/clean" --enhanced "$WORK/s$s" --noisy "$DEV/noisy" --json "$WORK/s$s.json" >/dev/null
done
args=("noisy=$WORK/s${STRENGTHS[0]}.json:noisy")
for s in "${STRENGTHS[@]}"; do args+=("strength $s=$WORK/s$s.json"); done
python3 scripts/results-table.py "${args[@]}"
