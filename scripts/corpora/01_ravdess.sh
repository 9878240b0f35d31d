#!/bin/bash
# RAVDESS: WAV files copied as-is (already 16-bit PCM WAV)
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
set -euo pipefail
G=${MIRROR}/syildizn+RavdessSounds/repo
C=155b30b06ba80b8562543a28aaee53db9852c27e
OUT=${CORPORA}/ravdess
rm -rf "$OUT"; mkdir -p "$OUT"
. "$(dirname "$0")/lib.sh"; extract_tree "$G" "$C" "${CORPORA}/_work" RavdessDataSet
for d in ${CORPORA}/_work/RavdessDataSet/Actor_*; do mv "$d" "$OUT/"; done
rm -rf ${CORPORA}/_work/RavdessDataSet
