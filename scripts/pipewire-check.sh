#!/usr/bin/env bash
# End-to-end check of the PipeWire filter-chain configuration (scripts/pipewire/20-percepnet.conf)
# on a headless machine: a private dbus, pipewire and wireplumber; a virtual microphone
# (10-test-fake-mic.conf) fed a WAV file with pw-play; the noise-suppressed source recorded with
# pw-record; beside it the same chain with PipeWire's builtin copy (30-test-copy-source.conf)
# records exactly what the plugin was fed. Checks:
#   1. the recording through PipeWire equals the same library run offline on that same input
#      (through the C stream API, which is the plugin's code path; sox cannot be the offline host
#      here because it rounds float samples to 32-bit integers, and the frame-based denoiser
#      amplifies such last-bit differences): PipeWire hosts the plugin exactly;
#   2. SI-SDR of the recording against `percepnet denoise` of the file at the best lag (reported;
#      it is below the offline figure whenever PipeWire starts the speech at another phase of the
#      480-sample frames, since the denoiser is frame-based).
# Needs: pipewire pipewire-bin wireplumber dbus sox python3-numpy (Debian); not run by .ci/run
# (a live audio graph on a loaded 2-core machine can underrun).
# Usage: scripts/pipewire-check.sh LIBDIR [IN.wav]   (LIBDIR from scripts/build-native.sh)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LIBDIR [IN.wav]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$(realpath "$1")
src=$(realpath "${2:-$root/../shared/data/eval/dfn48k/noisy.wav}")
py=/usr/bin/python3
for t in pipewire wireplumber pw-play pw-record pw-link dbus-daemon sox gcc; do
  command -v $t >/dev/null || { echo "pipewire-check: $t is missing (apt-get install pipewire pipewire-bin wireplumber dbus sox)" >&2; exit 1; }
done
$py -c "import numpy" 2>/dev/null || { echo "pipewire-check: $py has no numpy (apt-get install python3-numpy)" >&2; exit 1; }
W=$(mktemp -d)
export XDG_RUNTIME_DIR=$W/run XDG_CONFIG_HOME=$W/config XDG_STATE_HOME=$W/state DBUS_SESSION_BUS_ADDRESS=unix:path=$W/run/bus
unset PIPEWIRE_REMOTE PULSE_SERVER
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$W"; }
trap cleanup EXIT
mkdir -p $W/run $W/state $W/config/pipewire/pipewire.conf.d $W/logs; chmod 700 $W/run
conf=$W/config/pipewire/pipewire.conf.d
cp "$root/scripts/pipewire/10-test-fake-mic.conf" "$root/scripts/pipewire/30-test-copy-source.conf" $conf/
sed "s|@PLUGIN@|$lib/libpercepnet.so|" "$root/scripts/pipewire/20-percepnet.conf" > $conf/20-percepnet.conf
gcc -std=c11 -O2 -D_POSIX_C_SOURCE=199309L -o $W/percepnet_test "$root/tests/native/percepnet_test.c" \
  -I"$lib" -L"$lib" -lpercepnet -Wl,-rpath,"$lib" -lm
cd $W
sox "$src" -e floating-point -b 32 -r 48000 -c 1 in.wav
dotnet "$root/src/PercepNet.Cli/bin/Release/net10.0/percepnet.dll" denoise in.wav ref.wav >/dev/null
sox ref.wav -t f32 ref.f32

dbus-daemon --session --address="$DBUS_SESSION_BUS_ADDRESS" --nofork --nopidfile > logs/dbus.log 2>&1 & pids+=($!)
sleep 0.5
pipewire > logs/pipewire.log 2>&1 & pids+=($!)
sleep 1
wireplumber > logs/wireplumber.log 2>&1 & pids+=($!)
for i in $(seq 150); do pw-link -l 2>/dev/null | grep -q 'capture.percepnet_source:input_MONO' && break; sleep 0.2; done
pw-link -l | grep -q 'capture.percepnet_source:input_MONO' || { echo "pipewire-check: the filter chain was not linked"; cat logs/*.log; exit 1; }
# Plays in.wav into the virtual microphone as node NAME and waits until it has been heard out.
# --target 0: no autolink (wireplumber 0.4 links no playback stream to an Audio/Source/Virtual); link by hand.
play_into_mic() {
  pw-play --target 0 -P "{ node.name = $1 }" in.wav > "logs/$1.log" 2>&1 & local p=$!
  pids+=($p)
  for i in $(seq 50); do pw-link -o | grep -q "^$1:output_MONO\$" && break; sleep 0.1; done
  pw-link "$1:output_MONO" fake-mic:input_MONO
  wait $p
  sleep 1.5
}
pw-record --target percepnet_source --rate 48000 --channels 1 --format f32 rec.wav > logs/rec.log 2>&1 & r1=$!
pw-record --target copy_source --rate 48000 --channels 1 --format f32 copy.wav > logs/copy.log 2>&1 & r2=$!
pids+=($r1 $r2)
sleep 1
play_into_mic test-player
kill -INT $r1 $r2; wait $r1 $r2 2>/dev/null || true
sox rec.wav -t f32 rec.f32; sox copy.wav -t f32 copy.f32

# The pipe recipe of docs/integrations.md: pw-record | percepnet denoise - - | pw-play, from the
# virtual microphone to a test sink whose monitor is recorded.
pw-record -P '{ stream.capture.sink = true }' --target test-out --rate 48000 --channels 1 --format f32 pipe.wav > logs/pipe-rec.log 2>&1 & r3=$!
pids+=($r3)
( pw-record --target fake-mic --rate 48000 --channels 1 --format s16 - 2>logs/pipe-src.log \
    | dotnet "$root/src/PercepNet.Cli/bin/Release/net10.0/percepnet.dll" denoise - - 2>logs/pipe-denoise.log \
    | pw-play --target test-out --rate 48000 --channels 1 --format s16 - 2>logs/pipe-play.log ) & pp=$!
sleep 2
play_into_mic test-player2
kill -INT $r3; wait $r3 2>/dev/null || true
pkill -INT -f "pw-record --target fake-mic" || true
wait $pp 2>/dev/null || true
sox pipe.wav -t f32 pipe.f32
$py - <<'PY'
import numpy as np, subprocess, sys
ref = np.fromfile('ref.f32', np.float32).astype(np.float64)
rec = np.fromfile('rec.f32', np.float32)
copy = np.fromfile('copy.f32', np.float32)
# 1. The library offline on what PipeWire fed it (the stream API at 48 kHz, the plugin's code path;
#    its output is aligned, so the plugin's 1919-sample delay is put back). The two recorders may
#    have started a few 1024-sample quanta apart: try those offsets of the input and of the comparison.
lat = int(subprocess.run(['./percepnet_test', 'latency', '48000', '1'], capture_output=True, text=True, check=True).stdout)
best = None
for k in range(-4, 5):
    x = np.concatenate([np.zeros(k * 1024, np.float32), copy]) if k >= 0 else copy[-k * 1024:]
    x.tofile('off_in.f32')
    subprocess.run(['./percepnet_test', 'stream', '48000', '1', '1024', 'off_in.f32', 'off_out.f32'], check=True, capture_output=True)
    y = np.concatenate([np.zeros(lat, np.float32), np.fromfile('off_out.f32', np.float32)])
    for off in range(-8192, 8193, 1024):
        a = rec[max(off, 0):]; b = y[max(-off, 0):]; n = min(len(a), len(b))
        d = float(np.abs(a[:n].astype(np.float64) - b[:n]).max())
        if best is None or d < best[0]: best = (d, k, off, n)
d, k, off, n = best
print(f"PipeWire vs the library offline on the same input: {n} samples, max abs difference {d:.3g}")
# 2. Against `percepnet denoise` at the best lag.
m = 1 << int(np.ceil(np.log2(len(ref) + len(rec))))
xc = np.fft.irfft(np.fft.rfft(rec.astype(np.float64), m) * np.conj(np.fft.rfft(ref, m)), m)
lag = int(np.argmax(xc[:len(rec)]))
t = rec[lag:lag + len(ref)].astype(np.float64); r = ref[:len(t)]
a = t @ r / (r @ r); e = t - a * r
print(f"PipeWire vs percepnet denoise: SI-SDR {10 * np.log10((a * r) @ (a * r) / (e @ e)):.1f} dB at lag {lag} "
      f"({lag % 480} samples off the 480-sample frame grid of the file)")
def best_sisdr(x):
    m = 1 << int(np.ceil(np.log2(len(ref) + len(x))))
    xc = np.fft.irfft(np.fft.rfft(x.astype(np.float64), m) * np.conj(np.fft.rfft(ref, m)), m)
    lag = int(np.argmax(xc[:len(x)]))
    t = x[lag:lag + len(ref)].astype(np.float64); r = ref[:len(t)]
    a = t @ r / (r @ r); e = t - a * r
    return 10 * np.log10((a * r) @ (a * r) / (e @ e)), lag
pipe = np.fromfile('pipe.f32', np.float32)
sp, lp = best_sisdr(pipe)
print(f"pipe recipe (pw-record | percepnet denoise - - | pw-play) vs percepnet denoise: SI-SDR {sp:.1f} dB at lag {lp}")
sys.exit(0 if d < 1e-6 and sp > 15 else 1)
PY
echo "pipewire-check: ok"
