# Shared by the evaluation scripts (source it after `cd` to the repository root and setting WORK).
DATA="${PERCEPNET_DATA:-../shared/data}"
mkdir -p "$WORK"
# Build once and run from a copy, so rebuilding the repository meanwhile cannot disturb a long run.
# percepnet-lab's output holds both tools: P = percepnet (denoise), L = percepnet-lab (eval, passthrough, ...).
dotnet build -c Release src/PercepNet.Lab >/dev/null
# Without libtorch (0.5 GB; only `train` loads it) and the native files of other platforms.
rm -rf "$WORK/bin" && cp -r src/PercepNet.Lab/bin/Release/net10.0 "$WORK/bin"
# The copy (about 70 MB) goes when the script ends: a candidate's scores used to leave a dozen behind.
trap 'rm -rf "$WORK/bin"' EXIT
rm -f "$WORK/bin"/runtimes/linux-x64/native/libtorch*
find "$WORK/bin/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
P="$WORK/bin/percepnet"
L="$WORK/bin/percepnet-lab"
# The fullband pair has fixed names; put each side in a folder of its own so eval pairs them.
mkdir -p "$WORK/dfn/clean" "$WORK/dfn/noisy"
cp "$DATA/eval/dfn48k/clean.wav" "$WORK/dfn/clean/pair.wav"
cp "$DATA/eval/dfn48k/noisy.wav" "$WORK/dfn/noisy/pair.wav"
# clean_dir SET / noisy_dir SET: the folders of an evaluation set (vbdemand16k or dfn48k).
clean_dir() { if [ "$1" = dfn48k ]; then echo "$WORK/dfn/clean"; else echo "$DATA/eval/$1/clean"; fi; }
noisy_dir() { if [ "$1" = dfn48k ]; then echo "$WORK/dfn/noisy"; else echo "$DATA/eval/$1/noisy"; fi; }
