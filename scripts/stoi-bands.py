#!/usr/bin/env python3
# STOI (Taal et al. 2011) per 1/3-octave band: the mean of the segment correlations d_j,m per band j, per
# system, over every file of CLEAN_DIR (paired by name). Its last line, the mean over files, matches
# `percepnet-lab eval`'s STOI to about 4 decimals (VB: 0.8503 / 0.8620 / 0.8874 against 0.850 / 0.862 / 0.888).
# Where a system loses intelligibility: low bands (pitch harmonics) or high (consonants).
# usage: scripts/stoi-bands.py CLEAN_DIR NAME=DIR ...   (python3 with numpy and scipy)
import sys, glob, os
import numpy as np, scipy.io.wavfile as wf, scipy.signal as ss
FS, N, NFFT, NB, MINF, BETA, DYN = 10000, 30, 512, 15, 150, -15, 40
def load(p):
    r, x = wf.read(p); x = x.astype(np.float64) / 32768
    return ss.resample_poly(x, FS, r) if r != FS else x
cf = MINF * 2 ** (np.arange(NB) / 3)
f = np.linspace(0, FS, NFFT + 1)[:NFFT // 2 + 1]
H = np.array([(f >= c * 2 ** (-1 / 6)) & (f < c * 2 ** (1 / 6)) for c in cf]).astype(float)
win = np.hanning(258)[1:-1]
def frames(x): return np.array([x[i:i + 256] * win for i in range(0, len(x) - 256 + 1, 128)])
def remove_silent(x, y):
    fx, fy = frames(x), frames(y)
    e = 20 * np.log10(np.linalg.norm(fx, axis=1) + 1e-20); keep = e > e.max() - DYN
    fx, fy = fx[keep], fy[keep]
    def ola(F):
        out = np.zeros((len(F) - 1) * 128 + 256)
        for i, fr in enumerate(F): out[i * 128:i * 128 + 256] += fr
        return out
    return ola(fx), ola(fy)
def tob(x):
    S = np.abs(np.fft.rfft(frames(x), NFFT, axis=1)) ** 2
    return np.sqrt(S @ H.T).T  # bands x frames
def dmat(x, y):
    x, y = remove_silent(x, y); X, Y = tob(x), tob(y); d = []
    for m in range(N, X.shape[1] + 1):
        xs, ys = X[:, m - N:m], Y[:, m - N:m]
        alpha = np.sqrt((xs ** 2).sum(1, keepdims=True) / ((ys ** 2).sum(1, keepdims=True) + 1e-20))
        yp = np.minimum(ys * alpha, xs * (1 + 10 ** (-BETA / 20)))
        xs = xs - xs.mean(1, keepdims=True); yp = yp - yp.mean(1, keepdims=True)
        d.append((xs * yp).sum(1) / (np.linalg.norm(xs, axis=1) * np.linalg.norm(yp, axis=1) + 1e-20))
    return np.array(d).T  # bands x segments
clean_dir = sys.argv[1]; systems = [a.split('=') for a in sys.argv[2:]]
names = sorted(os.path.basename(p) for p in glob.glob(clean_dir + '/*.wav'))
per = {n: [] for n, _ in systems}; tot = {n: [] for n, _ in systems}
for fn in names:
    c = load(os.path.join(clean_dir, fn))
    for n, d in systems:
        e = load(os.path.join(d, fn)); m = min(len(c), len(e)); D = dmat(c[:m], e[:m])
        per[n].append(D); tot[n].append(D.mean())
print('band Hz', *[n for n, _ in systems], sep='\t')
for j in range(NB):
    print(f'{cf[j]:.0f}', *[f'{np.mean(np.concatenate([D[j] for D in per[n]])):.3f}' for n, _ in systems], sep='\t')
print('STOI', *[f'{np.mean(tot[n]):.4f}' for n, _ in systems], sep='\t')
