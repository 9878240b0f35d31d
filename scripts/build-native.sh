#!/usr/bin/env bash
# Builds the C library with NativeAOT: OUTDIR/libpercepnet.so (the C API of percepnet.h and the
# LADSPA plugins percepnet_mono / percepnet_stereo) and OUTDIR/percepnet.h.
# Usage: scripts/build-native.sh OUTDIR [extra dotnet publish arguments, e.g. -r linux-arm64]
set -euo pipefail
if [ $# -lt 1 ]; then echo "usage: $0 OUTDIR [dotnet publish arguments]" >&2; exit 2; fi
out=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
rid=linux-x64
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; esac
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dotnet publish "$root/src/PercepNet.Native/PercepNet.Native.csproj" -c Release -r "$rid" -o "$stage" --nologo -v quiet "$@"
cp "$stage/libpercepnet.so" "$out/libpercepnet.so"
cp "$root/src/PercepNet.Native/include/percepnet.h" "$out/percepnet.h"
echo "built $out/libpercepnet.so ($(du -h "$out/libpercepnet.so" | cut -f1)) and $out/percepnet.h"
