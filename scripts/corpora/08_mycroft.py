#!/usr/bin/env python3
"""MycroftAI/Precise-Community-Data, all refs: every distinct *.wav blob except tng-computer*/ (TV clips),
heysavant/ (CC BY-NC-SA) and the unlicensed, unmerged K9 PR (#13); plus the two jarbas data tarballs
(android/en/android-20201215-jarbas.tar.gz = 64 wake words in JarbasAI's own voice -> mycroft/jarbasai/;
not-wake-words/noises/bg_noise-20201215-jarbas.tar.gz = 9 background "silence" recordings -> mycroft-noise/).
Speaker folder = contributor, taken from the public-domain licence file that lists the file name."""
import os, re, subprocess, collections, io, tarfile, shutil, hashlib
G = os.environ['MIRROR'] + '/MycroftAI+Precise-Community-Data/repo'
MASTER = '4854e39b7f8c0e14d387d4e135aa10486f5158bf'
OUT = os.environ['CORPORA'] + '/mycroft'; NOISE = os.environ['CORPORA'] + '/mycroft-noise'
def git(*a, text=True):
    return subprocess.run(['git', '--git-dir=' + G, *a], check=True, capture_output=True, text=text).stdout
for d in (OUT, NOISE):
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
commits = [MASTER] + [c for c in git('rev-list', '--all').split() if c != MASTER]
first = {}          # blob -> (commit, path) ; master first, then every other commit of every ref
licfiles = {}       # licence path@blob -> text
for c in commits:
    for line in git('ls-tree', '-r', c).splitlines():
        meta, path = line.split('\t', 1); blob = meta.split()[2]
        first.setdefault((blob, path), c)
        if re.search(r'(^|/)licen[cs]es?[-/].*\.txt$|license-\d+.*\.txt$', path) and 'heysavant' not in path and 'template' not in path:
            licfiles.setdefault(blob, (path, c))
# file name -> contributor, from the licence files
CONTRIB = {'el-tocino': 'el-tocino', 'krisgesling': 'krisgesling', 'adocampo': 'adocampo',
           'amelia': 'jodynickel-amelia', 'jarbas': 'jarbasai'}
owner = {}; licname = {}
os.makedirs(OUT + '/LICENSES', exist_ok=True)
for blob, (path, c) in licfiles.items():
    text = git('cat-file', 'blob', blob)
    m = re.search(r'licen[cs]es?-\d+-([a-z-]+?)\.txt$', path)
    who = m.group(1) if m else None
    with open(f'{OUT}/LICENSES/{os.path.basename(path)[:-4]}.{blob[:8]}.txt', 'w') as f: f.write(f'# {path} @ {c}\n' + text)
    for l in text.splitlines():
        l = l.strip()
        if l.endswith('.wav') and who in CONTRIB:
            owner[os.path.basename(l)] = CONTRIB[who]; licname[os.path.basename(l)] = os.path.basename(path)
EXCL = re.compile(r'^(tng-computer|heysavant)|(^|/)K9')
manifest = ['contributor\tfile\tcommit\trepo_path\tblob\tlicence_file']
seen = {}
for (blob, path), c in sorted(first.items(), key=lambda kv: (kv[1] != MASTER, kv[0][1], kv[0][0])):
    if not path.endswith('.wav') or EXCL.search(path) or blob in seen: continue
    name = os.path.basename(path); who = owner.get(name)
    if who is None: raise SystemExit(f'no licence for {path}')
    dest = f'{OUT}/{who}/{name}'
    if os.path.exists(dest): dest = f'{OUT}/{who}/{name[:-4]}-{blob[:8]}.wav'
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, 'wb') as f: f.write(git('cat-file', 'blob', blob, text=False))
    seen[blob] = dest
    manifest.append(f'{who}\t{os.path.relpath(dest, OUT)}\t{c}\t{path}\t{blob}\t{licname[name]}')
# the two jarbas tarballs (in master)
for tpath, dest_dir, kind in [('android/en/android-20201215-jarbas.tar.gz', f'{OUT}/jarbasai', 'speech'),
                              ('not-wake-words/noises/bg_noise-20201215-jarbas.tar.gz', f'{NOISE}/jarbasai-bg_noise', 'noise')]:
    blob = git('rev-parse', f'{MASTER}:{tpath}').strip()
    os.makedirs(dest_dir, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(git('cat-file', 'blob', blob, text=False)), mode='r:gz') as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith('.wav'): continue
            data = t.extractfile(m).read(); name = os.path.basename(m.name)
            if kind == 'speech':   # names are <uuid>_<hash>_<hash>_android_<uuid>_<epoch ms>.wav: keep the epoch
                name = 'android-jarbasai-' + name[:-4].split('_')[-1] + '.wav'
            with open(f'{dest_dir}/{name}', 'wb') as f: f.write(data)
            line = f'jarbasai\t{os.path.relpath(dest_dir + "/" + name, OUT if kind == "speech" else NOISE)}\t{MASTER}\t{tpath}:{m.name}\t{blob}\tlicense-20201215-jarbas.txt'
            if kind == 'speech': manifest.append(line)
            else:
                with open(f'{NOISE}/MANIFEST.tsv', 'a') as f: f.write(line + '\n')
with open(f'{OUT}/MANIFEST.tsv', 'w') as f: f.write('\n'.join(manifest) + '\n')
print(collections.Counter(l.split('\t')[0] for l in manifest[1:]))
