#!/usr/bin/env bash
# Rebuilds, on a new machine, the local data that training and the selection rule need: the decoded
# corpora, the Debian cache, the manifest, the development sets and the pass-through sets (and, on
# request, training shards). Nothing here is committed; everything lands beside the repository.
# Resumable: each finished step leaves a marker in $TRAIN_ROOT/rebuild/ and is skipped next time,
# so after an interruption the same command continues. Delete a marker to redo its step.
#
#   MIRROR=DIR scripts/rebuild-train-root.sh [STEP...]      (default: every step but shards)
#
# Steps, in order:
#   corpora      scripts/corpora/01..09 into $CORPORA (needs the snapshots of scripts/corpora/README.md in
#                $MIRROR, brought in with the `fetch` tool) and their measurements
#   manifest     percepnet-lab corpus build -> $TRAIN_ROOT/corpus3.tsv (downloads the Debian packages
#                into $DEBCACHE) and corpus3-fb.tsv (rows of 16 kHz bandwidth or more, rooms, key clicks)
#   devsets      $TRAIN_ROOT/devset (60 pairs, seed 1), devset-fb (30 fullband pairs, seed 5) and devset-vbl
#                (48 VB-like pairs at 16 kHz, scripts/vblike-devset.py, seed 7) and devset-vbb (32 VB-like
#                pairs whose noise is a crowd of distant held-out talkers, --babble, seed 8), and the same three
#                with clean references only (devset-c, devset-vblc, devset-vbbc from corpus3-cleanref.tsv:
#                validation speech at least 50 dB above its background)
#   passthrough  $TRAIN_ROOT/passthrough/{unseen,heldout,all,all-m20,vb-pitch1000}: the unseen voices
#                (scripts/corpora/10_unseen_voices.sh), the manifest's validation speakers
#                (scripts/passthrough-set.py), both together, the same 20 dB quieter, and the VB clean
#                files pitched up 1000 cents at 48 kHz
#   manifest4    (on request) the 0 A.D. ambient noise (scripts/corpora/11_oad_ambient.sh: Debian 0ad-data,
#                taken from $DEB_DIR or downloaded) added to corpus3.tsv -> $TRAIN_ROOT/corpus4.tsv
#   shards-NAME  training shards by the recipes below (s10-s16 from corpus3.tsv, s17 from corpus4.tsv:
#                docs/experiments.md), about 20 min each
#
# Environment: MIRROR (required for `corpora` and `passthrough`), CORPORA (default ../corpora),
# DEBCACHE (default ../data/debcache), TRAIN_ROOT (default ../train), PERCEPNET_DATA (default ../shared/data).
# Tools: sox, libsox-fmt-all, ffmpeg, flac, python3 with numpy and scipy (apt-get install -y sox
# libsox-fmt-all ffmpeg flac python3-numpy python3-scipy).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
ROOT=${TRAIN_ROOT:-../train}; mkdir -p "$ROOT/logs" "$ROOT/rebuild"; ROOT=$(realpath "$ROOT")
CORPORA=${CORPORA:-../corpora}; mkdir -p "$CORPORA/_work"; CORPORA=$(realpath "$CORPORA")
DEBCACHE=${DEBCACHE:-../data/debcache}; mkdir -p "$DEBCACHE"; DEBCACHE=$(realpath "$DEBCACHE")
DATA=$(realpath "${PERCEPNET_DATA:-../shared/data}")
export CORPORA

for t in sox ffmpeg flac python3 dotnet; do command -v $t >/dev/null || { echo "$t is missing (see the header of $0)" >&2; exit 2; }; done

# A frozen copy of the tools, as the training queue uses, so rebuilding the checkout cannot disturb a step.
rev=$(git rev-parse --short HEAD)
BIN="$ROOT/bin/cli-$rev"
if [ ! -x "$BIN/percepnet-lab" ]; then
  dotnet build -c Release src/PercepNet.Lab >/dev/null
  rm -rf "$BIN.tmp"; mkdir -p "$ROOT/bin"; cp -r src/PercepNet.Lab/bin/Release/net10.0 "$BIN.tmp"; mv "$BIN.tmp" "$BIN"
fi
L="$BIN/percepnet-lab"

done_() { [ -f "$ROOT/rebuild/$1.done" ]; }
mark() { date -Is > "$ROOT/rebuild/$1.done"; }
say() { echo "=== $(date +%T) $*"; }
need_mirror() { : "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}"; export MIRROR; }

step_corpora() {
  need_mirror
  for s in 01_ravdess 02_librispeech 03_moodist 04_blanket 05_urbansound8k 06_webaudio_ir 07_speechocean762 08_mycroft 09_household; do
    done_ "corpora-$s" && continue
    say "corpora: $s"
    case $s in
      08_mycroft) python3 scripts/corpora/$s.py ;;
      09_household) PATH=/usr/bin:$PATH bash scripts/corpora/$s.sh ;;   # Debian's python3 has scipy
      *) bash scripts/corpora/$s.sh ;;
    esac
    mark "corpora-$s"
  done
  if ! done_ corpora-measure; then
    say "corpora: measurements"
    for d in ravdess librispeech speechocean762 mycroft moodist blanket urbansound8k household mycroft-noise webaudio-ir/measured; do
      bash scripts/corpora/measure.sh "$CORPORA/$d"; done
    mark corpora-measure
  fi
}

step_manifest() {
  if ! done_ manifest; then
    say "manifest: corpus build (Debian packages into $DEBCACHE)"
    "$L" corpus build --speech "$CORPORA/ravdess" --speech "$CORPORA/librispeech" \
      --speech "$CORPORA/speechocean762" --speech "$CORPORA/mycroft" \
      --noise "$CORPORA/moodist" --noise "$CORPORA/blanket" --noise "$CORPORA/urbansound8k" \
      --noise "$CORPORA/household" --noise "$CORPORA/mycroft-noise" --rir "$CORPORA/webaudio-ir/measured" \
      --shared "$DATA" --debian --cache "$DEBCACHE" -o "$ROOT/corpus3.tsv.tmp"
    mv "$ROOT/corpus3.tsv.tmp" "$ROOT/corpus3.tsv"
    # The fullband manifest: speech and noise of 16 kHz bandwidth or more; every room and key click.
    python3 - "$ROOT/corpus3.tsv" "$ROOT/corpus3-fb.tsv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
keep = [r for r in rows if r["kind"].lower() not in ("speech", "noise") or float(r["bandwidth_hz"]) >= 16000]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), delimiter="\t", lineterminator="\n")
    w.writeheader(); w.writerows(keep)
print(f"corpus3-fb.tsv: {len(keep)} of {len(rows)} rows")
PY
    mark manifest
  fi
}

step_manifest4() {
  step_manifest
  if ! done_ manifest4; then
    say "manifest4: 0 A.D. ambient noise added to corpus3.tsv"
    [ -f "$CORPORA/oad-ambient/SOURCE.txt" ] || bash scripts/corpora/11_oad_ambient.sh
    "$L" corpus build --noise "$CORPORA/oad-ambient" -o "$ROOT/oad-ambient.tsv" >/dev/null
    { cat "$ROOT/corpus3.tsv"; tail -n +2 "$ROOT/oad-ambient.tsv"; } > "$ROOT/corpus4.tsv.tmp"
    mv "$ROOT/corpus4.tsv.tmp" "$ROOT/corpus4.tsv"
    mark manifest4
  fi
}

step_devsets() {
  if ! done_ devset; then
    say "devsets: devset (60 pairs, seed 1)"
    rm -rf "$ROOT/devset"; "$L" corpus mixtures -m "$ROOT/corpus3.tsv" -o "$ROOT/devset" --count 60 --seed 1
    mark devset
  fi
  if ! done_ devset-fb; then
    say "devsets: devset-fb (30 fullband pairs, seed 5)"
    rm -rf "$ROOT/devset-fb"; "$L" corpus mixtures -m "$ROOT/corpus3-fb.tsv" -o "$ROOT/devset-fb" --split val --count 30 --seed 5
    mark devset-fb
  fi
  if ! done_ devset-vbl; then
    say "devsets: devset-vbl (48 VoiceBank+DEMAND-like pairs, 16 kHz, seed 7)"
    rm -rf "$ROOT/devset-vbl"; scripts/vblike-devset.py "$ROOT/corpus3.tsv" "$ROOT/devset-vbl" --count 48 --seed 7
    mark devset-vbl
  fi
  if ! done_ devset-vbb; then
    say "devsets: devset-vbb (32 VB-like pairs in a crowd of distant held-out talkers, 16 kHz, seed 8)"
    rm -rf "$ROOT/devset-vbb"; scripts/vblike-devset.py "$ROOT/corpus3.tsv" "$ROOT/devset-vbb" --count 32 --seed 8 --babble
    mark devset-vbb
  fi
  # The same three with clean references only (eleventh sitting, selection rule v7): validation speech at least
  # 50 dB above its recording's background (the manifest's active_dbfs - background_dbfs).
  if ! done_ devsets-cleanref; then
    say "devsets: devset-c, devset-vblc, devset-vbbc (clean references)"
    python3 - "$ROOT/corpus3.tsv" "$ROOT/corpus3-cleanref.tsv" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0].split("\t")
keep = [lines[0]]
for line in lines[1:]:
    r = dict(zip(head, line.split("\t")))
    if r["kind"] == "speech" and r["split"] == "val" and float(r["active_dbfs"]) - float(r["background_dbfs"]) < 50:
        continue
    keep.append(line)
open(sys.argv[2], "w").write("\n".join(keep) + "\n")
PY
    rm -rf "$ROOT/devset-c" "$ROOT/devset-vblc" "$ROOT/devset-vbbc"
    "$L" corpus mixtures -m "$ROOT/corpus3-cleanref.tsv" -o "$ROOT/devset-c" --count 60 --seed 1
    scripts/vblike-devset.py "$ROOT/corpus3-cleanref.tsv" "$ROOT/devset-vblc" --count 48 --seed 7
    scripts/vblike-devset.py "$ROOT/corpus3-cleanref.tsv" "$ROOT/devset-vbbc" --count 32 --seed 8 --babble
    mark devsets-cleanref
  fi
}

step_passthrough() {
  local P="$ROOT/passthrough"; mkdir -p "$P"
  if ! done_ passthrough-unseen; then
    need_mirror; say "passthrough: unseen voices"
    OUT="$P/unseen" bash scripts/corpora/10_unseen_voices.sh
    mark passthrough-unseen
  fi
  if ! done_ passthrough-heldout; then
    say "passthrough: held-out speakers of the manifest"
    rm -rf "$P/heldout"; python3 scripts/passthrough-set.py "$ROOT/corpus3.tsv" "$P/heldout"
    mark passthrough-heldout
  fi
  if ! done_ passthrough-all; then
    say "passthrough: all, all-m20"
    rm -rf "$P/all" "$P/all-m20"; mkdir -p "$P/all" "$P/all-m20"
    cp "$P"/unseen/*.wav "$P"/heldout/*.wav "$P/all/"
    for f in "$P"/all/*.wav; do sox -R "$f" "$P/all-m20/$(basename "$f")" vol 0.1; done   # -R: repeatable dither
    mark passthrough-all
  fi
  if ! done_ passthrough-vb-pitch1000; then
    say "passthrough: VB clean pitched up 1000 cents"
    rm -rf "$P/vb-pitch1000"; mkdir -p "$P/vb-pitch1000"
    for f in "$DATA"/eval/vbdemand16k/clean/*.wav; do sox -R "$f" -r 48000 "$P/vb-pitch1000/$(basename "$f")" pitch 1000; done
    mark passthrough-vb-pitch1000
  fi
}

# Shard recipes (docs/experiments.md). The s10 recipe: high voices, speaker balance, babble floor, gaps.
S10="--train-hours 24 --val-hours 0.5 --per-shard 50 --snr-skew 1.5 --speed-perturb 0.3 --voice-shift 0.6 --pitch-range -4,12 --speaker-balance 0.5 --babble-min-snr 0 --babble-talkers 4-10 --gaps 0.3"
shard_recipe() {
  case $1 in
    s10) echo "$S10 --seed 101" ;;
    s11) echo "$S10 --seed 111" ;;
    s12) echo "$S10 --seed 121 --quiet-speech 0.15" ;;
    s13) echo "$S10 --seed 131 --quiet-speech 0.3" ;;
    s14) echo "$S10 --seed 141" ;;
    s15) echo "$S10 --seed 151 --noise-weight 1" ;;
    s16) echo "$S10 --seed 161 --noise-weight 1 --noise-envelope 0.5" ;;
    s17) echo "$S10 --seed 171 --noise-weight 1 --noise-envelope 0.5" ;;
    # s18: babble as background (ninth sitting): more, distant talkers, never within 5 dB of the speech, a larger share.
    s18) echo "${S10/--babble-min-snr 0 --babble-talkers 4-10/--babble-min-snr 5 --babble-talkers 6-12} --seed 181 --noise-weight 1 --noise-envelope 0.5 --babble-reverb 0.8 --noise-types 0.62,0.1,0.2,0.08" ;;
    # s19: s18 with a few distinct distant talkers 5-15 dB below the speech in 30% of the mixtures, on top of their noise (tenth sitting).
    s19) echo "$(shard_recipe s18 | sed 's/--seed 181/--seed 191/') --background-talkers 0.3" ;;
    # s20: the very mixtures of s19 (same seed) with the clean recordings' own background removed from the gain targets (eleventh sitting).
    s20) echo "$(shard_recipe s19) --target-background 1.5" ;;
    # s21: the same with a milder removal (eleventh sitting: medium-w8 cost weak speech cells 1-2 dB).
    s21) echo "$(shard_recipe s19) --target-background 1.0" ;;
    # s22: s21 (new seed) with half of the recorded noises played 0.75-1.33 times as fast, and gain targets of 0
    # in the pauses far from speech (seventeenth sitting).
    s22) echo "$(shard_recipe s21 | sed 's/--seed 191/--seed 221/') --noise-speed 0.5 --zero-pauses" ;;
    # s23: s22 without the zero-pause targets: the very mixtures of s22 (same seed), the targets of s21 (nineteenth sitting).
    s23) echo "$(shard_recipe s21 | sed 's/--seed 191/--seed 221/') --noise-speed 0.5" ;;
    # s24: s22 with zero-pause targets that spare quiet words: the same mixtures, pauses cleared only where the
    # speech-presence target is 0 (nineteenth sitting: 9% of the frames s22 cleared were speech by that target).
    s24) echo "$(shard_recipe s22) --zero-pauses-range 40" ;;
    # RECIPE-K: the recipe RECIPE with its seed S replaced by 100 S + K: fresh mixtures of the same kind
    # (scripts/train-chain.sh makes one set per step, s19-1, s19-2, ...).
    *-[0-9]*)
      local base=${1%-*} k=${1##*-} args seed
      args="$(shard_recipe "$base") " || return 1
      seed=$(grep -o -- '--seed [0-9]*' <<< "$args" | cut -d' ' -f2)
      echo "${args/--seed $seed /--seed $((seed * 100 + k)) }" ;;
    *) return 1 ;;
  esac
}
# The manifest a recipe draws from: s17 on adds the 0 A.D. ambient noise (step manifest4).
shard_manifest() { case ${1%%-*} in s1[0-6]) echo corpus3.tsv ;; *) echo corpus4.tsv ;; esac; }
step_shards() {
  local name=$1 args
  args=$(shard_recipe "$name") || { echo "no shard recipe named $name (s10 ... s24, or RECIPE-K for fresh mixtures of RECIPE)" >&2; exit 2; }
  done_ "shards-$name" && return 0
  local manifest; manifest=$(shard_manifest "$name")
  [ "$manifest" = corpus3.tsv ] || step_manifest4
  say "shards-$name: corpus shards -m $manifest $args"
  # Resumable by itself: finished shards are kept.
  DOTNET_GCHeapHardLimit=0x400000000 "$L" corpus shards -m "$ROOT/$manifest" -o "$ROOT/shards-$name" $args
  mark "shards-$name"
}

steps=("$@"); [ ${#steps[@]} -gt 0 ] || steps=(corpora manifest devsets passthrough)
for s in "${steps[@]}"; do
  case $s in
    corpora) step_corpora ;;
    manifest) step_manifest ;;
    manifest4) step_manifest4 ;;
    devsets) step_devsets ;;
    passthrough) step_passthrough ;;
    shards-*) step_shards "${s#shards-}" ;;
    *) echo "unknown step $s (corpora manifest manifest4 devsets passthrough shards-NAME)" >&2; exit 2 ;;
  esac
done
say "done: ${steps[*]}"
