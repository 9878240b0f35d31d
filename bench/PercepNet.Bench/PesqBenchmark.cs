using BenchmarkDotNet.Attributes;
using PercepNet.Audio;
using PercepNet.Metrics.Pesq;

namespace PercepNet.Bench;

/// <summary>
/// PESQ on a 10 s, 16 kHz pair (two VoiceBank+DEMAND clean/noisy files joined, from ../shared/data or
/// PERCEPNET_DATA). Without the data folder a synthetic pair is used: syllable-rate modulated
/// harmonics plus noise, enough to exercise the alignment and the model the same way.
/// Run: dotnet run -c Release --project bench/PercepNet.Bench -- --filter '*Pesq*'
/// </summary>
[MemoryDiagnoser]
public class PesqBenchmark
{
    private const int SampleRate = 16000;
    private const int Length = 10 * SampleRate;

    private float[] _reference = [];
    private float[] _degraded = [];

    [GlobalSetup]
    public void Setup()
    {
        string? dir = FindData("eval/vbdemand16k");
        if (dir != null)
        {
            _reference = Join(dir, "clean");
            _degraded = Join(dir, "noisy");
        }
        else
        {
            (_reference, _degraded) = Synthetic();
        }
    }

    [Benchmark(Baseline = true)]
    public double WideBand() => Pesq.WideBand(_reference, _degraded, SampleRate);

    [Benchmark]
    public double NarrowBand() => Pesq.NarrowBand(_reference, _degraded, SampleRate);

    private static float[] Join(string dir, string sub)
    {
        var a = AudioFile.Read(Path.Combine(dir, sub, "p232_003.wav")).Mono();
        var b = AudioFile.Read(Path.Combine(dir, sub, "p232_011.wav")).Mono();
        return a.Concat(b).Take(Length).ToArray();
    }

    private static (float[] Reference, float[] Degraded) Synthetic()
    {
        var rng = new Random(1);
        var r = new float[Length];
        var d = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            double t = (double)i / SampleRate;
            double envelope = Math.Max(0, Math.Sin(2 * Math.PI * 2.5 * t)); // 5 "syllables" per second
            double voice = 0;
            for (int h = 1; h <= 20; h++) voice += Math.Sin(2 * Math.PI * 140 * h * t) / h;
            r[i] = (float)(0.1 * envelope * voice);
        }
        for (int i = 0; i < Length; i++)
            d[i] = (i >= 80 ? r[i - 80] : 0) + (float)(0.01 * (rng.NextDouble() - 0.5)); // 5 ms late, noisy
        return (r, d);
    }

    private static string? FindData(string relative)
    {
        string? env = Environment.GetEnvironmentVariable("PERCEPNET_DATA");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(Path.Combine(env, relative)) ? Path.Combine(env, relative) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
