#!/usr/bin/env bash
# A training run longer than a sitting, as a chain of one-pass steps over fresh mixtures. Step K:
#   1. makes the shard set RECIPE-K (scripts/rebuild-train-root.sh: RECIPE with its seed S replaced by 100 S + K),
#   2. trains NAME-K one pass over it from the model of step K-1 (step 1 from START) with TEMPLATE's
#      network, loss and schedule (its trainDir, validationDir, outputDir, initFrom and seed are replaced;
#      the seed becomes TEMPLATE's + K), through scripts/train-queue.sh,
#   3. scores it (scripts/score-candidate.sh; judge it by the selection rule of docs/results.md),
#   4. deletes the shard set of step K-2 (5.7 GB each for the 24 h recipes).
# Every part is resumable: after an interruption (the end of a sitting, a reboot) run the same command
# again; finished shards, checkpoints and scores are kept and the chain continues where it stopped.
# Run it in the background: nohup scripts/train-chain.sh ... >> ../train/logs/chain-NAME.log 2>&1 &
# Usage: TRAIN_ROOT=../train scripts/train-chain.sh TEMPLATE.json NAME START.pnnm STEPS [RECIPE (default s19)]
# Environment: as scripts/rebuild-train-root.sh (MIRROR, CORPORA, ...) for the shards; TRAIN_CLI as
# scripts/train-queue.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] && [ $# -le 5 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
template=$1 name=$2 start=$3 steps=$4 recipe=${5:-s19}
[ -f "$template" ] || { echo "$template: no such config" >&2; exit 2; }
[ -f "$start" ] || { echo "$start: no such model" >&2; exit 2; }
[[ $steps =~ ^[1-9][0-9]*$ ]] || { echo "STEPS must be a positive number (got $steps)" >&2; exit 2; }
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "NAME may hold letters, digits, '.', '_' and '-' only (got $name)" >&2; exit 2; }
ROOT="${TRAIN_ROOT:-../train}"; mkdir -p "$ROOT/runs" "$ROOT/logs"; ROOT="$(realpath "$ROOT")"
export TRAIN_ROOT="$ROOT"
start="$(realpath "$start")"
say() { echo "=== $(date +%T) $name: $*"; }
wait_queue() { while [ -f "$ROOT/queue.pid" ] && kill -0 "$(cat "$ROOT/queue.pid")" 2>/dev/null; do sleep 20; done; }

prev="$start"
for k in $(seq 1 "$steps"); do
  run="$name-$k"; shards="shards-$recipe-$k"; model="$ROOT/runs/$run/model.pnnm"
  # A step is finished when its queue said so (the marker below), not when model.pnnm exists: the trainer
  # writes model.pnnm after every epoch, so with a TEMPLATE of more than one epoch it exists mid-run.
  finished="$ROOT/runs/$run/finished"
  if [ ! -f "$finished" ]; then
    [ -f "$ROOT/rebuild/$shards.done" ] || { say "step $k: $shards"; scripts/rebuild-train-root.sh "$shards"; }
    config="$ROOT/$run.train.json"
    python3 - "$template" "$config" "$shards" "runs/$run" "$prev" "$k" <<'PY'
import json, sys
template, out, shards, run, init, k = sys.argv[1:]
c = json.load(open(template))
c.update(trainDir=f"{shards}/train", validationDir=f"{shards}/val", outputDir=run, initFrom=init, seed=c.get("seed", 1) + int(k))
json.dump(c, open(out, "w"), indent=2)
PY
    wait_queue   # a queue left running (by an earlier start of this chain) finishes first
    # train-queue resumes from the newest checkpoint; a run that had finished only re-exports.
    say "step $k: training $run from $prev"
    scripts/train-queue.sh start "$config"
    sleep 5; wait_queue
    if [ -s "$model" ] && grep -q "queue finished" "$ROOT/logs/queue-latest.log"; then date -Is > "$finished"
    else say "step $k: $run did not finish (see $ROOT/logs/queue-latest.log)"; exit 1; fi
  fi
  say "step $k: scoring $run"
  scripts/score-candidate.sh "$model" "$run"
  if [ "$k" -gt 2 ]; then rm -rf "$ROOT/shards-$recipe-$((k - 2))"; rm -f "$ROOT/rebuild/shards-$recipe-$((k - 2)).done"; fi
  prev="$model"
done
say "done: $steps steps"
