#!/usr/bin/env bash
# Speech preservation on clean speech (issue 13): runs each SYSTEM on every WAV of CLEAN and measures
# with `percepnet-lab passthrough` the share of speech-active 0.5 s windows that came out more than
# 6 dB quieter, the mean change and the worst window. Prints one markdown row per system.
# SYSTEM: a model file (.pnnm, int8 through `percepnet denoise`), `builtin`, or a peer name of
# ../shared/peers/run.sh (after its setup.sh): rnnoise-0.1 rnnoise-0.2 rnnoise-2025 nnnoiseless gtcrn dfn3 speexdsp ffmpeg-afftdn
# DENOISE_ARGS: extra options for `percepnet denoise` (e.g. "--feature-floor -76"); TAG: suffix of the
# system's output folder and row name (e.g. "-ff76").
# Usage: [REUSE=1] [DENOISE_ARGS=...] [TAG=...] scripts/passthrough.sh CLEAN_DIR WORKDIR SYSTEM...
set -euo pipefail
cd "$(dirname "$0")/.."
CLEAN="$(realpath "$1")"; WORK="$2"; shift 2
PEERS="${PEERS_DIR:-../shared/peers}"
. scripts/common.sh
echo "| system | files | speech windows | lost > 6 dB | mean change dB | worst dB (file) |"
echo "|---|---|---|---|---|---|"
for sys in "$@"; do
  name=$(basename "$sys" .pnnm)${TAG:-}; out="$WORK/$name"
  # REUSE=1 keeps a system's outputs from an earlier run when there is one per input (re-measure only).
  if [ "${REUSE:-0}" = 1 ] && [ -d "$out" ] && [ "$(ls "$out"/*.wav 2>/dev/null | wc -l)" = "$(ls "$CLEAN"/*.wav | wc -l)" ]; then :; else
  rm -rf "$out"; mkdir -p "$out"
  case "$sys" in
    *.pnnm) "$P" denoise "$CLEAN" "$out" --model "$(realpath "$sys")" ${DENOISE_ARGS:-} >/dev/null ;;
    builtin) "$P" denoise "$CLEAN" "$out" ${DENOISE_ARGS:-} >/dev/null ;;
    *) for f in "$CLEAN"/*.wav; do "$PEERS/run.sh" "$sys" "$f" "$out/$(basename "$f")"; done ;;
  esac; fi
  "$L" passthrough --clean "$CLEAN" --processed "$out" --json "$WORK/$name.json" --csv "$WORK/$name.csv" >/dev/null
  python3 - "$WORK/$name.json" "$name" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["overall"]
print(f"| {sys.argv[2]} | {o['files']} | {o['activeWindows']} | {100*o['lostShare']:.2f}% ({o['lostWindows']}) | {o['meanChangeDb']:+.2f} | {o['worstChangeDb']:+.1f} ({o.get('worstFile','-')}) |")
PY
done
