using PercepNet.Training.Data;
using PercepNet.Training.Training;

namespace PercepNet.Training.Tests;

public sealed class ShardSetTests : TempDirTest
{
    [Fact]
    public void PlanCoversEveryChunkOnceDeterministicallyWithinGroups()
    {
        // Shards of different sizes and sequence lengths: 5 x 40, 3 x 60, 7 x 40 frames.
        FeatureShard.Write(Path.Combine(Dir, "a.pnfs"), 40, Synthetic.Frames(5, 40, 1));
        FeatureShard.Write(Path.Combine(Dir, "b.pnfs"), 60, Synthetic.Frames(3, 60, 2));
        Directory.CreateDirectory(Path.Combine(Dir, "sub"));
        FeatureShard.Write(Path.Combine(Dir, "sub", "c.pnfs"), 40, Synthetic.Frames(7, 40, 3));
        var set = ShardSet.Open(Dir, 20);
        Assert.Equal(3, set.Shards.Count);
        Assert.Equal(5 * 2 + 3 * 3 + 7 * 2, set.ChunkCount);

        var plan = set.Plan(batchSize: 4, shuffleShards: 2, seed: 11);
        var chunks = plan.SelectMany(b => b.Chunks).ToList();
        Assert.Equal(set.ChunkCount, chunks.Count);
        Assert.Equal(chunks.Count, chunks.Distinct().Count());
        Assert.All(plan, b => Assert.InRange(b.Chunks.Length, 1, 4));
        // A batch never mixes shuffle groups, and a group holds at most 2 shards.
        Assert.All(plan.GroupBy(b => b.Group), g => Assert.InRange(g.SelectMany(b => b.Chunks).Select(c => c.Shard).Distinct().Count(), 1, 2));
        Assert.Equal(plan.SelectMany(b => b.Chunks), set.Plan(4, 2, 11).SelectMany(b => b.Chunks));
        Assert.NotEqual(plan.SelectMany(b => b.Chunks), set.Plan(4, 2, 12).SelectMany(b => b.Chunks));

        // Loaded frames are the right slice of the right sequence.
        var b0 = plan[0];
        var data = set.Load(b0);
        var c0 = b0.Chunks[0];
        var (len, _, frames) = FeatureShard.Read(set.Shards[c0.Shard].Path);
        var expected = frames.AsSpan((c0.Sequence * len + c0.Start) * FeatureShard.FrameFloats, 20 * FeatureShard.FrameFloats).ToArray();
        Assert.Equal(expected, data[..(20 * FeatureShard.FrameFloats)]);

        // Sequential plan: file order.
        var seq = set.Plan(4, 1, null).SelectMany(b => b.Chunks).ToList();
        Assert.Equal(new ChunkRef(0, 0, 0), seq[0]);
        Assert.Equal(new ChunkRef(0, 0, 20), seq[1]);
    }

    [Fact]
    public void RejectsEmptyFoldersAndTooShortSequences()
    {
        Assert.Throws<InvalidDataException>(() => ShardSet.Open(Dir, 0));
        FeatureShard.Write(Path.Combine(Dir, "a.pnfs"), 30, Synthetic.Frames(2, 30, 1));
        var e = Assert.Throws<InvalidDataException>(() => ShardSet.Open(Dir, 50));
        Assert.Contains("a.pnfs", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ShardSet.Open(Path.Combine(Dir, "nope"), 0));
    }

    [Fact]
    public void NormalizationIsTheMeanAndDeviationOfTheFeatures()
    {
        var frames = Synthetic.Frames(4, 50, 5);
        FeatureShard.Write(Path.Combine(Dir, "a.pnfs"), 50, frames);
        var norm = ShardSet.Open(Dir, 0).ComputeNormalization();
        var x = Synthetic.Features(frames);
        for (int i = 0; i < FeatureShard.Features; i++)
        {
            var col = Enumerable.Range(0, 200).Select(t => (double)x[t * FeatureShard.Features + i]).ToArray();
            double m = col.Average();
            double s = Math.Sqrt(col.Select(v => (v - m) * (v - m)).Average());
            Assert.True(Math.Abs(norm.Mean[i] - m) <= 1e-4 * Math.Max(1, Math.Abs(m)), $"mean {i}");
            Assert.True(Math.Abs(norm.Std[i] - Math.Max(1e-3, s)) <= 1e-3 * Math.Max(1, s), $"std {i}: {norm.Std[i]} vs {s}");
        }
    }

    [Fact]
    public void AFeatureFloorRaisesOnlyTheEnergiesAsTheyLoad()
    {
        FeatureShard.Write(Path.Combine(Dir, "a.pnfs"), 40, Synthetic.Frames(4, 40, 1));
        var plain = ShardSet.Open(Dir, 20);
        var floored = ShardSet.Open(Dir, 20).WithFeatureFloor(-50);
        Assert.Equal(-50, floored.FeatureFloorDbfs);
        var batch = plain.Plan(4, 1, 3)[0];
        float[] a = plain.Load(batch), b = floored.Load(batch);
        float[] floor = PercepNet.Features.FeatureExtractor.NoiseFloorEnergies(-50);
        for (int f = 0; f < a.Length / FeatureShard.FrameFloats; f++)
            for (int i = 0; i < FeatureShard.FrameFloats; i++)
            {
                float x = a[f * FeatureShard.FrameFloats + i], y = b[f * FeatureShard.FrameFloats + i];
                if (i < PercepNet.Dsp.FrameLayout.BandCount) Assert.Equal(Math.Log10(Math.Pow(10, x) + floor[i]), y, 3);
                else Assert.Equal(x, y);
            }
        var n0 = plain.ComputeNormalization();
        var n1 = floored.ComputeNormalization();
        Assert.True(n1.Mean[0] > n0.Mean[0]);
        Assert.Equal(n0.Mean[40], n1.Mean[40]);
    }
}
