using PercepNet.Training.Corpus;

namespace PercepNet.Training.Data;

/// <summary>
/// Writes feature shards for one split: sequence i uses seed hash(seed, split, i), so any shard can
/// be regenerated alone and the set is identical whatever the parallelism. Existing shards are kept
/// (an interrupted run resumes).
/// </summary>
public static class ShardGenerator
{
    public static void Generate(IReadOnlyList<CorpusEntry> manifest, string split, string outDir, int sequences, int sequencesPerShard,
        int seed, SynthesisOptions options, int parallelism, Action<double>? progress = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(outDir);
        var lib = new CorpusLibrary(manifest, split);
        var synth = new Synthesizer(lib, options);
        int shards = (sequences + sequencesPerShard - 1) / sequencesPerShard;
        int done = 0;
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, s =>
        {
            string path = Path.Combine(outDir, $"{split}-{s:D5}.pnfs");
            int count = Math.Min(sequencesPerShard, sequences - s * sequencesPerShard);
            if (!File.Exists(path))
            {
                var builder = new TargetBuilder { BackgroundRemoval = options.TargetBackgroundRemoval, ZeroPauseTargets = options.ZeroPauseTargets, PauseZeroRangeDb = options.ZeroPauseRangeDb };
                var data = new float[(long)count * options.Frames * FeatureShard.FrameFloats];
                for (int i = 0; i < count; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    int index = s * sequencesPerShard + i;
                    var seq = synth.Make(SequenceSeed(seed, split, index));
                    builder.Build(seq, data.AsSpan(i * options.Frames * FeatureShard.FrameFloats, options.Frames * FeatureShard.FrameFloats));
                }
                FeatureShard.Write(path, options.Frames, data);
            }
            progress?.Invoke((double)Interlocked.Increment(ref done) / shards);
        });
    }

    /// <summary>Deterministic per-sequence seed.</summary>
    public static int SequenceSeed(int seed, string split, int index)
    {
        unchecked
        {
            int h = seed * 1_000_003 + index;
            foreach (char c in split) h = h * 31 + c;
            return h & 0x7fffffff;
        }
    }
}
