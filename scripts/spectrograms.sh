#!/usr/bin/env bash
# Draws one spectrogram PNG per system for one evaluation file: clean, noisy, ours and each peer.
# Usage: scripts/spectrograms.sh OUTDIR FILE OURS_DIR PEERS_WORK [PEER...]
#   FILE: a name in ../shared/data/eval/vbdemand16k (e.g. p232_032.wav)
#   OURS_DIR: the folder of our denoised files (scripts/evaluate-model.sh WORK -> WORK/vbdemand16k-denoised)
#   PEERS_WORK: the WORK folder of scripts/evaluate-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$1"; FILE="$2"; OURS="$3"; PEERS_WORK="$4"; shift 4
DATA="${PERCEPNET_DATA:-../shared/data}"
dotnet build -c Release src/PercepNet.Lab >/dev/null
L=src/PercepNet.Lab/bin/Release/net10.0/percepnet-lab
mkdir -p "$OUT"
base="${FILE%.wav}"
draw() { "$L" spectrogram "$1" "$OUT/$base-$2.png" --title "$base: $2" --width 800 --height 300 >/dev/null; echo "$OUT/$base-$2.png"; }
draw "$DATA/eval/vbdemand16k/clean/$FILE" clean
draw "$DATA/eval/vbdemand16k/noisy/$FILE" noisy
draw "$OURS/$FILE" ours
for peer in "$@"; do draw "$PEERS_WORK/vbdemand16k-$peer/$FILE" "$peer"; done
