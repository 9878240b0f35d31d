#!/bin/bash
# blanket: data/resources/sounds/*.ogg -> 16-bit PCM wav; pink-noise/white-noise (synthetic) left out;
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
# stream.ogg is >= 4 MiB and absent from the snapshot (every version of it)
set -euo pipefail
G=${MIRROR}/rafaelmardojai+blanket/repo
C=8b1c27aedde1d6ad8053ce5ad351a2924bcdb766
OUT=${CORPORA}/blanket; W=${CORPORA}/_work/blanket
rm -rf "$OUT" "$W"; mkdir -p "$OUT" "$W"
git --git-dir=$G show $C:SOUNDS_LICENSING.md > "$OUT/SOUNDS_LICENSING.md"
git --git-dir=$G ls-tree -r $C data/resources/sounds | awk '$4 ~ /\.ogg$/ {print $3"\t"$4}' |
while IFS=$'\t' read -r blob path; do
  name=$(basename "$path" .ogg)
  case "$name" in pink-noise|white-noise) continue;; esac
  if git --git-dir=$G cat-file -e "$blob" 2>/dev/null; then
    git --git-dir=$G cat-file blob "$blob" > "$W/$name.ogg"
    nice -n 19 ffmpeg -nostdin -loglevel error -threads 1 -i "$W/$name.ogg" -map_metadata -1 -bitexact -c:a pcm_s16le "$OUT/$name.wav"
    rm "$W/$name.ogg"
  else
    echo "MISSING (not in snapshot): $path" >&2
  fi
done
rm -rf "$W"
