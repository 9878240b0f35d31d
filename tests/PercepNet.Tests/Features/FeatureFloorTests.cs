using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Tests.Features;

/// <summary>The feature noise floor (issue 13): what it computes, where it is stored, what it changes.</summary>
public class FeatureFloorTests
{
    private static float[] Gaussian(int n, double rms, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(rms * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return x;
    }

    [Fact]
    public void NoiseFloorEnergiesAreTheMeanBandEnergiesOfWhiteNoiseAtThatLevel()
    {
        const double Dbfs = -60;
        var x = Gaussian(960 * 1500, Math.Pow(10, Dbfs / 20), 4);
        var stft = new Stft();
        var spectrum = new float[Stft.SpectrumLength];
        var e = new float[FrameLayout.BandCount];
        var sum = new double[FrameLayout.BandCount];
        int frames = 0;
        for (int start = 0; start + 960 <= x.Length; start += 960, frames++)
        {
            stft.Analyze(x.AsSpan(start, 960), spectrum);
            ErbBands.Energy(spectrum, e);
            for (int b = 0; b < e.Length; b++) sum[b] += e[b];
        }
        float[] floor = FeatureExtractor.NoiseFloorEnergies(Dbfs);
        for (int b = 0; b < floor.Length; b++)
        {
            double measured = sum[b] / frames;
            Assert.InRange(measured / floor[b], 0.9, 1.1);
        }
        // 10 dB more noise, 10 times the energy.
        float[] louder = FeatureExtractor.NoiseFloorEnergies(Dbfs + 10);
        for (int b = 0; b < floor.Length; b++) Assert.Equal(10.0, louder[b] / floor[b], 4);
    }

    [Fact]
    public void AFloorOnStoredFeaturesEqualsExtractingWithIt()
    {
        var analyzer = new SignalAnalyzer();
        var y = new FrameSpectrum();
        var x = Gaussian(480 * 30, 1e-4, 7);
        for (int i = 0; i < x.Length / 3; i++) x[i] *= 100; // loud, then quiet below the floor
        float[] floor = FeatureExtractor.NoiseFloorEnergies(-66);
        var plain = new float[FeatureExtractor.Count];
        var floored = new float[FeatureExtractor.Count];
        bool anyChanged = false;
        for (int f = 0; f < 30; f++)
        {
            analyzer.AnalyzeFrame(x.AsSpan(f * 480, 480), y, null);
            FeatureExtractor.Extract(y, plain);
            FeatureExtractor.Extract(y, floored, floor);
            var later = (float[])plain.Clone();
            FeatureExtractor.ApplyFloor(later, floor);
            for (int i = 0; i < FeatureExtractor.Count; i++) Assert.Equal(floored[i], later[i], 4);
            for (int b = 0; b < FrameLayout.BandCount; b++)
            {
                Assert.True(floored[b] >= plain[b]);
                Assert.True(floored[b] >= MathF.Log10(floor[b]) - 1e-4f);
                anyChanged |= floored[b] - plain[b] > 0.1f;
            }
            // Only the energies change.
            for (int i = FrameLayout.BandCount; i < FeatureExtractor.Count; i++) Assert.Equal(plain[i], floored[i]);
        }
        Assert.True(anyChanged, "the quiet frames' energies should rise to the floor");
    }

    [Fact]
    public void TheFloorTravelsInTheModelFileAndVersion1FilesHaveNone()
    {
        var m = PercepNetNetworkTestsAccess.Random(3).WithFeatureFloor(-66);
        using var ms = new MemoryStream();
        m.WriteTo(ms);
        byte[] v2 = ms.ToArray();
        var back = ModelFile.Parse(v2, "v2");
        Assert.Equal(-66, back.FeatureFloorDbfs);
        for (int i = 0; i < m.TensorCount; i++) Assert.Equal(m.Tensor(i).ToArray(), back.Tensor(i).ToArray());

        // Version 1: the same bytes without the floor field.
        int floorAt = ModelFile.HeaderBytes + 2 * 4 * FeatureExtractor.Count;
        byte[] v1 = [.. v2.AsSpan(0, floorAt), .. v2.AsSpan(floorAt + 4)];
        BitConverter.GetBytes(1).CopyTo(v1, 4);
        var old = ModelFile.Parse(v1, "v1");
        Assert.Null(old.FeatureFloorDbfs);
        Assert.Equal(m.Tensor(0).ToArray(), old.Tensor(0).ToArray());

        // No floor is written as NaN and read back as none.
        using var none = new MemoryStream();
        m.WithFeatureFloor(null).WriteTo(none);
        Assert.Null(ModelFile.Parse(none.ToArray(), "none").FeatureFloorDbfs);

        // A floor out of range names the file.
        byte[] bad = (byte[])v2.Clone();
        BitConverter.GetBytes(12f).CopyTo(bad, floorAt);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Parse(bad, "bad.pnnm"));
        Assert.Contains("bad.pnnm", e.Message);
        Assert.Contains("feature floor", e.Message);
        Assert.Throws<ArgumentException>(() => m.WithFeatureFloor(3));
    }

    [Fact]
    public void TheDenoiserUsesTheModelsFloorUnlessTheOptionsSayOtherwise()
    {
        var file = PercepNetNetworkTestsAccess.Random(5);
        var plain = PercepNetModel.FromFile(file, "plain");
        var withFloor = PercepNetModel.FromFile(file.WithFeatureFloor(-66), "floored");
        // Digital silence, then a quiet voice: the network's input differs with a floor.
        var x = new float[48000];
        var rng = new Random(2);
        for (int i = 24000; i < x.Length; i++) x[i] = (float)(0.003 * Math.Sin(2 * Math.PI * 180 * i / 48000.0) + 1e-5 * (rng.NextDouble() - 0.5));
        float[] Run(PercepNetModel m, DenoiserOptions? o)
        {
            var d = new Denoiser(m, o);
            var y = new float[x.Length];
            for (int f = 0; f < x.Length / 480; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
            return y;
        }
        var a = Run(withFloor, null);
        Assert.Equal(a, Run(plain, new DenoiserOptions { FeatureNoiseFloorDbfs = -66 }));
        var noFloor = Run(plain, null);
        Assert.NotEqual(a, noFloor);
        Assert.Equal(noFloor, Run(withFloor, new DenoiserOptions { FeatureNoiseFloorDbfs = -200 }));
        // The floor changes what the network sees, never the signal: digital silence stays silent.
        for (int i = 0; i < 24000 - 1440; i++) Assert.Equal(0f, a[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(plain, new DenoiserOptions { FeatureNoiseFloorDbfs = 5 }));
    }
}

/// <summary>Random small models for these tests.</summary>
internal static class PercepNetNetworkTestsAccess
{
    public static ModelFile Random(int seed) => Nn.PercepNetNetworkTests.RandomModel(new NetworkShape
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 20, SharedGru = 18, GainGru = 14, StrengthGru = 10,
    }, seed);
}
