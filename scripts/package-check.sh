#!/usr/bin/env bash
# Packs the two packages as a user gets them and uses them from the package folder only:
#   1. a new console app restores PercepNet from that folder and denoises with it;
#   2. the `percepnet` tool installs from that folder and denoises a WAV file.
# Usage: scripts/package-check.sh [--no-build]   (--no-build: the Release build exists, as in .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
dotnet pack PercepNet.slnx -c Release -o "$W/pkg" ${1:-} >/dev/null
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
ls "$W/pkg/PercepNet.$version.nupkg" "$W/pkg/PercepNet.Cli.$version.nupkg" >/dev/null
# A package cache of its own: a stale copy of this version in the user's cache must not stand in.
export NUGET_PACKAGES="$W/packages"
cat > "$W/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$W/pkg" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

# 1. The library in a new app: white noise in, much less out; a tone kept.
mkdir -p "$W/app"
cat > "$W/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><PackageReference Include="PercepNet" Version="$version" /></ItemGroup>
</Project>
XML
cat > "$W/app/Program.cs" <<'CS'
using PercepNet;
var d = new Denoiser(PercepNetModel.Default);
var rng = new Random(1);
var frame = new float[Denoiser.FrameSize];
var output = new float[Denoiser.FrameSize];
double inEnergy = 0, outEnergy = 0;
for (int f = 0; f < 300; f++) // 3 s of white noise at -20 dBFS
{
    for (int i = 0; i < frame.Length; i++) frame[i] = (float)(0.1 * Math.Sqrt(3) * (2 * rng.NextDouble() - 1));
    d.ProcessFrame(frame, output);
    if (f < 100) continue; // let it settle
    foreach (var v in frame) inEnergy += v * v;
    foreach (var v in output) outEnergy += v * v;
}
double db = 10 * Math.Log10(outEnergy / inEnergy);
Console.WriteLine($"PercepNet {typeof(Denoiser).Assembly.GetName().Version}: white noise {db:F1} dB after denoising (latency {d.LatencySamples} samples)");
// The streaming API: 16 kHz stereo in blocks of 160 sample frames, as many samples out.
var s = new StreamingDenoiser(PercepNetModel.Default, 16000, 2);
var block = new float[320];
double sIn = 0, sOut = 0;
for (int b = 0; b < 300; b++)
{
    for (int i = 0; i < block.Length; i++) block[i] = (float)(0.1 * Math.Sqrt(3) * (2 * rng.NextDouble() - 1));
    if (b >= 100) foreach (var v in block) sIn += v * v;
    if (s.Process(block, block) != block.Length) return 1;
    if (b >= 100) foreach (var v in block) sOut += v * v;
}
double sdb = 10 * Math.Log10(sOut / sIn);
Console.WriteLine($"StreamingDenoiser, 16 kHz stereo: white noise {sdb:F1} dB (latency {s.LatencySamples} samples)");
return db < -10 && sdb < -10 ? 0 : 1;
CS
dotnet run --project "$W/app" --configfile "$W/nuget.config" -c Release

# 2. The tool.
dotnet tool install PercepNet.Cli --version "$version" --tool-path "$W/tools" --configfile "$W/nuget.config" >/dev/null
DATA="${PERCEPNET_DATA:-../shared/data}"
in="$DATA/eval/vbdemand16k/noisy/p232_032.wav"
if [ -f "$in" ]; then
  "$W/tools/percepnet" denoise "$in" "$W/out.wav"
  "$W/tools/percepnet" info "$W/out.wav" | grep -q "16000 Hz"
  echo "the installed tool denoised $(basename "$in")"
else
  "$W/tools/percepnet" --help >/dev/null
  echo "the installed tool runs (no $in here to denoise)"
fi
