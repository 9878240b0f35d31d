#!/usr/bin/env python3
"""How much each system attenuates each time-frequency cell, against what the cell holds.

On a set with clean references (clean/ and noisy/ of the same names, e.g. ../train/devset-vbb), for
every system's output folder: the effective gain of each cell (output band energy / noisy band
energy, dB) at 16 kHz, 20 ms frames hopped by 10 ms, 21 bands up to 8 kHz. Cells are binned by their
true SNR (clean band energy / noise band energy, noise = noisy - clean), separately in speech frames
(clean frame energy within 30 dB of the file's loudest) and pauses. Any system can be measured this
way, peers included, since only the output audio is read.

Usage: scripts/cell-gains.py SET_DIR LABEL=OUT_DIR [LABEL=OUT_DIR ...] [--by-band]
  default: median (and 90th percentile) gain per SNR bin, speech frames and pauses;
  --by-band: median gain of the noise-only cells (SNR < -10 dB) per band, pauses / speech frames.
Needs numpy and scipy (Debian: python3-numpy python3-scipy)."""
import os
import sys

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly, stft

RATE = 16000
EDGES = [0, 100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720, 2000, 2320, 2700, 3150, 3700, 4400, 5300, 6400, 8000]
SNR_BINS = [(-99, -10), (-10, -5), (-5, 0), (0, 5), (5, 10), (10, 99)]


def read(path):
    rate, x = wavfile.read(path)
    scale = {np.dtype(np.int16): 32768.0, np.dtype(np.int32): 2147483648.0}.get(x.dtype, 1.0)
    x = x.astype(np.float64) / scale
    if x.ndim > 1:
        x = x.mean(axis=1)
    if rate != RATE:
        g = np.gcd(rate, RATE)
        x = resample_poly(x, RATE // g, rate // g)
    return x


def bands(x):
    f, _, z = stft(x, fs=RATE, nperseg=320, noverlap=160)
    p = np.abs(z) ** 2
    return np.stack([p[(f >= lo) & (f < hi)].sum(axis=0) for lo, hi in zip(EDGES[:-1], EDGES[1:])])


def main(argv):
    by_band = "--by-band" in argv
    args = [a for a in argv if a != "--by-band"]
    if len(args) < 2 or any("=" not in a for a in args[1:]):
        sys.exit(__doc__)
    setdir, systems = args[0], [a.split("=", 1) for a in args[1:]]
    for _, d in systems:
        if not os.path.isdir(d):
            sys.exit(f"{d}: no such folder")
    nb = len(EDGES) - 1
    # acc[label][(speech, key)] -> list of gain arrays; key = SNR bin or band
    acc = {label: {} for label, _ in systems}
    names = sorted(n for n in os.listdir(f"{setdir}/clean") if n.endswith(".wav"))
    if not names:
        sys.exit(f"{setdir}/clean: no WAV files")
    for name in names:
        s, x = read(f"{setdir}/clean/{name}"), read(f"{setdir}/noisy/{name}")
        m = min(len(s), len(x))
        s, x = s[:m], x[:m]
        S, X, N = bands(s), bands(x), bands(x - s)
        snr = 10 * np.log10((S + 1e-12) / (N + 1e-12))
        fe = S.sum(axis=0)
        speech = fe > fe.max() * 1e-3
        live = X > 1e-10
        for label, d in systems:
            path = f"{d}/{name}"
            if not os.path.exists(path):
                sys.exit(f"{path}: missing (every system needs an output for every file of {setdir}/clean)")
            y = read(path)
            k = min(m, len(y))
            Y = bands(np.pad(y[:k], (0, m - k)))
            g = 10 * np.log10((Y + 1e-12) / (X + 1e-12))
            for sp in (False, True):
                frames = (speech == sp)[None, :]
                if by_band:
                    sel = (snr < -10) & live & frames
                    for b in range(nb):
                        acc[label].setdefault((sp, b), []).append(g[b][sel[b]])
                else:
                    for i, (lo, hi) in enumerate(SNR_BINS):
                        sel = (snr >= lo) & (snr < hi) & live & frames
                        acc[label].setdefault((sp, i), []).append(g[sel])

    def stat(label, key, q=None):
        v = np.concatenate(acc[label].get(key, [np.array([])]))
        if len(v) < 50:
            return float("nan")
        return np.median(v) if q is None else np.percentile(v, q)

    if by_band:
        print("Median gain (dB) of noise-only cells (cell SNR < -10 dB), pauses / speech frames\n")
        print("| band Hz | " + " | ".join(label for label, _ in systems) + " |")
        print("|---|" + "---|" * len(systems))
        for b in range(nb):
            cells = [f"{stat(label, (False, b)):.1f} / {stat(label, (True, b)):.1f}" for label, _ in systems]
            print(f"| {EDGES[b]}-{EDGES[b + 1]} | " + " | ".join(cells) + " |")
    else:
        print("Median gain (dB), 90th percentile in brackets, by the cell's true SNR\n")
        print("| system | frames | " + " | ".join(f"{lo}..{hi} dB" for lo, hi in SNR_BINS).replace("-99..", "< ").replace("..99 dB", " dB and up") + " |")
        print("|---|---|" + "---|" * len(SNR_BINS))
        for sp in (True, False):
            for label, _ in systems:
                cells = [f"{stat(label, (sp, i)):.1f} ({stat(label, (sp, i), 90):.1f})" for i in range(len(SNR_BINS))]
                print(f"| {label} | {'speech' if sp else 'pauses'} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
