#!/usr/bin/env python3
"""Per-condition means of `percepnet-lab eval --json` files on a set made by `percepnet-lab corpus mixtures`:
one Markdown table per metric, one row per system, one column per condition (SNR bin, noise type,
reverberation, bandwidth), each with its number of pairs.

Also reads the mixtures.tsv of scripts/vblike-devset.py (columns file, speaker, noise, snr_db): its conditions are
the SNR, the noise's source and the speech's source (the part of the name before "/").

Usage: scripts/condition-table.py MIXTURES.tsv METRIC[,METRIC...] LABEL=FILE.json[:signal] ...
METRIC: pesq_wb, stoi, dnsmos_bak, si_sdr, ... signal: "enhanced" (default) or "noisy".
A mixture's SNR is that of its first noise; "noise only" and "clean only" mixtures get their own bins."""
import csv
import json
import re
import sys


def conditions(desc, bandwidth):
    out = []
    if "noise only" in desc:
        out.append("noise only")
    elif "clean only" in desc:
        out.append("clean only")
    else:
        m = re.search(r"snr (-?[\d.]+)", desc)
        snr = float(m.group(1)) if m else None
        if snr is not None:
            out.append("SNR < 0" if snr < 0 else "SNR 0-10" if snr < 10 else "SNR 10-20" if snr < 20 else "SNR >= 20")
        first = desc.split(", ")
        kinds = [p for p in first if " snr " in p]
        if kinds:
            k = kinds[0]
            out.append("babble" if k.startswith("babble") else "typing" if k.startswith("typing") else
                       "stationary" if k.startswith(("white", "pink", "brown", "coloured", "stationary")) else "recorded noise")
    out.append("reverberant" if "room rt60" in desc else "dry")
    out.append("band <= 8 kHz" if bandwidth <= 8000 else "band > 8 kHz")
    return out


def main():
    tsv, metrics, systems = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    cond = {}
    with open(tsv) as f:
        reader = csv.DictReader(f, delimiter="\t")
        vblike = "snr_db" in (reader.fieldnames or [])
        for row in reader:
            if vblike:
                cond[row["file"]] = [f"{float(row['snr_db']):g} dB", "noise " + row["noise"].split("/")[0],
                                     "speech " + row["speaker"].split("/")[0]]
            else:
                cond[row["file"]] = conditions(row["description"], float(row["bandwidth_hz"]))
    if vblike:
        names = {c for v in cond.values() for c in v}
        order = (sorted((c for c in names if c.endswith(" dB")), key=lambda c: float(c.split()[0]))
                 + sorted(c for c in names if c.startswith("noise ")) + sorted(c for c in names if c.startswith("speech ")))
    else:
        order = ["SNR < 0", "SNR 0-10", "SNR 10-20", "SNR >= 20", "noise only", "clean only", "recorded noise",
                 "babble", "stationary", "typing", "reverberant", "dry", "band <= 8 kHz", "band > 8 kHz"]
    data = []
    for arg in systems:
        label, spec = arg.rsplit("=", 1)
        path, _, signal = spec.partition(":")
        files = [r for r in json.load(open(path))["files"] if r["signal"] == (signal or "enhanced")]
        data.append((label, files))
    present = [c for c in order if any(c in v for v in cond.values())]
    for metric in metrics:
        counts = {c: sum(c in v for v in cond.values()) for c in present}
        print(f"\n**{metric}** (pairs per condition in the header)\n")
        print("| system | " + " | ".join(f"{c} ({counts[c]})" for c in present) + " |")
        print("|---|" + "---|" * len(present))
        for label, files in data:
            cells = []
            for c in present:
                vals = [r[metric] for r in files if r["file"] in cond and c in cond[r["file"]] and r.get(metric) is not None]
                cells.append(f"{sum(vals) / len(vals):.3f}" if vals else "-")
            print(f"| {label} | " + " | ".join(cells) + " |")


main()
