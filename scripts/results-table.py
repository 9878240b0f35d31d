#!/usr/bin/env python3
"""Prints a Markdown table of mean scores from `percepnet-lab eval --json` files.

Usage: scripts/results-table.py LABEL=FILE.json[:signal] ...
signal is "enhanced" (default) or "noisy" (the noisy row of a file evaluated with --noisy).
The best value of each column is set in bold."""
import json
import sys

COLS = [("pesq_wb", "PESQ-WB"), ("pesq_nb", "PESQ-NB"), ("stoi", "STOI"), ("estoi", "ESTOI"),
        ("si_sdr", "SI-SDR dB"), ("dnsmos_sig", "DNSMOS SIG"), ("dnsmos_bak", "DNSMOS BAK"), ("dnsmos_ovrl", "DNSMOS OVRL"),
        ("pause_db", "pause dB")]
LOWER_IS_BETTER = {"pause_db"}  # residual noise between words, dB re speech
rows = []
for arg in sys.argv[1:]:
    label, spec = arg.rsplit("=", 1)
    path, _, signal = spec.partition(":")
    means = json.load(open(path))["means"][signal or "enhanced"]
    rows.append((label, [means.get(k) for k, _ in COLS]))
best = [(min if COLS[i][0] in LOWER_IS_BETTER else max)(
            (r[1][i] for r in rows if r[1][i] is not None and not r[0].startswith("oracle")), default=None)
        for i in range(len(COLS))]
print("| system | " + " | ".join(h for _, h in COLS) + " |")
print("|---|" + "---|" * len(COLS))
for label, vals in rows:
    cells = []
    for i, v in enumerate(vals):
        if v is None:
            cells.append("-")
        else:
            s = f"{v:.2f}" if COLS[i][0] in ("si_sdr", "pause_db") else f"{v:.3f}"
            cells.append(f"**{s}**" if v == best[i] and not label.startswith("oracle") else s)
    print(f"| {label} | " + " | ".join(cells) + " |")
