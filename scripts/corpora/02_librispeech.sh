#!/bin/bash
# LibriSpeech subset from Resemblyzer: flac -> 16-bit PCM wav (lossless), names kept
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${CORPORA:?set CORPORA to the output folder}"
set -euo pipefail
G=${MIRROR}/resemble-ai+Resemblyzer/repo
C=15d828edebe06bc72b9cabc8ef8ca5ab2cb457ce
OUT=${CORPORA}/librispeech; W=${CORPORA}/_work/librispeech
rm -rf "$OUT" "$W"; mkdir -p "$OUT/META" "$W"
. "$(dirname "$0")/lib.sh"; extract_tree "$G" "$C" "$W" audio_data/librispeech_train-clean-100 audio_data/librispeech_test-other
find "$W/audio_data" -name "*.flac" -print0 | sort -z | while IFS= read -r -d "" f; do
  nice -n 19 flac -s -d -f -o "$OUT/$(basename "${f%.flac}").wav" "$f"
done
cp "$W/audio_data/librispeech_train-clean-100/SPEAKERS.TXT" "$OUT/META/SPEAKERS_train-clean-100.TXT"
cp "$W/audio_data/librispeech_test-other/SPEAKERS.TXT" "$OUT/META/SPEAKERS_test-other.TXT"
cp "$W/audio_data/librispeech_test-other/LICENSE.TXT" "$OUT/META/LICENSE.TXT"
rm -rf "$W"
