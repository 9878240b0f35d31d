#!/usr/bin/env bash
# The C library as a C or LADSPA user gets it, checked against `percepnet denoise`:
#   1. scripts/build-native.sh builds libpercepnet.so + percepnet.h (NativeAOT);
#   2. tests/native/percepnet_test.c, compiled with gcc against the header alone, checks the API
#      (constants, errors, setters) and reproduces `percepnet denoise` through percepnet_process_frame
#      (48 kHz) and percepnet_process (a 16 kHz stream in blocks of 160);
#   3. real LADSPA hosts from Debian reproduce it through the plugins: sox (mono, 48 and 16 kHz),
#      applyplugin (mono, and stereo with different channels); analyseplugin lists both plugins.
# Every comparison is SI-SDR after latency alignment and must reach 30 dB.
# Usage: scripts/native-check.sh [--no-build]   (--no-build: the Release build of the CLI exists)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
for tool in gcc sox applyplugin analyseplugin; do
  command -v "$tool" >/dev/null || { echo "native-check: $tool is missing (apt-get install gcc sox ladspa-sdk)" >&2; exit 1; }
done
[ "${1:-}" = "--no-build" ] || dotnet build src/PercepNet.Cli -c Release >/dev/null
percepnet() { dotnet "$root/src/PercepNet.Cli/bin/Release/net10.0/percepnet.dll" "$@"; }

scripts/build-native.sh "$W/lib"
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=199309L -o "$W/lib/percepnet_test" tests/native/percepnet_test.c \
  -I"$W/lib" -L"$W/lib" -lpercepnet -Wl,-rpath,"$W/lib" -lm
T="$W/lib/percepnet_test"
"$T" api

DATA="${PERCEPNET_DATA:-../shared/data}"
src="$DATA/eval/dfn48k/noisy.wav"
if [ ! -f "$src" ]; then
  echo "native-check: SKIPPED the comparisons: no $src (../shared/data is not beside the repository)"
  exit 0
fi
src=$(realpath "$src")
cd "$W"
export LADSPA_PATH="$W/lib"
# 48 kHz float input, so the CLI's reference output is float too.
sox "$src" -e floating-point -b 32 in48.wav
percepnet denoise in48.wav ref48.wav --warm-up 0 >/dev/null
sox in48.wav -t f32 in48.f32; sox ref48.wav -t f32 ref48.f32
echo "== C API, 48 kHz frames"
"$T" frames in48.f32 c48.f32
"$T" compare ref48.f32 c48.f32 0 30
echo "== C API, 16 kHz stream in blocks of 160"
sox in48.wav -r 16000 in16.wav
percepnet denoise in16.wav ref16.wav --warm-up 0 >/dev/null
sox in16.wav -t f32 in16.f32; sox ref16.wav -t f32 ref16.f32
"$T" stream 16000 1 160 in16.f32 c16.f32
"$T" compare ref16.f32 c16.f32 0 30
echo "== sox ladspa percepnet_mono (defaults), 48 kHz and 16 kHz"
sox in48.wav sox48.wav ladspa libpercepnet.so percepnet_mono
sox sox48.wav -t f32 sox48.f32
"$T" compare ref48.f32 sox48.f32 "$("$T" latency 48000 1)" 30
sox in16.wav sox16.wav ladspa libpercepnet.so percepnet_mono
sox sox16.wav -t f32 sox16.f32
"$T" compare ref16.f32 sox16.f32 "$("$T" latency 16000 1)" 30
echo "== applyplugin (16-bit WAV), mono and stereo"
sox "$src" -b 16 in48s16.wav
percepnet denoise in48s16.wav ref48s16.wav --warm-up 0 >/dev/null
sox ref48s16.wav -t f32 ref48s16.f32
applyplugin in48s16.wav ap.wav libpercepnet.so percepnet_mono 100 0.5 0 0.3 >/dev/null
sox ap.wav -t f32 ap.f32
"$T" compare ref48s16.f32 ap.f32 1919 30
sox in48s16.wav rev.wav reverse
sox -M in48s16.wav rev.wav st.wav
percepnet denoise st.wav refst.wav --warm-up 0 >/dev/null
applyplugin st.wav apst.wav libpercepnet.so percepnet_stereo 100 0.5 0 0.3 >/dev/null
for c in 1 2; do
  sox refst.wav -t f32 refst$c.f32 remix $c
  sox apst.wav -t f32 apst$c.f32 remix $c
  "$T" compare refst$c.f32 apst$c.f32 1919 30
done
echo "== analyseplugin"
# Hosts dlclose plugins; a NativeAOT library must stay mapped (NODELETE) or its threads crash.
readelf -d "$LADSPA_PATH/libpercepnet.so" | grep -q 'NODELETE' || { echo "libpercepnet.so is not marked NODELETE" >&2; exit 1; }
for i in 1 2 3 4 5 6 7 8 9 10; do analyseplugin libpercepnet.so > analyse.txt; done
grep -q 'Plugin Label: "percepnet_mono"' analyse.txt
grep -q 'Plugin Label: "percepnet_stereo"' analyse.txt
grep -q '"latency" output, control' analyse.txt
echo "native-check: ok"
