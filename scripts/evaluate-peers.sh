#!/usr/bin/env bash
# Runs comparison peers (../shared/peers, after its setup.sh) on the evaluation pairs and scores
# them with `percepnet-lab eval`, like scripts/evaluate-model.sh does for our models.
# Usage: scripts/evaluate-peers.sh WORKDIR PEER...   (e.g. rnnoise-0.1 rnnoise-0.2 rnnoise-2025 gtcrn speexdsp)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$1"; shift
PEERS="${PEERS_DIR:-../shared/peers}"
. scripts/common.sh
for peer in "$@"; do
  for set in vbdemand16k dfn48k; do
    clean=$(clean_dir "$set"); noisy=$(noisy_dir "$set")
    out="$WORK/$set-$peer"; mkdir -p "$out"
    for f in "$noisy"/*.wav; do "$PEERS/run.sh" "$peer" "$f" "$out/$(basename "$f")"; done
    "$L" eval --clean "$clean" --enhanced "$out" --json "$WORK/$set-$peer.json" >/dev/null
    python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['means']['enhanced']; print(sys.argv[2], sys.argv[3], ' '.join(f'{k}={v:.3f}' for k,v in m.items() if isinstance(v, (int, float))))" "$WORK/$set-$peer.json" "$set" "$peer"
  done
done
