using PercepNet.Nn;
using PercepNet.Training.Data;
using PercepNet.Training.TorchCompat;

namespace PercepNet.Training.Tests;

/// <summary>Synthetic training data with a learnable mapping from features to targets, and test helpers.</summary>
internal static class Synthetic
{
    /// <summary>A tiny network for fast tests (about 25k weights).</summary>
    public static NetworkShape Tiny { get; } = new()
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 24, SharedGru = 20, GainGru = 20, StrengthGru = 12,
    };

    /// <summary>Initialises TorchSharp single-threaded (deterministic and polite on a shared machine).</summary>
    public static void Torch() => TorchRuntime.EnsureInitialized(threads: 1);

    /// <summary>
    /// Frames of <paramref name="sequences"/> sequences: features are smooth random walks; the
    /// targets are functions of the same frame's features (gain from band
    /// energy, strength from coherence), band 33 masked out on odd frames, VAD from mean energy.
    /// </summary>
    public static float[] Frames(int sequences, int length, int seed)
    {
        var rng = new Random(seed);
        var f = new float[sequences * length * FeatureShard.FrameFloats];
        for (int s = 0; s < sequences; s++)
        {
            var level = new double[FeatureShard.Features];
            for (int i = 0; i < level.Length; i++) level[i] = rng.NextDouble() * 2 - 1;
            for (int t = 0; t < length; t++)
            {
                var frame = f.AsSpan((s * length + t) * FeatureShard.FrameFloats, FeatureShard.FrameFloats);
                double energy = 0;
                for (int i = 0; i < FeatureShard.Features; i++)
                {
                    level[i] = 0.9 * level[i] + 0.3 * (rng.NextDouble() * 2 - 1);
                    // Energies around 3 (log10 units) with spread 2; coherences in [0, 1].
                    frame[i] = i < FeatureShard.Bands ? (float)(3 + 2 * level[i]) : i < 2 * FeatureShard.Bands ? (float)(0.5 + 0.4 * Math.Tanh(level[i])) : (float)level[i];
                }
                for (int b = 0; b < FeatureShard.Bands; b++)
                {
                    energy += frame[b];
                    frame[FeatureShard.GainOffset + b] = (float)(1 / (1 + Math.Exp(-(frame[b] - 3))));
                    frame[FeatureShard.StrengthOffset + b] = frame[FeatureShard.Bands + b];
                    frame[FeatureShard.MaskOffset + b] = b == FeatureShard.Bands - 1 && t % 2 == 1 ? 0 : 1;
                }
                frame[FeatureShard.VadOffset] = energy / FeatureShard.Bands > 3 ? 1 : 0;
            }
        }
        return f;
    }

    /// <summary>Writes <paramref name="shards"/> shard files into <paramref name="dir"/>.</summary>
    public static void WriteShards(string dir, int shards, int sequences, int length, int seed)
    {
        Directory.CreateDirectory(dir);
        for (int i = 0; i < shards; i++)
            FeatureShard.Write(Path.Combine(dir, $"shard-{i:D3}.pnfs"), length, Frames(sequences, length, seed + i));
    }

    /// <summary>The 70 features of every frame of <paramref name="frames"/>.</summary>
    public static float[] Features(float[] frames)
    {
        int n = frames.Length / FeatureShard.FrameFloats;
        var x = new float[n * FeatureShard.Features];
        for (int t = 0; t < n; t++)
            frames.AsSpan(t * FeatureShard.FrameFloats, FeatureShard.Features).CopyTo(x.AsSpan(t * FeatureShard.Features));
        return x;
    }

    public static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();
    public static float[] Zeros(int n) => new float[n];
}

/// <summary>A temporary folder deleted with the test class.</summary>
public abstract class TempDirTest : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory("percepnet-train-").FullName;
    public void Dispose()
    {
        Directory.Delete(Dir, true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Tests that use libtorch run one at a time: its random generator is process-wide, so a test
/// drawing random tensors while a training test seeds and initialises its model would change that
/// model (seen as a flaky resume-equals-uninterrupted test under load).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "libtorch";
}
