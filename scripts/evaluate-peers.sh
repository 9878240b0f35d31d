#!/usr/bin/env bash
# Runs comparison peers (../shared/peers, after its setup.sh) on the evaluation pairs and scores
# them with `percepnet eval`, like scripts/evaluate-model.sh does for our models.
# Usage: scripts/evaluate-peers.sh WORKDIR PEER...   (e.g. rnnoise-0.1 rnnoise-0.2 rnnoise-2025 gtcrn speexdsp)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$1"; shift
DATA="${PERCEPNET_DATA:-../shared/data}"
PEERS="${PEERS_DIR:-../shared/peers}"
mkdir -p "$WORK"
dotnet build -c Release src/PercepNet.Cli >/dev/null
rm -rf "$WORK/bin" && cp -r src/PercepNet.Cli/bin/Release/net10.0 "$WORK/bin"
P="$WORK/bin/percepnet"
mkdir -p "$WORK/dfn/clean" "$WORK/dfn/noisy"
cp "$DATA/eval/dfn48k/clean.wav" "$WORK/dfn/clean/pair.wav"
cp "$DATA/eval/dfn48k/noisy.wav" "$WORK/dfn/noisy/pair.wav"
for peer in "$@"; do
  for set in vbdemand16k dfn48k; do
    if [ "$set" = dfn48k ]; then clean="$WORK/dfn/clean"; noisy="$WORK/dfn/noisy"; else clean="$DATA/eval/$set/clean"; noisy="$DATA/eval/$set/noisy"; fi
    out="$WORK/$set-$peer"; mkdir -p "$out"
    for f in "$noisy"/*.wav; do "$PEERS/run.sh" "$peer" "$f" "$out/$(basename "$f")"; done
    "$P" eval --clean "$clean" --enhanced "$out" --json "$WORK/$set-$peer.json" >/dev/null
    python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['means']['enhanced']; print(sys.argv[2], sys.argv[3], ' '.join(f'{k}={v:.3f}' for k,v in m.items() if v is not None))" "$WORK/$set-$peer.json" "$set" "$peer"
  done
done
