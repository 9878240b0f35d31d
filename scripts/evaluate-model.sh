#!/usr/bin/env bash
# Denoises the evaluation pairs of ../shared/data (or $PERCEPNET_DATA) with a model and scores the
# result with `percepnet-lab eval` next to the noisy input.
# Usage: scripts/evaluate-model.sh MODEL.pnnm [WORKDIR] [extra denoise options...]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="$(realpath "$1")"; shift
WORK="${1:-$(mktemp -d)}"; shift || true
. scripts/common.sh
for set in vbdemand16k dfn48k; do
  clean=$(clean_dir "$set"); noisy=$(noisy_dir "$set")
  "$P" denoise "$noisy" "$WORK/$set-denoised" --model "$MODEL" "$@" >/dev/null
  "$L" eval --clean "$clean" --enhanced "$WORK/$set-denoised" --noisy "$noisy" --json "$WORK/$set.json" >/dev/null
  python3 - "$WORK/$set.json" "$set" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); m = d["means"]
cols = ["pesq_wb", "pesq_nb", "stoi", "estoi", "si_sdr", "dnsmos_ovrl"]
print(f"\n{sys.argv[2]}\n\n| system | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols))
for k in ["noisy", "enhanced"]:
    if k in m: print(f"| {k} | " + " | ".join("-" if m[k].get(c) is None else f"{m[k][c]:.3f}" for c in cols) + " |")
PY
done
