using System.Globalization;
using System.Text;
using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.Training.Corpus;

namespace PercepNet.Training.Data;

/// <summary>
/// Writes synthesised mixtures as WAV pairs: <c>OUT/noisy/mix-NNNN.wav</c> (the network's input) and
/// <c>OUT/clean/mix-NNNN.wav</c> (the training target: dry speech, or with early reflections), both
/// 48 kHz 32-bit float, plus <c>OUT/mixtures.tsv</c> saying how each was made. From the validation
/// split this is a development set of held-out speakers and noise sources for `percepnet-lab eval`:
/// something to tune inference settings on without touching the evaluation pairs.
/// Every pair has speech and noise (the synthesiser's noise-only and clean-only sequences are
/// turned off: a silent reference has no PESQ). Deterministic for a seed, like the shards.
/// </summary>
public static class MixtureWriter
{
    /// <summary>Sub-folder of the noisy inputs.</summary>
    public const string NoisyFolder = "noisy";

    /// <summary>Sub-folder of the targets.</summary>
    public const string CleanFolder = "clean";

    /// <summary>File name of mixture <paramref name="index"/>.</summary>
    public static string FileName(int index) => $"mix-{index:D4}.wav";

    /// <summary>Writes <paramref name="count"/> pairs; existing pairs are kept (a rerun completes an interrupted one).</summary>
    /// <returns>One description per mixture (the synthesiser's, with its seed and bandwidth).</returns>
    public static IReadOnlyList<string> Write(IReadOnlyList<CorpusEntry> manifest, string split, string outDir, int count, int seed,
        SynthesisOptions options, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var o = options with { NoiseOnlyProbability = 0, CleanOnlyProbability = 0 };
        var synth = new Synthesizer(new CorpusLibrary(manifest, split), o);
        string noisyDir = Path.Combine(outDir, NoisyFolder), cleanDir = Path.Combine(outDir, CleanFolder);
        Directory.CreateDirectory(noisyDir);
        Directory.CreateDirectory(cleanDir);
        var lines = new string[count];
        for (int i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            int s = ShardGenerator.SequenceSeed(seed, "mix-" + split, i);
            var seq = synth.Make(s);
            string name = FileName(i);
            string noisyPath = Path.Combine(noisyDir, name), cleanPath = Path.Combine(cleanDir, name);
            // The clean file is written last: a pair is complete when it exists.
            if (!File.Exists(cleanPath))
            {
                AudioFile.Write(noisyPath, new AudioData(FrameLayout.SampleRate, [seq.Noisy]), 32);
                AudioFile.Write(cleanPath, new AudioData(FrameLayout.SampleRate, [seq.Target]), 32);
            }
            lines[i] = string.Create(CultureInfo.InvariantCulture, $"{name}\t{s}\t{seq.BandwidthHz:F0}\t{seq.Description}");
        }
        var tsv = new StringBuilder("file\tseed\tbandwidth_hz\tdescription\n");
        foreach (var l in lines) tsv.Append(l).Append('\n');
        string tmp = Path.Combine(outDir, ".mixtures.tsv.tmp");
        File.WriteAllText(tmp, tsv.ToString());
        File.Move(tmp, Path.Combine(outDir, "mixtures.tsv"), overwrite: true);
        return lines;
    }
}
