#!/bin/bash
# moodist: public/sounds/**/*.mp3 -> 16-bit PCM wav at the original rate/channels; name = category_name.wav
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
# (the 9 .wav files in public/sounds are synthetic: binaural beats, coloured noise, silence -> not taken)
set -euo pipefail
G=${MIRROR}/remvze+moodist/repo
C=983f7412e8cd054e76d156977c563da2028e4428
OUT=${CORPORA}/moodist; W=${CORPORA}/_work/moodist
rm -rf "$OUT" "$W"; mkdir -p "$OUT" "$W"
# blobs of 4 MiB and more are absent from the snapshot (chickens.mp3, airport.mp3): archive the rest one by one
git --git-dir=$G ls-tree -r $C public/sounds | awk '$1=="100644" && $4 ~ /\.mp3$/ {print $3"\t"$4}' |
while IFS=$'\t' read -r blob path; do
  rel=${path#public/sounds/}; name=${rel%.mp3}; name=${name//\//_}
  if git --git-dir=$G cat-file -e "$blob" 2>/dev/null; then
    git --git-dir=$G cat-file blob "$blob" > "$W/$name.mp3"
    nice -n 19 ffmpeg -nostdin -loglevel error -threads 1 -i "$W/$name.mp3" -map_metadata -1 -bitexact -c:a pcm_s16le "$OUT/$name.wav"
    rm "$W/$name.mp3"
  else
    echo "MISSING (not in snapshot): $path" >&2
  fi
done
rm -rf "$W"
