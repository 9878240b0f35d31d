#!/usr/bin/env python3
"""Clean speech of held-out speakers for the pass-through development set (issue 13).

Takes the speech files of the manifest's validation split (speakers no model trains on), up to
--per-speaker files of at least --min-seconds per speaker, only quiet files whose active speech
level is at least --min-snr dB above their background (the manifest's active_dbfs - background_dbfs),
and copies them unchanged (rate, channels) to OUT as SOURCE_GROUP_FILE.wav. Deterministic: files
are taken in name order. Prints how many speakers and files per source.
Usage: scripts/passthrough-set.py MANIFEST.tsv OUT [--per-speaker 2] [--min-seconds 2] [--min-snr 30] [--max-speakers-per-source 40]

Why --min-snr: the pass-through measure counts every 0.5 s window within 20 dB of the file's
loudest as speech. In a reference whose background is less than about 30 dB below its speech,
windows of breath and hiss pass that test, and a denoiser that removes them is counted as
deleting speech (two Mycroft wake-word clips, 21 and 28 dB, did exactly that: docs/experiments.md,
2026-12-06, sixth sitting). --min-snr 0 gives the set of sessions 7-14.
"""
import argparse, collections, csv, os, re, shutil, sys

ap = argparse.ArgumentParser()
ap.add_argument("manifest"); ap.add_argument("out")
ap.add_argument("--per-speaker", type=int, default=2)
ap.add_argument("--min-seconds", type=float, default=2.0)
ap.add_argument("--min-snr", type=float, default=30.0)
ap.add_argument("--max-speakers-per-source", type=int, default=40)
a = ap.parse_args()
rows = list(csv.DictReader(open(a.manifest), delimiter="\t"))
val = [r for r in rows if r["kind"].lower() == "speech" and r["split"] == "val" and r["quiet"] == "1"
       and float(r["duration_s"]) >= a.min_seconds]
noisy = [r for r in val if float(r["active_dbfs"]) - float(r["background_dbfs"]) < a.min_snr]
val = [r for r in val if float(r["active_dbfs"]) - float(r["background_dbfs"]) >= a.min_snr]
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
print(f"total: {sum(count.values())} speakers, {sum(files.values())} files"
      f" ({len(noisy)} candidate files left out: speech less than {a.min_snr:g} dB above their background)")
