#!/bin/bash
# 0 A.D. ambient sounds (Debian 0ad-data 0.0.26-1): the weather (rain, wind, snowstorm, thunder), daytime
# countryside (birds, insects), water (rivers, waterfall, waves on a beach and on rocks) and fire loops of the
# game, decoded to 16-bit PCM wav at their own rate: about 25 minutes of real ambient noise of kinds our other
# sources have little of (surging water, crackling fire). The game's building ambiences (crowds: voices), its
# music and its voice acting (part of the pass-through set's unseen voices) are left out.
# Licence: CC-BY-SA-3.0 (Wildfire Games, per the package's copyright file).
#
#   CORPORA=../corpora bash scripts/corpora/11_oad_ambient.sh
# Optional: DEB_DIR (a folder that may hold 0ad-data_0.0.26-1_all.deb; else `apt-get download`), OAD_ZIP (an
# already unpacked usr/share/games/0ad/mods/public/public.zip of that package), PYTHON (default python3).
# Tools: dpkg-deb, ffmpeg, python3.
: "${CORPORA:?set CORPORA to the output folder}"
set -euo pipefail
export LC_ALL=C
PY=${PYTHON:-python3}
DEB=0ad-data DEBV=0.0.26-1 DEBSHA=53745ae74d05bccf6783400fa98f3932b21729ab9d2e86151aa2c331c3455178
OUT=${CORPORA}/oad-ambient; W=${CORPORA}/_work/oad-ambient
rm -rf "$OUT" "$W"; mkdir -p "$OUT" "$W"
zip=${OAD_ZIP:-}
if [ -z "$zip" ]; then
  debfile=$W/${DEB}_${DEBV}_all.deb
  if [ -n "${DEB_DIR:-}" ] && [ -f "$DEB_DIR/${DEB}_${DEBV}_all.deb" ]; then debfile=$DEB_DIR/${DEB}_${DEBV}_all.deb
  else (cd "$W" && apt-get download "$DEB=$DEBV" >/dev/null); fi
  echo "$DEBSHA  $debfile" | sha256sum -c --quiet - || { echo "checksum mismatch: $debfile" >&2; exit 1; }
  nice -n 19 dpkg-deb --fsys-tarfile "$debfile" | nice -n 19 tar -xf - -C "$W" ./usr/share/games/0ad/mods/public/public.zip
  zip=$W/usr/share/games/0ad/mods/public/public.zip
fi
"$PY" - "$zip" "$W/ogg" <<'PY'
import os, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
keep = re.compile(r"^audio/(ambient/(weather|dayscape|water)|attack/fire)/[^/]+\.ogg$")
os.makedirs(sys.argv[2], exist_ok=True)
for n in sorted(z.namelist()):
    if keep.match(n):
        name = n[len("audio/"):].replace("/", "_")
        with open(os.path.join(sys.argv[2], name), "wb") as f:
            f.write(z.read(n))
PY
for o in "$W"/ogg/*.ogg; do
  nice -n 19 ffmpeg -nostdin -loglevel error -threads 1 -i "$o" -map_metadata -1 -bitexact -ac 1 -c:a pcm_s16le "$OUT/$(basename "$o" .ogg).wav"
done
n=$(ls "$OUT"/*.wav | wc -l)
cat > "$OUT/SOURCE.txt" <<TXT
0 A.D. ambient sounds: $n files from Debian package $DEB=$DEBV, usr/share/games/0ad/mods/public/public.zip,
audio/ambient/{weather,dayscape,water}/*.ogg and audio/attack/fire/*.ogg, decoded to mono 16-bit PCM (ffmpeg).
Licence: CC-BY-SA-3.0 (Wildfire Games). Made by scripts/corpora/11_oad_ambient.sh. Training noise only.
TXT
rm -rf "$W"
echo "$OUT: $n files"
