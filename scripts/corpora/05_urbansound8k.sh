#!/bin/bash
# UrbanSound8K slices (WAV copied as-is), folds 1,2,3,10; class 2 (children_playing) and 9 (street_music) left out
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
set -euo pipefail
G=${MIRROR}/Alejandro-131004+AC-II/repo
C=8f8b8f279a1f8b240a3b3019191229c225793e7a
OUT=${CORPORA}/urbansound8k; W=${CORPORA}/_work/us8k
rm -rf "$OUT" "$W"; mkdir -p "$OUT" "$W"
. "$(dirname "$0")/lib.sh"; extract_tree "$G" "$C" "$W" UrbanSound8K/audio
for fold in fold1 fold2 fold3 fold10; do
  mkdir -p "$OUT/$fold"
  for f in "$W/UrbanSound8K/audio/$fold"/*.wav; do
    cls=$(basename "$f" .wav | cut -d- -f2)
    [ "$cls" = 2 ] || [ "$cls" = 9 ] && continue
    mv "$f" "$OUT/$fold/"
  done
done
rm -rf "$W"
