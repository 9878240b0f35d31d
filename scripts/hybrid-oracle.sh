#!/usr/bin/env bash
# The hybrid oracle on a set of pairs (DIR/clean, DIR/noisy): oracle stage 4 with ideal parameters, then with one part
# of them taken from a model's network (`percepnet-lab oracle --model M --network-part P`, docs/oracle.md): its gains,
# its strengths, both (what `percepnet denoise` gives), max (`excess`) and min (`deficit`) of its gains with the ideal.
# Prints one table row per variant; WORKDIR keeps the outputs and their JSON scores (a finished row is kept).
# PARTS (environment) picks variants by name, e.g. PARTS="excess deficit" (the split that measures how well the
# network tells noise cells from speech cells, docs/oracle.md); default: all six.
# Usage: [PARTS="..."] scripts/hybrid-oracle.sh DIR MODEL.pnnm WORKDIR [POSTFILTER_STRENGTH (default 0.5)]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 DIR MODEL.pnnm WORKDIR [POSTFILTER_STRENGTH]" >&2; exit 2; }
SET=$(realpath "$1"); M=$(realpath "$2"); mkdir -p "$3"; WORK=$(realpath "$3"); S=${4:-0.5}
[ -d "$SET/clean" ] && [ -d "$SET/noisy" ] || { echo "$SET: needs clean/ and noisy/ folders of WAV pairs" >&2; exit 2; }
[ -f "$M" ] || { echo "$2: no such model file" >&2; exit 2; }
ALL="oracle gains strengths both excess deficit"
PARTS=${PARTS:-$ALL}
for p in $PARTS; do
  [[ " $ALL " == *" $p "* ]] || { echo "PARTS: unknown variant '$p' (known: $ALL)" >&2; exit 2; }
done
cd "$(dirname "$0")/.."
. scripts/common.sh
args=()
for spec in oracle: gains:gains strengths:strengths both:both excess:excess deficit:deficit; do
  name=${spec%%:*}; part=${spec#*:}
  [[ " $PARTS " == *" $name "* ]] || continue
  extra=(); [ -n "$part" ] && extra=(--model "$M" --network-part "$part")
  if [ ! -s "$WORK/$name.json" ]; then
    "$L" oracle "$SET/clean" "$SET/noisy" "$WORK/$name" --stage 4 --postfilter-strength "$S" "${extra[@]}" >/dev/null
    "$L" eval --clean "$SET/clean" --enhanced "$WORK/$name" --noisy "$SET/noisy" --json "$WORK/$name.json" >/dev/null
  fi
  [ ${#args[@]} = 0 ] && args+=("noisy=$WORK/$name.json:noisy")
  args+=("$name=$WORK/$name.json")
done
python3 scripts/results-table.py "${args[@]}"
