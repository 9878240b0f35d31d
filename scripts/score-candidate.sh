#!/usr/bin/env bash
# Scores a trained candidate the way the selection rule needs (docs/results.md): writes the -66 dBFS
# feature floor into a copy of the model, then pass-through on the sets of TRAIN_ROOT/passthrough
# that exist (all; all-m20: the same 20 dB quieter; vb-pitch1000: VB clean pitched +1000 cents),
# the development sets TRAIN_ROOT/devset, devset-vbl (VB-like) and devset-vbb (VB-like in a crowd; also its cell gains,
# scripts/cell-gains.py), their clean-reference versions devset-c, devset-vblc and devset-vbbc, and the evaluation pairs of
# ../shared/data (VB+DEMAND, dfn48k), and the excess / deficit split of the hybrid oracle on devset-vblc. Each result is a markdown file in TRAIN_ROOT/eval named after NAME; a result already
# there is kept, so running it again resumes.
# DENOISE_ARGS: options for every `percepnet denoise` run (e.g. "--warm-up 10"): a configuration of a model scored as a
# candidate of its own (give it its own NAME); the hybrid-oracle split is then skipped.
# Usage: [DENOISE_ARGS=...] TRAIN_ROOT=../train scripts/score-candidate.sh MODEL.pnnm NAME
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 MODEL.pnnm NAME" >&2; exit 2; }
model="$(realpath "$1")"; name="$2"
ROOT="$(realpath "${TRAIN_ROOT:-../train}")"
E="$ROOT/eval"; mkdir -p "$E"
floored="${model%.pnnm}-ff66.pnnm"
if [ ! -f "$floored" ]; then
  dotnet build -c Release src/PercepNet.Cli >/dev/null
  dotnet src/PercepNet.Cli/bin/Release/net10.0/percepnet.dll model "$model" --feature-floor -66 --output "$floored"
fi
for set in all all-m20 vb-pitch1000; do
  [ -d "$ROOT/passthrough/$set" ] || { echo "no $ROOT/passthrough/$set: skipped"; continue; }
  [ -s "$E/pt-$set-$name.md" ] || scripts/passthrough.sh "$ROOT/passthrough/$set" "$E/pt-$set-$name" "$floored" > "$E/pt-$set-$name.md"
  tail -1 "$E/pt-$set-$name.md"
done
if [ -d "$ROOT/devset" ]; then
  [ -s "$E/dev-$name.md" ] || scripts/compare-options.sh "$ROOT/devset" "$floored" "$E/dev-$name" "$name ff66=${DENOISE_ARGS:-}" > "$E/dev-$name.md"
  tail -1 "$E/dev-$name.md"
fi
if [ -d "$ROOT/devset-vbl" ]; then
  [ -s "$E/vbl-$name.md" ] || scripts/compare-options.sh "$ROOT/devset-vbl" "$floored" "$E/vbl-$name" "$name ff66=${DENOISE_ARGS:-}" > "$E/vbl-$name.md"
  tail -1 "$E/vbl-$name.md"
fi
if [ -d "$ROOT/devset-vbb" ]; then
  [ -s "$E/vbb-$name.md" ] || scripts/compare-options.sh "$ROOT/devset-vbb" "$floored" "$E/vbb-$name" "$name ff66=${DENOISE_ARGS:-}" > "$E/vbb-$name.md"
  tail -1 "$E/vbb-$name.md"
  # How sharply it tells noise cells from speech cells there (scripts/cell-gains.py; peers: docs/experiments.md, tenth sitting).
  py=python3; $py -c "import numpy, scipy" 2>/dev/null || py=/usr/bin/python3
  if $py -c "import numpy, scipy" 2>/dev/null; then
    [ -s "$E/cells-vbb-$name.md" ] || $py scripts/cell-gains.py "$ROOT/devset-vbb" "$name=$E/vbb-$name/o0" > "$E/cells-vbb-$name.md"
    tail -2 "$E/cells-vbb-$name.md"
  else echo "cell gains skipped: no python3 with numpy and scipy (apt-get install python3-numpy python3-scipy)"; fi
fi
# The clean-reference development sets of selection rule v7 (the `devsets` step of scripts/rebuild-train-root.sh).
for s in c:devset-c vblc:devset-vblc vbbc:devset-vbbc; do
  p=${s%%:*}; d=${s##*:}
  [ -d "$ROOT/$d" ] || continue
  [ -s "$E/$p-$name.md" ] || scripts/compare-options.sh "$ROOT/$d" "$floored" "$E/$p-$name" "$name ff66=${DENOISE_ARGS:-}" > "$E/$p-$name.md"
  tail -1 "$E/$p-$name.md"
done
# How well the network tells noise cells from speech cells: the excess / deficit split of the hybrid oracle on the
# clean-reference VB-like set (docs/oracle.md; the oracle itself is 3.427 / 0.971 there). A network that discriminates
# better raises both rows; one that only trades noise for speech raises one and lowers the other.
if [ -n "${DENOISE_ARGS:-}" ]; then echo "excess / deficit split skipped: the hybrid oracle has no denoise options ($DENOISE_ARGS)"
elif [ -d "$ROOT/devset-vblc" ]; then
  [ -s "$E/split-vblc-$name.md" ] || PARTS="excess deficit" scripts/hybrid-oracle.sh "$ROOT/devset-vblc" "$floored" "$E/split-vblc-$name" > "$E/split-vblc-$name.md"
  tail -2 "$E/split-vblc-$name.md"
fi
# shellcheck disable=SC2086 # DENOISE_ARGS is a list of options
[ -s "$E/vb-$name.md" ] || scripts/evaluate-model.sh "$floored" "$E/vb-$name" ${DENOISE_ARGS:-} > "$E/vb-$name.md"
cat "$E/vb-$name.md"
