#!/usr/bin/env python3
"""Clean speech of held-out speakers for the pass-through development set (issue 13).

Takes the speech files of the manifest's validation split (speakers no model trains on), up to
--per-speaker files of at least --min-seconds per speaker, only quiet files (a clean reference),
and copies them unchanged (rate, channels) to OUT as SOURCE_GROUP_FILE.wav. Deterministic: files
are taken in name order. Prints how many speakers and files per source.
Usage: scripts/passthrough-set.py MANIFEST.tsv OUT [--per-speaker 2] [--min-seconds 2] [--max-speakers-per-source 40]
"""
import argparse, collections, csv, os, re, shutil, sys

ap = argparse.ArgumentParser()
ap.add_argument("manifest"); ap.add_argument("out")
ap.add_argument("--per-speaker", type=int, default=2)
ap.add_argument("--min-seconds", type=float, default=2.0)
ap.add_argument("--max-speakers-per-source", type=int, default=40)
a = ap.parse_args()
rows = list(csv.DictReader(open(a.manifest), delimiter="\t"))
val = [r for r in rows if r["kind"].lower() == "speech" and r["split"] == "val" and r["quiet"] == "1"
       and float(r["duration_s"]) >= a.min_seconds]
by = collections.defaultdict(list)
for r in val: by[(r["source"], r["group"])].append(r)
os.makedirs(a.out, exist_ok=True)
count = collections.Counter(); files = collections.Counter()
for (source, group) in sorted(by):
    if count[source] >= a.max_speakers_per_source: continue
    count[source] += 1
    for r in sorted(by[(source, group)], key=lambda r: r["path"])[: a.per_speaker]:
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{source}_{group}_{os.path.basename(r['path'])}")
        shutil.copyfile(r["path"], os.path.join(a.out, name))
        files[source] += 1
for s in sorted(count): print(f"{s}: {count[s]} speakers, {files[s]} files")
print(f"total: {sum(count.values())} speakers, {sum(files.values())} files")
