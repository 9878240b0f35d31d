#!/usr/bin/env bash
# Runs comparison peers (../shared/peers, after its setup.sh) on a development set of WAV pairs
# (DEV/clean, DEV/noisy) and prints one table row per peer, like scripts/compare-options.sh does for
# our models. Outputs already there are kept, so running it again resumes.
# Usage: scripts/peers-on-set.sh DEV WORKDIR PEER...   (e.g. rnnoise-0.2 gtcrn dfn3)
set -euo pipefail
cd "$(dirname "$0")/.."
DEV="$(realpath "$1")"; WORK="$2"; shift 2
PEERS="${PEERS_DIR:-../shared/peers}"
. scripts/common.sh
args=()
first=1
for peer in "$@"; do
  out="$WORK/$peer"; mkdir -p "$out"
  for f in "$DEV"/noisy/*.wav; do
    [ -s "$out/$(basename "$f")" ] || "$PEERS/run.sh" "$peer" "$f" "$out/$(basename "$f")"
  done
  [ -s "$out.json" ] || "$L" eval --clean "$DEV/clean" --enhanced "$out" --noisy "$DEV/noisy" --json "$out.json" >/dev/null
  [ $first = 1 ] && args+=("noisy=$out.json:noisy"); first=0
  args+=("$peer=$out.json")
done
python3 scripts/results-table.py "${args[@]}"
