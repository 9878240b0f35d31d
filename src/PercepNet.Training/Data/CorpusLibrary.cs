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
