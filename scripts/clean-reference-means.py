#!/usr/bin/env python3
"""Means of a set's scores over the pairs whose clean reference is itself clean.

PESQ and STOI compare a system's output with the set's clean reference. Many references of our
development sets are read speech with its recording's background (hiss, room noise) only 20-40 dB
below the speech; a suppressor that removes that background too is marked down for it, though
users want it gone (docs/experiments.md, eleventh sitting). This prints, per system, the mean of
each metric over the pairs whose reference background is at least T dB below its speech, and over
all pairs. Background: the 10th percentile of the reference's 10 ms frame energies (digital
silence left out) against their 95th percentile.

Usage: scripts/clean-reference-means.py SET_DIR [--below DB] LABEL=EVAL_JSON ...
  SET_DIR holds clean/ (the references); EVAL_JSON is `percepnet-lab eval --json` output on it.
  --below: T, default 40 dB.
Needs numpy and scipy (Debian: python3-numpy python3-scipy)."""
import json
import os
import sys

import numpy as np
from scipy.io import wavfile

METRICS = ['pesq_wb', 'stoi', 'dnsmos_bak']


def reference_background_db(path):
    rate, x = wavfile.read(path)
    x = x.astype(np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    hop = rate // 100
    n = len(x) // hop
    e = (x[:n * hop].reshape(n, hop) ** 2).mean(axis=1)
    e = e[e > 0]
    if len(e) < 10:
        raise SystemExit(f'{path}: fewer than 10 frames that are not digital silence')
    return 10 * np.log10(np.percentile(e, 95) / np.percentile(e, 10))


def main(argv):
    args = list(argv)
    below = 40.0
    if '--below' in args:
        i = args.index('--below')
        below = float(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2 or any('=' not in a for a in args[1:]):
        raise SystemExit(__doc__)
    set_dir = args[0]
    clean_dir = os.path.join(set_dir, 'clean')
    if not os.path.isdir(clean_dir):
        raise SystemExit(f'{clean_dir}: no such folder (SET_DIR must hold clean/)')
    names = sorted(f for f in os.listdir(clean_dir) if f.endswith('.wav'))
    bg = {f: reference_background_db(os.path.join(clean_dir, f)) for f in names}
    keep = {f for f in names if bg[f] >= below}
    print(f'{len(keep)} of {len(names)} pairs have a reference background at least {below:g} dB below the speech')
    print()
    print('| system | ' + ' | '.join(f'{m} (clean refs)' for m in METRICS) + ' | ' + ' | '.join(f'{m} (all)' for m in METRICS) + ' |')
    print('|---' * (2 * len(METRICS) + 1) + '|')
    for arg in args[1:]:
        label, path = arg.split('=', 1)
        files = [f for f in json.load(open(path))['files'] if f['signal'] == 'enhanced']
        missing = set(names) - {f['file'] for f in files}
        if missing:
            raise SystemExit(f'{path}: no scores for {len(missing)} pairs of {set_dir}, e.g. {sorted(missing)[0]}')
        sub = [f for f in files if f['file'] in keep]
        cells = [f'{np.mean([f[m] for f in sub]):.3f}' for m in METRICS] + [f'{np.mean([f[m] for f in files]):.3f}' for m in METRICS]
        print(f'| {label} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main(sys.argv[1:])
