#!/usr/bin/python3
"""Household noise: find which files hold the same audio (processed chunks and resampled copies of the raw
recordings, renamed between commits). Every candidate is decoded to mono 4 kHz and matched to every longer
file by normalised cross-correlation (peak >= 0.9 = same audio)."""
import os
import subprocess, numpy as np, json, os, sys
W = os.environ['CORPORA'] + '/_work/household'
info = [l.split() for l in open(f'{W}/info.txt')]
def load(b):
    raw = subprocess.run(['nice', '-n', '19', 'sox', f'{W}/blobs/{b}.wav', '-t', 'f32', '-c', '1', '-r', '4000', '-'],
                         check=True, capture_output=True).stdout
    x = np.frombuffer(raw, dtype=np.float32).astype(np.float64)
    return x - x.mean()
sig = {r[0]: load(r[0]) for r in info}
def ncc_max(c, r):
    m, n = len(c), len(r)
    if m > n or m < 400: return 0.0, 0
    L = 1 << int(np.ceil(np.log2(n + m)))
    num = np.fft.irfft(np.fft.rfft(r, L) * np.conj(np.fft.rfft(c, L)), L)[:n - m + 1]
    e = np.concatenate([[0], np.cumsum(r * r)])
    den = np.sqrt(np.maximum(e[m:] - e[:-m], 1e-20)) * np.linalg.norm(c)
    v = num / den; k = int(np.argmax(v))
    return float(v[k]), k
blobs = sorted(sig, key=lambda b: -len(sig[b]))
pairs = []
for i, a in enumerate(blobs):            # a: shorter (candidate), b: longer (reference)
    for b in blobs[:i]:
        v, k = ncc_max(sig[a], sig[b])
        if v >= 0.9: pairs.append((a, b, round(v, 4), round(k / 4000, 3)))
json.dump(pairs, open(f'{W}/matches.json', 'w'), indent=0)
print(len(pairs), 'matching pairs')
