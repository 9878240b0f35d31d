#!/bin/bash
# Household noise (Timgrau/Projektarbeit-1, whole history): list every wav under noise/raw, noise_data/{raw,resampled,processed}
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
# of every commit, dump the distinct blobs, soxi them, match audio (09a), write one file per recording (09b), clean up.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)   # the helpers beside this script (the script cds away below)
G="git --git-dir=${MIRROR}/Timgrau+Projektarbeit-1/repo"
W=${CORPORA}/_work/household
rm -rf "$W"; mkdir -p "$W/blobs"; cd "$W"
for c in $($G rev-list --all); do
  $G ls-tree -r $c | awk -v c=$c -F'\t' '$2 ~ /^(noise\/raw|noise_data\/(raw|resampled|processed))\/.*\.wav$/ {split($1,a," "); print a[3]"\t"$2"\t"c}'
done | sort -u -k1,2 > all.tsv
: > absent.txt
cut -f1 all.tsv | sort -u | while read b; do
  if $G cat-file -e $b 2>/dev/null; then $G cat-file blob $b > blobs/$b.wav; else echo $b >> absent.txt; fi
done
for f in blobs/*.wav; do b=$(basename $f .wav)
  echo "$b $(soxi -r $f) $(soxi -c $f) $(soxi -b $f) $(soxi -D $f) $(awk -F'\t' -v b=$b '$1==b{print $2}' all.tsv | tr '\n' ' ')"
done > info.txt
nice -n 19 /usr/bin/python3 "$HERE"/09a_household_match.py   # -> matches.json (~1.5 min, one core)
nice -n 19 /usr/bin/python3 "$HERE"/09b_household_build.py   # -> ${CORPORA}/household/*.wav + MANIFEST.tsv
rm -rf ${CORPORA}/_work
