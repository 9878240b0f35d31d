#!/bin/bash
# speechocean762: WAVE/SPEAKERxxxx/*.WAV (16 kHz 16-bit PCM) copied as-is, extension lowercased; speaker metadata to META/
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
set -euo pipefail
G=${MIRROR}/jimbozhang+speechocean762/repo
C=613968e3b0b789fc33936fb5eba1973176ba7d11
OUT=${CORPORA}/speechocean762; W=${CORPORA}/_work/so762
rm -rf "$OUT" "$W"; mkdir -p "$OUT/META" "$W"
. "$(dirname "$0")/lib.sh"; extract_tree "$G" "$C" "$W" WAVE
for d in "$W"/WAVE/SPEAKER*; do
  s=$(basename "$d"); mkdir -p "$OUT/$s"
  for f in "$d"/*.WAV; do mv "$f" "$OUT/$s/$(basename "${f%.WAV}").wav"; done
done
for split in train test; do for m in spk2age spk2gender spk2utt utt2spk text; do
  git --git-dir=$G show $C:$split/$m > "$OUT/META/${split}_$m.txt"
done; done
# merged per-speaker table: SPEAKERxxxx age gender split
for split in train test; do
  join <(sort "$OUT/META/${split}_spk2age.txt") <(sort "$OUT/META/${split}_spk2gender.txt") | awk -v s=$split '{printf "SPEAKER%s\t%s\t%s\t%s\n", $1, $2, $3, s}'
done | sort > "$OUT/META/speakers.tsv"
sed -i '1i speaker\tage\tgender\tsplit' "$OUT/META/speakers.tsv"
git --git-dir=$G show $C:README.md > "$OUT/META/README.md"
rm -rf "$W"
