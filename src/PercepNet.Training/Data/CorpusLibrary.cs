using System.Collections.Concurrent;
using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.Training.Corpus;

namespace PercepNet.Training.Data;

/// <summary>
/// The files of one split of a manifest, decoded to 48 kHz mono on first use and kept in memory
/// (thread-safe). Speech is only the quiet files (their background must not become a target).
/// </summary>
public sealed class CorpusLibrary
{
    private readonly ConcurrentDictionary<string, float[]> _cache = new();

    public CorpusLibrary(IEnumerable<CorpusEntry> manifest, string split)
    {
        var list = manifest.Where(e => e.Split == split).ToList();
        Speech = list.Where(e => e.Kind == CorpusKind.Speech && e.Quiet && e.DurationSeconds >= 0.5).ToArray();
        Noise = list.Where(e => e.Kind == CorpusKind.Noise && e.DurationSeconds >= 0.2).ToArray();
        Rooms = list.Where(e => e.Kind == CorpusKind.Rir).ToArray();
        Keys = manifest.Where(e => e.Kind == CorpusKind.KeyClick).ToArray(); // key clicks: shared by both splits
        if (Speech.Length == 0) throw new InvalidDataException($"the manifest has no quiet speech in split '{split}'");
        if (Noise.Length == 0) throw new InvalidDataException($"the manifest has no noise in split '{split}'");
    }

    public CorpusEntry[] Speech { get; }

    /// <summary>The speech files grouped by speaker (source and group), in a stable order.</summary>
    public IReadOnlyList<CorpusEntry[]> Speakers => _speakers ??= Speech
        .GroupBy(e => (e.Source, e.Group))
        .OrderBy(g => g.Key.Source, StringComparer.Ordinal).ThenBy(g => g.Key.Group, StringComparer.Ordinal)
        .Select(g => g.ToArray()).ToList();

    private IReadOnlyList<CorpusEntry[]>? _speakers;
    private (double Exponent, double[] Cumulative)? _balanced, _noiseWeights;

    /// <summary>
    /// A speech file drawn speaker-first: a speaker with probability proportional to (its hours of
    /// speech)^<paramref name="balance"/>, then one of its files uniformly.
    /// </summary>
    public CorpusEntry PickBalanced(Random rng, double balance)
    {
        var speakers = Speakers;
        var files = speakers[Pick(rng, ref _balanced, balance, speakers.Count, i => speakers[i].Sum(e => e.DurationSeconds) / 3600)];
        return files[rng.Next(files.Length)];
    }

    /// <summary>
    /// A noise file with probability proportional to (its duration)^<paramref name="exponent"/>:
    /// 0 = every file equally often (thousands of short UrbanSound8K events then outweigh a few long
    /// ambient recordings), 1 = every second of recorded noise equally often.
    /// </summary>
    public CorpusEntry PickNoise(Random rng, double exponent) =>
        Noise[Pick(rng, ref _noiseWeights, exponent, Noise.Length, i => Noise[i].DurationSeconds)];

    /// <summary>An index in [0, count) with probability proportional to size(i)^exponent; the table is built once per exponent.</summary>
    private static int Pick(Random rng, ref (double Exponent, double[] Cumulative)? cache, double exponent, int count, Func<int, double> size)
    {
        if (cache is not { } t || t.Exponent != exponent)
        {
            var cumulative = new double[count];
            double sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += Math.Pow(size(i), exponent);
                cumulative[i] = sum;
            }
            cache = t = (exponent, cumulative);
        }
        var c = t.Cumulative;
        int index = Array.BinarySearch(c, rng.NextDouble() * c[^1]);
        if (index < 0) index = ~index;
        return Math.Min(index, count - 1);
    }
    public CorpusEntry[] Noise { get; }
    public CorpusEntry[] Rooms { get; }
    public CorpusEntry[] Keys { get; }

    /// <summary>The file as 48 kHz mono floats.</summary>
    public float[] Load(CorpusEntry e) => _cache.GetOrAdd(e.Path, p =>
    {
        var a = AudioFile.Read(p);
        return Resampler.Resample(a.Mono(), a.SampleRate, FrameLayout.SampleRate);
    });
}
