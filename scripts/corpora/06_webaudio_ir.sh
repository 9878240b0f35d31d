#!/bin/bash
# web-audio-samples measured room impulse responses (WAV blobs copied as-is), deduplicated by blob.
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
# All distinct IR blobs of the repository's history are in commits 2d78781a (src/sounds/impulse-responses/**,
# src/archive/..., src/demos/*/impulse-responses/) and 7446ce91 (sounds/impulse-responses/); older commits
# only hold earlier encodings of the same bin_dfeq files and of crosstalk.wav (effect).
set -euo pipefail
G=${MIRROR}/GoogleChromeLabs+web-audio-samples/repo
C1=2d78781a05cea9e692f9eaf94c63f46833b86f87
C2=7446ce91f390f18b51d151929b8614cd3f320448
OUT=${CORPORA}/webaudio-ir; M=$OUT/measured
rm -rf "$OUT"; mkdir -p "$M"
PORI="Pori concert hall IRs (TKK/Akukon 2005): free for non-commercial use with citation; commercial use prohibited (see LICENSE + readme.txt in the folder)"
APACHE="Apache-2.0 (repository licence; no provenance note for these IRs)"
git --git-dir=$G show $C1:src/sounds/impulse-responses/binaural/readme.txt > "$OUT/PORI_README.txt"
git --git-dir=$G show $C1:src/sounds/impulse-responses/binaural/LICENSE > "$OUT/PORI_LICENSE.txt"
printf "status\tfile\tcommit\trepo_path\tblob\tclass\tlicence\n" > "$OUT/MANIFEST.tsv"
declare -A seen
for C in $C1 $C2; do
  while IFS=$'\t' read -r blob path; do
    rel=${path#*impulse-responses/}; name=$(basename "$rel")
    class=other; dest=""; lic="$APACHE"
    case "$rel" in
      house-impulses/*.wav)        class=measured; dest=house-impulses/$name ;;
      tim-warehouse/*/*.wav)       class=measured; dest=tim-warehouse/$name ;;
      tim-warehouse/tim-room-reflections.wav) class=measured; dest=tim-warehouse/$name ;;
      tim-warehouse/*magnetic*.wav) class=measured-duplicate ;;   # same blobs as the -levelled files
      binaural/*.wav)              class=measured; dest=pori-binaural/$name; lic="$PORI" ;;
      bin_dfeq/*.wav)              class=measured; dest=pori-bin_dfeq/$name; lic="$PORI" ;;
      medium-room1.wav|medium-room2.wav) class=measured; dest=medium-room/$name ;;
      kitchen-true-stereo.wav|binaural-s3_r4_bd.wav|omni-35-10.wav|cardiod-*.wav|super-ceiling-35-10.wav) class=measured-duplicate ;;
      *stretch*|*blend*)           class="edited-measured(time-stretched/blended)" ;;
      *)                           class=synthetic-or-effect ;;
    esac
    if [ -n "${seen[$blob]:-}" ]; then
      printf "duplicate-of:%s\t\t%s\t%s\t%s\t%s\t%s\n" "${seen[$blob]}" "$C" "$path" "$blob" "$class" "$lic" >> "$OUT/MANIFEST.tsv"; continue
    fi
    if [ -n "$dest" ]; then
      mkdir -p "$M/$(dirname "$dest")"
      git --git-dir=$G cat-file blob "$blob" > "$M/$dest"
      seen[$blob]="measured/$dest"
      printf "taken\tmeasured/%s\t%s\t%s\t%s\t%s\t%s\n" "$dest" "$C" "$path" "$blob" "$class" "$lic" >> "$OUT/MANIFEST.tsv"
    else
      seen[$blob]="$path"
      printf "not-taken\t\t%s\t%s\t%s\t%s\t%s\n" "$C" "$path" "$blob" "$class" "$lic" >> "$OUT/MANIFEST.tsv"
    fi
  done < <(git --git-dir=$G ls-tree -r $C | awk '$4 ~ /impulse-responses\/.*\.wav$/ {print $3"\t"$4}' | sort -k2,2)
done
