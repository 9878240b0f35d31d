#!/usr/bin/python3
"""Writes a development set shaped like the VoiceBank+DEMAND test condition, from held-out material
of our own manifest (docs/experiments.md, 2026-12-06 seventh sitting, "a development set that ranks
the peers like VB").

What makes it VB-like: read speech of held-out adult and child speakers (LibriSpeech,
speechocean762, RAVDESS validation speakers), real ambient noise recordings only (no game sound
effects, no babble made of our own speech, no synthetic noise), SNRs 2.5 / 7.5 / 12.5 / 17.5 dB
(active speech level against the noise's RMS), no reverberation, and everything at 16 kHz,
16-bit, as the VB pairs are. Nothing here reads ../shared/data/eval. Debian's python3-numpy (hence
/usr/bin/python3).

With --babble the noise is a crowd instead (docs/experiments.md, ninth sitting): 6-12 other
held-out talkers (never the pair's own speaker), each through its own sox reverb (distant voices
in a room), at levels within 6 dB of each other, over an ambient recording 10 dB below them, as a
cafe or a public square sounds.

Usage: scripts/vblike-devset.py MANIFEST.tsv OUT [--count 48] [--seed 7] [--babble]
Writes OUT/clean/NAME.wav, OUT/noisy/NAME.wav and OUT/mixtures.tsv. Needs sox and numpy.
"""
import argparse
import os
import random
import subprocess
import sys

import numpy as np

RATE = 16000
SNRS = [2.5, 7.5, 12.5, 17.5]
SPEECH_SOURCES = {"librispeech", "speechocean762", "ravdess", "shared-ravdess48k"}
# Real ambient recordings of the validation split. UrbanSound8K classes 0 (air conditioner),
# 4 (drilling), 5 (engine idling) and 7 (jackhammer) are continuous sources; the others are events
# or hold voices (children playing, street music).
AMBIENT_SOURCES = {"moodist", "blanket", "household", "mycroft-noise"}
URBAN_CLASSES = {"0", "4", "5", "7"}
EXCLUDE_NOISE = {"things_singing-bowl"}  # a tonal bowl, not a background


def load(path):
    """Decodes any file sox reads to mono float32 at 16 kHz."""
    raw = subprocess.run(["sox", "-V1", path, "-t", "raw", "-e", "float", "-b", "32", "-c", "1",
                          "-r", str(RATE), "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32).astype(np.float64)


def save(path, x):
    tmp = path + ".tmp.wav"
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2").tobytes()
    subprocess.run(["sox", "-V1", "-t", "raw", "-e", "signed", "-b", "16", "-c", "1", "-r", str(RATE),
                    "-", tmp], input=pcm, check=True)
    os.replace(tmp, path)


def active_rms(x):
    """RMS over 20 ms frames within 40 dB of the loudest frame (a simple stand-in for P.56)."""
    n = len(x) // 320
    e = (x[: n * 320].reshape(n, 320) ** 2).mean(axis=1) + 1e-20
    keep = e > e.max() * 1e-4
    return float(np.sqrt(e[keep].mean()))


def fit(x, n, rng):
    """x looped to at least n samples, then a random stretch of n."""
    while len(x) < n:
        x = np.concatenate([x, x])
    start = rng.randrange(len(x) - n + 1)
    return x[start:start + n]


def babble(speech, own, n, rng):
    """A crowd: 6-12 held-out talkers other than `own`, each reverberant, within 6 dB of each other."""
    others = [k for k in sorted(speech) if k != own]
    talkers = rng.randint(6, 12)
    out = np.zeros(n)
    for k in rng.sample(others, min(talkers, len(others))):
        utts = sorted(speech[k], key=lambda r: r["path"])
        x = np.concatenate([load(u["path"]) for u in rng.sample(utts, min(3, len(utts)))])
        # A distant talker: sox reverb (50-90% reverberance, a large room), wet only.
        pcm = x.astype("<f4").tobytes()
        wet = subprocess.run(["sox", "-V1", "-t", "raw", "-e", "float", "-b", "32", "-c", "1", "-r", str(RATE), "-",
                              "-t", "raw", "-e", "float", "-b", "32", "-c", "1", "-", "reverb", "-w",
                              str(rng.randint(50, 90)), "50", "100"], input=pcm, check=True, capture_output=True).stdout
        y = fit(np.frombuffer(wet, dtype=np.float32).astype(np.float64), n, rng)
        out += y / (np.sqrt((y ** 2).mean()) + 1e-12) * 10 ** (-6 * rng.random() / 20)
    return out, talkers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("manifest")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=48)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--babble", action="store_true", help="a crowd of held-out talkers as the noise")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    speech, noise = {}, []
    with open(a.manifest) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            if r["split"] != "val":
                continue
            if r["kind"] == "speech" and r["source"] in SPEECH_SOURCES:
                speech.setdefault((r["source"], r["group"]), []).append(r)
            elif r["kind"] == "noise" and float(r["duration_s"]) >= 3:
                base = os.path.basename(r["path"])
                if r["source"] in AMBIENT_SOURCES and r["group"] not in EXCLUDE_NOISE:
                    noise.append(r)
                elif r["source"] == "urbansound8k" and base.split("-")[1] in URBAN_CLASSES:
                    noise.append(r)
    if not speech or not noise:
        sys.exit(f"{a.manifest}: no validation speech or ambient noise rows")
    speakers = sorted(speech)
    rng.shuffle(speakers)
    ambient = sorted([n for n in noise if n["source"] != "urbansound8k"], key=lambda r: r["path"])
    urban = sorted([n for n in noise if n["source"] == "urbansound8k"], key=lambda r: r["path"])
    for d in ("clean", "noisy"):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    rows = []
    for i in range(a.count):
        name = f"vbl-{i:04d}.wav"
        key = speakers[i % len(speakers)]
        utts = sorted(speech[key], key=lambda r: r["path"])
        rng.shuffle(utts)
        parts, total = [], 0.0
        for u in utts:
            x = load(u["path"])
            parts.append(x)
            parts.append(np.zeros(int(0.3 * RATE)))
            total += len(x) / RATE
            if total >= 3.0 or len(parts) >= 6:
                break
        clean = np.concatenate([np.zeros(int(0.4 * RATE))] + parts)
        # Three ambient recordings for every urban one: DEMAND is mostly ambient.
        pool = urban if (i % 4 == 3 and urban) else ambient
        nrow = pool[rng.randrange(len(pool))]
        n = fit(load(nrow["path"]), len(clean), rng)
        what = f"{nrow['source']}/{nrow['group']}"
        if a.babble:
            crowd, talkers = babble(speech, key, len(clean), rng)
            n = crowd + n * (np.sqrt((crowd ** 2).mean()) / (np.sqrt((n ** 2).mean()) + 1e-12)) * 10 ** (-10 / 20)
            what = f"babble {talkers} + {what}"
        snr = SNRS[i % len(SNRS)]
        s_rms = active_rms(clean)
        n_rms = float(np.sqrt((n ** 2).mean())) + 1e-12
        n = n * (s_rms / n_rms) * 10 ** (-snr / 20)
        noisy = clean + n
        peak = max(np.abs(noisy).max(), np.abs(clean).max())
        # VB's files sit around -26 dBov active level; scale both alike, never clip.
        g = min(10 ** (-26 / 20) / s_rms, 0.95 / peak)
        save(os.path.join(a.out, "clean", name), clean * g)
        save(os.path.join(a.out, "noisy", name), noisy * g)
        rows.append(f"{name}\t{key[0]}/{key[1]}\t{what}\t{snr}\t{len(clean) / RATE:.2f}")
        print(rows[-1], flush=True)
    with open(os.path.join(a.out, "mixtures.tsv"), "w") as f:
        f.write("file\tspeaker\tnoise\tsnr_db\tseconds\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
