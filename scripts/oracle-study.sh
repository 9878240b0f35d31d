#!/usr/bin/env bash
# Reproduces the oracle table of docs/oracle.md: runs the four oracle stages on the evaluation pairs
# of ../shared/data (or $PERCEPNET_DATA) and scores them with `percepnet-lab eval`.
# Usage: scripts/oracle-study.sh [WORKDIR]   (WORKDIR defaults to a new temporary folder)
# Extra stages: ORACLE_EXTRA="--pitch clean" adds the same stages with the clean signal's pitch.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-$(mktemp -d)}"
. scripts/common.sh

run_set() { # name clean_dir noisy_dir
  local name=$1 clean=$2 noisy=$3
  "$L" eval --clean "$clean" --enhanced "$noisy" --json "$WORK/$name-noisy.json" >/dev/null
  for s in 1 2 3 4; do
    "$L" oracle "$clean" "$noisy" "$WORK/$name-stage$s" --stage "$s" >/dev/null
    "$L" eval --clean "$clean" --enhanced "$WORK/$name-stage$s" --json "$WORK/$name-stage$s.json" >/dev/null
    if [ "$s" = 4 ]; then
      "$L" oracle "$clean" "$noisy" "$WORK/$name-stage4-mild" --stage 4 --postfilter-strength 0.5 >/dev/null
      "$L" eval --clean "$clean" --enhanced "$WORK/$name-stage4-mild" --json "$WORK/$name-stage4-mild.json" >/dev/null
    fi
    if [ -n "${ORACLE_EXTRA:-}" ]; then
      "$L" oracle "$clean" "$noisy" "$WORK/$name-stage$s-x" --stage "$s" $ORACLE_EXTRA >/dev/null
      "$L" eval --clean "$clean" --enhanced "$WORK/$name-stage$s-x" --json "$WORK/$name-stage$s-x.json" >/dev/null
    fi
  done
}

run_set vbdemand16k "$(clean_dir vbdemand16k)" "$(noisy_dir vbdemand16k)"
run_set dfn48k "$(clean_dir dfn48k)" "$(noisy_dir dfn48k)"

python3 - "$WORK" <<'PY'
import json, sys, os, glob
work = sys.argv[1]
cols = ["pesq_wb", "pesq_nb", "stoi", "estoi", "si_sdr", "dnsmos_ovrl"]
for name in ["vbdemand16k", "dfn48k"]:
    print(f"\n{name}\n")
    print("| system | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    rows = [("noisy", f"{name}-noisy.json")] + [(f"stage {s}", f"{name}-stage{s}.json") for s in range(1, 5)] \
         + [("stage 4, postfilter strength 0.5", f"{name}-stage4-mild.json")] \
         + [(f"stage {s} ({os.environ.get('ORACLE_EXTRA','').strip()})", f"{name}-stage{s}-x.json") for s in range(1, 5)]
    for label, f in rows:
        p = os.path.join(work, f)
        if not os.path.exists(p): continue
        m = json.load(open(p))["means"]["enhanced"]
        print(f"| {label} | " + " | ".join("-" if m.get(c) is None else f"{m[c]:.3f}" for c in cols) + " |")
PY
