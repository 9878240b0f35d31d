using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Tests.Features;

/// <summary>The 34 noise-floor-relative inputs of a 104-feature network (<see cref="NoiseFloorTracker"/>).</summary>
public class NoiseFloorTrackerTests
{
    private static float[] Frame(float level)
    {
        var e = new float[FrameLayout.BandCount];
        Array.Fill(e, level);
        return e;
    }

    [Fact]
    public void SteadyLevelsReadZeroAndTheFloorIsTheMinimumOfTheLastSecondAndAHalf()
    {
        var t = new NoiseFloorTracker();
        var o = new float[FrameLayout.BandCount];
        for (int i = 0; i < 50; i++) t.Next(Frame(-3f), o);
        Assert.All(o, v => Assert.Equal(0f, v, 6));
        // A 20 dB step up (speech over the noise) reads 2 log10 units above the floor for at least
        // 1.4 s (the noise is still in the window) ...
        for (int i = 0; i < 140; i++)
        {
            t.Next(Frame(-1f), o);
            Assert.All(o, v => Assert.Equal(2f, v, 5));
        }
        // ... and 0 once it has filled the window for 1.6 s: the floor came up (after digital silence too).
        for (int i = 0; i < 20; i++) t.Next(Frame(-1f), o);
        Assert.All(o, v => Assert.InRange(v, -0.01f, 0.01f));
        // The floor falls at once with the smoothed level: back down, the reading is near 0 within a few frames.
        for (int i = 0; i < 10; i++) t.Next(Frame(-3f), o);
        Assert.All(o, v => Assert.InRange(v, -0.01f, 0.01f));
        // Short dips lower the floor for as long as they stay in the window.
        t.Next(Frame(-5f), o);
        for (int i = 0; i < 100; i++) t.Next(Frame(-3f), o);
        Assert.All(o, v => Assert.InRange(v, 0.99f, 1.01f)); // the smoothed dip reached -4
        for (int i = 0; i < 60; i++) t.Next(Frame(-3f), o);
        Assert.All(o, v => Assert.InRange(v, -0.01f, 0.01f));
    }

    [Fact]
    public void BandsAreTrackedSeparately()
    {
        var t = new NoiseFloorTracker();
        var o = new float[FrameLayout.BandCount];
        var e = Frame(-4f);
        for (int i = 0; i < 20; i++) t.Next(e, o);
        e[5] = -2f;
        t.Next(e, o);
        Assert.Equal(2f, o[5], 4);
        Assert.Equal(0f, o[4], 6);
        Assert.Equal(0f, o[6], 6);
    }

    [Fact]
    public void ASequenceIsTrackedFromItsFirstFrameAsAStreamIsAfterReset()
    {
        var rng = new Random(3);
        const int Frames = 120, Stride = 80;
        var rows = new float[Frames * Stride];
        for (int i = 0; i < rows.Length; i++) rows[i] = (float)(rng.NextDouble() * 4 - 5);
        var expanded = new float[Frames * FeatureExtractor.ExtendedCount];
        var t = new NoiseFloorTracker();
        // Some history first: ApplyToSequence must forget it.
        var o = new float[FrameLayout.BandCount];
        for (int i = 0; i < 30; i++) t.Next(Frame(-8f), o);
        t.ApplyToSequence(rows, Stride, Frames, expanded);

        var stream = new NoiseFloorTracker();
        for (int f = 0; f < Frames; f++)
        {
            var row = expanded.AsSpan(f * FeatureExtractor.ExtendedCount, FeatureExtractor.ExtendedCount);
            Assert.True(row[..FeatureExtractor.Count].SequenceEqual(rows.AsSpan(f * Stride, FeatureExtractor.Count)), $"frame {f}: the 70 features are copied");
            stream.Next(rows.AsSpan(f * Stride, FrameLayout.BandCount), o);
            Assert.True(row[FeatureExtractor.FloorRelativeOffset..].SequenceEqual(o), $"frame {f}: the 34 levels match the stream's");
        }
        // The first frame of any sequence reads 0 in every band.
        Assert.All(expanded.AsSpan(FeatureExtractor.FloorRelativeOffset, 34).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AModelFileSaysHowManyFeaturesItsNetworkReads()
    {
        var shape = new NetworkShape { InputDense = 8, Conv1Channels = 8, Conv2Channels = 8, SharedGru = 8, GainGru = 8, StrengthGru = 8, Features = 104 };
        var model = ModelFile.TorchInit(shape, 1);
        using var ms = new MemoryStream();
        model.WriteTo(ms);
        var back = ModelFile.Parse(ms.ToArray(), "m.pnnm");
        Assert.Equal(104, back.Shape.Features);
        Assert.Equal(104, back.FeatureMean.Length);
        Assert.Equal(104 * 8, back.Tensor("input.weight").Length);
        // Any other count is refused, naming the file and the field.
        byte[] bytes = ms.ToArray();
        BitConverter.GetBytes(71).CopyTo(bytes, 4 + 4 + 3 * 4);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Parse(bytes, "m.pnnm"));
        Assert.Contains("m.pnnm", e.Message);
        Assert.Contains("feature count 71", e.Message);
        Assert.Contains("Features", Assert.Throws<ArgumentException>(() => ModelFile.TorchInit(shape with { Features = 90 }, 1)).Message);
    }

    [Fact]
    public void TheDenoiserFeedsA104FeatureNetworkAndResetStartsTheTrackerAgain()
    {
        var shape = new NetworkShape { InputDense = 16, Conv1Channels = 16, Conv2Channels = 16, SharedGru = 16, GainGru = 16, StrengthGru = 8, Features = 104 };
        var file = ModelFile.TorchInit(shape, 4);
        var model = PercepNetModel.FromFile(file, "nf");
        var rng = new Random(9);
        var x = new float[480 * 200];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() - 0.5) * (i < x.Length / 2 ? 0.01 : 0.3));
        foreach (bool int8 in new[] { false, true })
        {
            var d = new Denoiser(model, new DenoiserOptions { UseInt8 = int8 });
            var a = new float[x.Length];
            for (int f = 0; f < 200; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), a.AsSpan(f * 480, 480));
            Assert.All(a, v => Assert.True(float.IsFinite(v)));
            d.Reset();
            var b = new float[x.Length];
            for (int f = 0; f < 200; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), b.AsSpan(f * 480, 480));
            Assert.Equal(a, b);
        }
    }
}
