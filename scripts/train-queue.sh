#!/usr/bin/env bash
# Runs training configs one after the other in the background, each resumed from its newest
# checkpoint (a finished run only re-exports and returns), from a frozen copy of the CLI so that
# rebuilding the repository meanwhile cannot disturb it. Survives the end of a shell (nohup); after
# a reboot or a new session on the same machine, run the same command again: every run continues
# where its last checkpoint left it.
#   scripts/train-queue.sh start CONFIG.json [CONFIG.json...]   # start the queue (refused if one runs)
#   scripts/train-queue.sh status                              # what runs, the last progress lines
#   scripts/train-queue.sh stop                                # SIGTERM: the trainer checkpoints and exits
# TRAIN_CLI=DIR: run that copy of the tools (a folder with `percepnet-lab`) instead of building this checkout.
# TRAIN_ROOT (default: ../train, a folder beside the repository) holds the queue's pid, log and CLI copy; run folders are where
# each config's outputDir says (keep them under TRAIN_ROOT/runs, outside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="${TRAIN_ROOT:-../train}"
mkdir -p "$ROOT/logs"
ROOT="$(realpath "$ROOT")"
PIDFILE="$ROOT/queue.pid"
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
case "${1:-}" in
  start)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 start CONFIG.json..." >&2; exit 2; }
    if running; then echo "a queue is already running (pid $(cat "$PIDFILE")); stop it first" >&2; exit 1; fi
    configs=(); for c in "$@"; do [ -f "$c" ] || { echo "$c: config not found" >&2; exit 2; }; configs+=("$(realpath "$c")"); done
    rev=$(git rev-parse --short HEAD)
    bin="${TRAIN_CLI:-$ROOT/bin/cli-$rev}"
    # percepnet-lab (older copies of the CLI had the train verb in percepnet itself)
    tool=percepnet-lab; [ -x "$bin/$tool" ] || [ ! -x "$bin/percepnet" ] || tool=percepnet
    if [ -n "${TRAIN_CLI:-}" ]; then [ -x "$bin/$tool" ] || { echo "TRAIN_CLI=$bin: no percepnet-lab there" >&2; exit 2; }
    elif [ ! -x "$bin/$tool" ]; then
      dotnet build -c Release src/PercepNet.Lab >/dev/null
      mkdir -p "$ROOT/bin"; rm -rf "$bin.tmp"
      cp -r src/PercepNet.Lab/bin/Release/net10.0 "$bin.tmp"
      mv "$bin.tmp" "$bin"
    fi
    log="$ROOT/logs/queue-$(date +%Y%m%d-%H%M%S).log"
    nohup bash -c '
      for c in "$@"; do
        echo "=== $(date -Is) train --config $c"
        "'"$bin/$tool"'" train --config "$c" || { code=$?; echo "=== $(date -Is) exit $code: queue stopped"; exit $code; }
      done
      echo "=== $(date -Is) queue finished"' queue "${configs[@]}" > "$log" 2>&1 &
    echo $! > "$PIDFILE"
    ln -sfn "$log" "$ROOT/logs/queue-latest.log"
    echo "queue pid $(cat "$PIDFILE"), log $log (CLI $bin)" ;;
  status)
    if running; then echo "running: pid $(cat "$PIDFILE")"; else echo "no queue running"; fi
    [ -f "$ROOT/logs/queue-latest.log" ] && grep -E "^===|step|validation|Exported|error" "$ROOT/logs/queue-latest.log" | tail -n 8 || true ;;
  stop)
    if running; then pkill -TERM -P "$(cat "$PIDFILE")" || true; echo "sent SIGTERM to the trainer; it checkpoints and exits"; else echo "no queue running"; fi ;;
  *) echo "usage: $0 start CONFIG.json... | status | stop" >&2; exit 2 ;;
esac
