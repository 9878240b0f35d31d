using PercepNet.Training.Data;

namespace PercepNet.Training.Tests;

public sealed class FeatureShardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-shard-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void RoundTripsAndRejectsBadFiles()
    {
        var frames = new float[3 * 10 * FeatureShard.FrameFloats];
        for (int i = 0; i < frames.Length; i++) frames[i] = i * 0.5f;
        string p = Path.Combine(_dir, "a.pnfs");
        FeatureShard.Write(p, 10, frames);
        var (len, count, back) = FeatureShard.Read(p);
        Assert.Equal(10, len);
        Assert.Equal(3, count);
        Assert.Equal(frames, back);

        File.WriteAllBytes(Path.Combine(_dir, "b.pnfs"), [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => FeatureShard.Read(Path.Combine(_dir, "b.pnfs")));
        Assert.Contains("b.pnfs", e.Message);
        var bytes = File.ReadAllBytes(p);
        File.WriteAllBytes(Path.Combine(_dir, "c.pnfs"), bytes[..^4]);
        Assert.Throws<InvalidDataException>(() => FeatureShard.Read(Path.Combine(_dir, "c.pnfs")));
    }
}
