#!/usr/bin/python3
"""Household noise from Timgrau/Projektarbeit-1 (all 57 commits): one WAV per distinct recording.
Inputs (prepared by the shell steps in REPORT.md): _work/household/all.tsv (blob, path, commit of every wav under
noise/raw, noise_data/raw, noise_data/resampled, noise_data/processed), blobs/<blob>.wav, info.txt (soxi) and
matches.json (09a: pairs of files holding the same audio, normalised cross-correlation >= 0.9 at 4 kHz).
Rules: a raw recording present in the snapshot is taken as it is. A raw recording absent from the snapshot (>= 4 MiB)
is rebuilt by concatenating its processed 5-s slices at the original 44.1 kHz rate (consecutive, unscaled: gain
0.997 against the 16 kHz resampled copy for every slice); the 16 kHz resampled copies and 16 kHz slices are then
duplicates and are not taken. The three *_activitie.wav test files (0 dB mixtures of the 'usage' signal with a noise) are left out."""
import os
import json, collections, subprocess, os, shutil, hashlib
W = os.environ['CORPORA'] + '/_work/household'; OUT = os.environ['CORPORA'] + '/household'
info = {l.split()[0]: l.split() for l in open(f'{W}/info.txt')}
paths = collections.defaultdict(list); commit = {}
for l in open(f'{W}/all.tsv'):
    b, p, c = l.rstrip('\n').split('\t'); paths[b].append(p); commit.setdefault(b, c)
pairs = json.load(open(f'{W}/matches.json'))
par = {b: b for b in info}
def find(x):
    while par[x] != x: par[x] = par[par[x]]; x = par[x]
    return x
for a, b, v, k in pairs: par[find(a)] = find(b)
clusters = collections.defaultdict(list)
for b in info: clusters[find(b)].append(b)
shutil.rmtree(OUT, ignore_errors=True); os.makedirs(OUT)
cls_name = {'aircon': 'air-conditioner', 'dishwasher': 'dishwasher', 'street': 'street', 'vacuuming': 'vacuum-cleaner', 'washer': 'washing-machine'}
rows = ['file\tmethod\tsource_blobs\tsource_paths\tcommits']
counter = collections.Counter(); skipped = []
for root, members in sorted(clusters.items(), key=lambda kv: min(paths[m][0] for m in kv[1])):
    kinds = {m: ('raw' if any('/raw/' in p for p in paths[m]) else 'res' if any('resampled' in p for p in paths[m]) else 'proc') for m in members}
    if all('activitie' in p for m in members for p in paths[m]):
        skipped += members; continue
    cls = os.path.basename(paths[members[0]][0]).split('_')[0]
    raws = [m for m in members if kinds[m] == 'raw']
    counter[cls] += 1
    name = f'{cls_name[cls]}-{counter[cls]:02d}.wav'
    if raws:
        assert len(raws) == 1, raws
        src = [raws[0]]
        shutil.copyfile(f'{W}/blobs/{raws[0]}.wav', f'{OUT}/{name}'); method = 'raw recording, copied as-is'
    else:
        res = [m for m in members if kinds[m] == 'res'][0]
        offs = {a: k for a, b, v, k in pairs if b == res}
        hi = sorted((offs[m], m) for m in members if kinds[m] == 'proc' and info[m][1] == '44100')
        assert [round(k) for k, m in hi] == list(range(0, 5 * len(hi), 5)), hi
        src = [m for k, m in hi]
        subprocess.run(['nice', '-n', '19', 'sox', *[f'{W}/blobs/{m}.wav' for m in src], f'{OUT}/{name}'], check=True)
        method = f'raw absent from the snapshot: {len(src)} consecutive 5-s slices at 44.1 kHz (noise_data/processed) concatenated'
    rows.append(f'{name}\t{method}\t{",".join(src)}\t{",".join(sorted({p for m in src for p in paths[m]}))}\t{",".join(sorted({commit[m] for m in src}))}')
    for m in members:
        if m not in src: rows.append(f'(duplicate of {name})\tsame audio ({kinds[m]}, {info[m][1]} Hz), not taken\t{m}\t{",".join(sorted(set(paths[m])))}\t{commit[m]}')
for m in skipped:
    rows.append(f'(left out)\ttest file: 0 dB mixture of the usage signal with a noise (correlation 0.75 with it)\t{m}\t{",".join(paths[m])}\t{commit[m]}')
open(f'{OUT}/MANIFEST.tsv', 'w').write('\n'.join(rows) + '\n')
print(counter, sum(counter.values()))
