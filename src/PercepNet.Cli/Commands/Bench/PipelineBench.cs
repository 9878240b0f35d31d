using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Cli.Commands.Bench;

/// <summary>One measured row: a model and engine, the network alone and the whole pipeline.</summary>
public sealed record BenchRow(string System, string Engine, long Weights, double NetworkMicroseconds, double PipelineMicroseconds)
{
    /// <summary>Percent of one core at 100 frames per second (10 ms per frame).</summary>
    public static double PercentOfCore(double microsecondsPerFrame) => microsecondsPerFrame / 100.0;
}

/// <summary>
/// Speed of the denoiser on one signal, measured in one process: microseconds per 10 ms frame for
/// the network alone (on the signal's own features) and for the whole <see cref="Denoiser"/>
/// (features, pitch, network, comb filter, synthesis). Each figure is the median of several passes
/// over the whole signal after a warm-up pass, on one thread.
/// </summary>
public static class PipelineBench
{
    /// <summary>Random weights of a shape, uniform ±1/sqrt(fan-in) (TorchSharp's initialisation); speed does not depend on the values.</summary>
    public static PercepNetModel RandomModel(NetworkShape shape, int seed, string name) =>
        PercepNetModel.FromFile(ModelFile.TorchInit(shape, seed), name);

    /// <summary>
    /// The network inputs of every whole frame of <paramref name="signal"/> (48 kHz), as the Denoiser
    /// computes them: <paramref name="featureCount"/> (70, or 104 with the noise-floor tracker) per frame.
    /// </summary>
    public static float[] Features(float[] signal, int featureCount = FeatureExtractor.Count)
    {
        int frames = signal.Length / Denoiser.FrameSize;
        var features = new float[frames * featureCount];
        var analyzer = new SignalAnalyzer();
        var spectrum = new FrameSpectrum();
        var tracker = featureCount > FeatureExtractor.Count ? new NoiseFloorTracker() : null;
        for (int f = 0; f < frames; f++)
        {
            analyzer.AnalyzeFrame(signal.AsSpan(f * Denoiser.FrameSize, Denoiser.FrameSize), spectrum, null);
            var row = features.AsSpan(f * featureCount, featureCount);
            FeatureExtractor.Extract(spectrum, row);
            tracker?.Next(row[FeatureExtractor.EnergyOffset..], row[FeatureExtractor.FloorRelativeOffset..]);
        }
        return features;
    }

    /// <summary>Median microseconds per frame of the network alone over <paramref name="features"/>.</summary>
    public static double Network(PercepNetModel model, bool int8, float[] features, int passes)
    {
        IPercepNetNetwork net = int8 ? new PercepNetNetworkInt8(model.Quantized) : new PercepNetNetwork(model.File);
        int n = model.File.Shape.Features;
        int frames = features.Length / n;
        var g = new float[FrameLayout.BandCount];
        var r = new float[FrameLayout.BandCount];
        return Median(passes, () =>
        {
            net.Reset();
            for (int f = 0; f < frames; f++) net.Process(features.AsSpan(f * n, n), g, r, out _);
        }, frames);
    }

    /// <summary>Median microseconds per frame of <see cref="Denoiser.ProcessFrame"/> over <paramref name="signal"/>.</summary>
    public static double Pipeline(PercepNetModel model, bool int8, float[] signal, int passes)
    {
        var denoiser = new Denoiser(model, new DenoiserOptions { UseInt8 = int8 });
        int frames = signal.Length / Denoiser.FrameSize;
        var output = new float[Denoiser.FrameSize];
        return Median(passes, () =>
        {
            denoiser.Reset();
            for (int f = 0; f < frames; f++) denoiser.ProcessFrame(signal.AsSpan(f * Denoiser.FrameSize, Denoiser.FrameSize), output);
        }, frames);
    }

    private static double Median(int passes, Action pass, int frames)
    {
        pass(); // warm-up: JIT tiers, caches, the int8 weights' first use
        var times = new double[passes];
        for (int i = 0; i < passes; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            pass();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / frames;
        }
        Array.Sort(times);
        return passes % 2 == 1 ? times[passes / 2] : (times[passes / 2 - 1] + times[passes / 2]) / 2;
    }

    /// <summary>A comparison system of ../shared/peers, run on a 48 kHz 16-bit mono WAV.</summary>
    public sealed record Peer(string Name, string Engine, Func<string, string, string[]> Command, Regex Report, bool ReportIsMilliseconds);

    /// <summary>
    /// Peers whose programs time their own processing loop (excluding start-up and file I/O) and
    /// print it: the RNNoise WASM builds (wall time of the frame loop) and SpeexDSP (CPU time).
    /// </summary>
    public static IReadOnlyList<Peer> Peers(string home) =>
    [
        new("rnnoise-0.1", "WASM", (i, o) => ["node", Path.Combine(home, "rnnoise-npm", "rnnoise-npm.mjs"), "jitsi", i, o], LoopMs, true),
        new("rnnoise-0.2", "WASM", (i, o) => ["node", Path.Combine(home, "rnnoise-npm", "rnnoise-npm.mjs"), "jitsi-sync", i, o], LoopMs, true),
        new("rnnoise-2025", "WASM", (i, o) => ["node", Path.Combine(home, "rnnoise-npm", "rnnoise-npm.mjs"), "shiguredo", i, o], LoopMs, true),
        new("speexdsp", "native C", (i, o) => [Path.Combine(home, "speexdsp", "speexdsp_denoise"), i, o], CpuSeconds, false),
    ];

    private static readonly Regex LoopMs = new(@"process loop (\d+(?:\.\d+)?) ms", RegexOptions.CultureInvariant);
    private static readonly Regex CpuSeconds = new(@"process CPU (\d+(?:\.\d+)?) s", RegexOptions.CultureInvariant);

    /// <summary>Where ../shared/peers/setup.sh installs the peers (PEERS_HOME, else ~/.cache/percepnet-peers).</summary>
    public static string PeersHome() =>
        Environment.GetEnvironmentVariable("PEERS_HOME") is { Length: > 0 } h ? h
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "percepnet-peers");

    /// <summary>
    /// Runs <paramref name="peer"/> <paramref name="passes"/> times on <paramref name="wav"/> and returns the
    /// median of its own timing in microseconds per frame, or an error message.
    /// </summary>
    public static (double? Microseconds, string? Error) RunPeer(Peer peer, string wav, int frames, int passes)
    {
        var times = new List<double>();
        string output = Path.Combine(Path.GetTempPath(), $"percepnet-bench-{Environment.ProcessId}-{peer.Name}.wav");
        try
        {
            for (int i = 0; i < passes; i++)
            {
                var cmd = peer.Command(wav, output);
                var psi = new ProcessStartInfo(cmd[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in cmd.Skip(1)) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {cmd[0]}");
                var stderr = p.StandardError.ReadToEndAsync();
                string stdout = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                string text = stdout + stderr.Result;
                var m = peer.Report.Match(text);
                if (p.ExitCode != 0 || !m.Success) return (null, $"{peer.Name}: exit code {p.ExitCode}, no timing in its output ({text.Trim().Split('\n').LastOrDefault()})");
                double v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                times.Add((peer.ReportIsMilliseconds ? v * 1000 : v * 1e6) / frames);
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"{peer.Name}: {e.Message}");
        }
        finally
        {
            File.Delete(output);
        }
        times.Sort();
        return (times[times.Count / 2], null);
    }
}
