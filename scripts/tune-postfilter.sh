#!/usr/bin/env bash
# Scores a model at several postfilter strengths on a development set of WAV pairs (DEV/clean,
# DEV/noisy, e.g. from `percepnet corpus mixtures`), to choose the strength without the evaluation pairs.
# Usage: scripts/tune-postfilter.sh DEV MODEL.pnnm [WORKDIR] [strength...]   (default strengths 0 0.25 0.5 0.75 1)
set -euo pipefail
cd "$(dirname "$0")/.."
DEV="$(realpath "$1")"; MODEL="$(realpath "$2")"; shift 2
WORK="${1:-$(mktemp -d)}"; shift || true
[ $# -gt 0 ] && STRENGTHS=("$@") || STRENGTHS=(0 0.25 0.5 0.75 1)
. scripts/common.sh
for s in "${STRENGTHS[@]}"; do
  "$P" denoise "$DEV/noisy" "$WORK/s$s" --model "$MODEL" --postfilter-strength "$s" >/dev/null
  "$P" eval --clean "$DEV/clean" --enhanced "$WORK/s$s" --noisy "$DEV/noisy" --json "$WORK/s$s.json" >/dev/null
done
python3 - "$WORK" "${STRENGTHS[@]}" <<'PY'
import json, sys
work, strengths = sys.argv[1], sys.argv[2:]
cols = ["pesq_wb", "pesq_nb", "stoi", "estoi", "si_sdr", "dnsmos_ovrl"]
print("| postfilter strength | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols))
for i, s in enumerate(strengths):
    m = json.load(open(f"{work}/s{s}.json"))["means"]
    rows = ([("noisy", m["noisy"])] if i == 0 and "noisy" in m else []) + [(s, m["enhanced"])]
    for name, r in rows:
        print(f"| {name} | " + " | ".join("-" if r.get(c) is None else f"{r[c]:.3f}" for c in cols) + " |")
PY
