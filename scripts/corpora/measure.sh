#!/bin/bash
# usage: measure.sh FOLDER  -> files, total seconds, rate histogram, channel histogram, encodings
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
D=$1
n=$(find "$D" -name '*.wav' | wc -l)
tot=$(find "$D" -name '*.wav' -print0 | sort -z | nice -n 19 xargs -0 soxi -D | awk '{s+=$1} END{printf "%.1f", s}')
rates=$(find "$D" -name '*.wav' -print0 | nice -n 19 xargs -0 soxi -r | sort -n | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')
chans=$(find "$D" -name '*.wav' -print0 | nice -n 19 xargs -0 soxi -c | sort -n | uniq -c | awk '{printf "%s%sch x%s", (NR>1?", ":""), $2, $1}')
enc=$(find "$D" -name '*.wav' -print0 | nice -n 19 xargs -0 soxi -b | sort -n | uniq -c | awk '{printf "%s%s-bit x%s", (NR>1?", ":""), $2, $1}')
printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$D" "$n" "$tot" "$(awk -v t=$tot 'BEGIN{printf "%.1f min (%.2f h)", t/60, t/3600}')" "$rates" "$chans" "$enc"
