#!/bin/bash
# every wav: decodes with sox, RMS and peak (sox stat); prints folder, file, rms, max
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
find ${CORPORA} -path ${CORPORA}/_work -prune -o -name '*.wav' -print | sort | while read -r f; do
  s=$(nice -n 19 sox "$f" -n stat 2>&1) || { echo -e "ERROR\t$f"; continue; }
  rms=$(echo "$s" | awk -F: '/RMS     amplitude/ {gsub(/ /,"",$2); print $2}')
  mx=$(echo "$s" | awk -F: '/Maximum amplitude/ {gsub(/ /,"",$2); print $2}')
  echo -e "$f\t$rms\t$mx"
done
