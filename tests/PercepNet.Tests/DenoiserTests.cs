using PercepNet.TestSupport;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;
using PercepNet.Tests.Nn;

namespace PercepNet.Tests;

public class DenoiserTests
{
    private static readonly NetworkShape Tiny = new()
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 20, SharedGru = 18, GainGru = 14, StrengthGru = 10,
    };

    /// <summary>A model whose heads ignore their inputs: every gain sigmoid(gainBias), every strength sigmoid(strengthBias), speech probability sigmoid(vadBias).</summary>
    internal static PercepNetModel ConstantModel(float gainBias, float strengthBias, NetworkShape? shape = null, float vadBias = 0)
    {
        shape ??= Tiny;
        var names = shape.Tensors();
        var tensors = names.Select(t =>
        {
            var w = new float[t.Shape.Aggregate(1, (a, b) => a * b)];
            if (t.Name == "gain_head.bias") Array.Fill(w, gainBias);
            if (t.Name == "strength_head.bias") Array.Fill(w, strengthBias);
            if (t.Name == "vad_head.bias") Array.Fill(w, vadBias);
            return w;
        }).ToList();
        var mean = new float[FeatureExtractor.Count];
        var std = Enumerable.Repeat(1f, FeatureExtractor.Count).ToArray();
        return PercepNetModel.FromFile(new ModelFile(shape, mean, std, tensors), "constant");
    }

    internal static PercepNetModel RandomModel(int seed) =>
        PercepNetModel.FromFile(PercepNetNetworkTests.RandomModel(Tiny, seed), "random");

    private static float[] Speechlike(int n, int seed, double noise = 0.05)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = i / 48000.0, v = 0;
            for (int h = 1; h < 25; h++) v += Math.Sin(2 * Math.PI * (140 + 15 * Math.Sin(3 * t)) * h * t) / h;
            x[i] = (float)(0.2 * Math.Max(0, Math.Sin(2 * Math.PI * 2 * t)) * v + noise * (rng.NextDouble() * 2 - 1));
        }
        return x;
    }

    private static float[] Run(Denoiser d, float[] x)
    {
        var y = new float[x.Length / 480 * 480];
        for (int f = 0; f < y.Length / 480; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
        return y;
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void UnitGainsReproduceTheInputDelayedByTheStatedLatency(bool postfilter, bool int8)
    {
        var d = new Denoiser(ConstantModel(30, -30), new DenoiserOptions { Postfilter = postfilter, UseInt8 = int8 });
        Assert.Equal(1440, d.LatencySamples);
        var x = Speechlike(48000, 1);
        var y = Run(d, x);
        double maxErr = 0;
        for (int i = d.LatencySamples; i < y.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(y[i] - x[i - d.LatencySamples]));
        Assert.True(maxErr < 1e-5, $"max error {maxErr:E2}");
    }

    [Theory]
    [InlineData(6.0)]
    [InlineData(12.0)]
    [InlineData(20.0)]
    public void AttenuationLimitIsAFloorOnTheGain(double limitDb)
    {
        var d = new Denoiser(ConstantModel(-30, -30), new DenoiserOptions { AttenuationLimitDb = limitDb });
        var x = Speechlike(48000, 2);
        var y = Run(d, x);
        double ex = 0, ey = 0;
        for (int i = 4800; i < y.Length; i++) { ey += y[i] * y[i]; ex += x[i - 1440] * x[i - 1440]; }
        Assert.Equal(-limitDb, 10 * Math.Log10(ey / ex), 1);
        var none = Run(new Denoiser(ConstantModel(-30, -30)), x);
        Assert.True(none.Skip(4800).Max(Math.Abs) < 1e-6, "without a limit, zero gains silence the output");
    }

    [Fact]
    public void InPlaceEqualsOutOfPlaceAndResetIsBitExact()
    {
        var model = RandomModel(3);
        var x = Speechlike(48000, 3);
        var a = Run(new Denoiser(model), x);
        var d = new Denoiser(model);
        var b = (float[])x.Clone();
        for (int f = 0; f < b.Length / 480; f++) d.ProcessFrame(b.AsSpan(f * 480, 480), b.AsSpan(f * 480, 480));
        Assert.Equal(a, b.AsSpan(0, a.Length).ToArray());
        d.Reset();
        Assert.Equal(a, Run(d, x));
    }

    [Fact]
    public void StreamingEqualsBatchForAnyChunking()
    {
        var model = RandomModel(4);
        var x = Speechlike(48000, 4);
        float[] Chunked(Func<Random, int> size)
        {
            var adapter = new FrameAdapter(new Denoiser(model));
            var y = new float[x.Length];
            var rng = new Random(1);
            for (int pos = 0; pos < x.Length;)
            {
                int n = Math.Min(size(rng), x.Length - pos);
                adapter.Process(x.AsSpan(pos, n), y.AsSpan(pos, n));
                pos += n;
            }
            return y;
        }
        var whole = Chunked(_ => x.Length);
        Assert.Equal(whole, Chunked(_ => 1));
        Assert.Equal(whole, Chunked(r => r.Next(1, 2000)));
    }

    [Theory]
    [InlineData(true, 70)]
    [InlineData(false, 70)]
    [InlineData(true, 104)]
    [InlineData(false, 104)]
    public void AllocatesNothingPerFrame(bool int8, int features)
    {
        var model = features == 70 ? RandomModel(5)
            : PercepNetModel.FromFile(PercepNetNetworkTests.RandomModel(Tiny with { Features = features }, 5), "random-104");
        var d = new Denoiser(model, new DenoiserOptions { UseInt8 = int8, GainReleaseMs = 135 });
        var x = Speechlike(48000, 5);
        var y = new float[480];
        for (int f = 0; f < 50; f++) d.ProcessFrame(x.AsSpan(f % 100 * 480, 480), y);
        Assert.Equal(0, Allocations.BestOf(3, () =>
        {
            for (int f = 0; f < 1000; f++) d.ProcessFrame(x.AsSpan(f % 100 * 480, 480), y);
        }));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("square")]
    [InlineData("dc")]
    [InlineData("silence")]
    [InlineData("clipped")]
    public void HostileInputNeverPoisonsTheStream(string kind)
    {
        var model = RandomModel(6);
        var x = Speechlike(48000 * 5, 6);
        var hostile = (float[])x.Clone();
        int start = 48000, end = 48000 * 2; // one second of hostile input
        for (int i = start; i < end; i++)
            hostile[i] = kind switch
            {
                "nan" => float.NaN,
                "inf" => i % 2 == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                "square" => (i / 40) % 2 == 0 ? 1f : -1f,
                "dc" => 0.9f,
                "silence" => 0f,
                _ => Math.Clamp(x[i] * 20, -1f, 1f),
            };
        var d = new Denoiser(model);
        var y = Run(d, hostile);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.True(y.Max(Math.Abs) < 10, $"{kind}: peak {y.Max(Math.Abs)}");
        // One second after the hostile part, the output is back to what a clean stream gives (within -20 dB).
        var clean = Run(new Denoiser(model), x);
        double err = 0, sig = 0;
        for (int i = end + 48000 + 1440; i < y.Length; i++) { err += (y[i] - clean[i]) * (y[i] - clean[i]); sig += clean[i] * clean[i]; }
        Assert.True(err < 0.01 * sig, $"{kind}: residual difference {10 * Math.Log10(err / sig):F1} dB");
    }

    [Fact]
    public void Int8AndFloatStreamsAgreeClosely()
    {
        var model = RandomModel(8);
        var x = Speechlike(48000, 8);
        var a = Run(new Denoiser(model, new DenoiserOptions { UseInt8 = true }), x);
        var b = Run(new Denoiser(model, new DenoiserOptions { UseInt8 = false }), x);
        double err = 0, sig = 0;
        for (int i = 0; i < a.Length; i++) { err += (a[i] - b[i]) * (a[i] - b[i]); sig += b[i] * b[i]; }
        Assert.True(err < 1e-3 * sig, $"int8 vs float: {10 * Math.Log10(err / sig):F1} dB");
    }

    [Fact]
    public void RejectsWrongFrameSizesAndBadOptions()
    {
        var d = new Denoiser(RandomModel(7));
        Assert.Throws<ArgumentException>(() => d.ProcessFrame(new float[479], new float[480]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(RandomModel(7), new DenoiserOptions { AttenuationLimitDb = -3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(RandomModel(7), new DenoiserOptions { PostfilterStrength = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(RandomModel(7), new DenoiserOptions { PostfilterStrength = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(RandomModel(7), new DenoiserOptions { GainReleaseMs = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(RandomModel(7), new DenoiserOptions { GainReleaseMs = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.GainReleaseMs = 1e5);
    }

    [Fact]
    public void GainReleaseKeepsMoreOfTheSignalAndIsALiveControl()
    {
        var model = RandomModel(12);
        var x = Speechlike(96000, 12, noise: 0.1);
        var plain = Run(new Denoiser(model), x);
        Assert.Equal(plain, Run(new Denoiser(model, new DenoiserOptions { GainReleaseMs = null }), x));
        var d = new Denoiser(model, new DenoiserOptions { GainReleaseMs = 135 });
        Assert.Equal(135, d.GainReleaseMs);
        var held = Run(d, x);
        d.Reset();
        Assert.Equal(held, Run(d, x)); // reset is bit-exact with the limit on
        var slow = Run(new Denoiser(model, new DenoiserOptions { GainReleaseMs = 1000 }), x);
        static double Energy(float[] y) => y.Sum(v => (double)v * v);
        // Gains are only ever raised, so the output keeps at least as much energy, more for a slower release.
        Assert.True(Energy(held) > Energy(plain) && Energy(slow) > Energy(held) * 1.05, $"energies: off {Energy(plain)}, 135 ms {Energy(held)}, 1000 ms {Energy(slow)}");
        // Turned off and on again between frames: off gives the plain stream's frames back.
        var e = new Denoiser(model, new DenoiserOptions { GainReleaseMs = 135 });
        var y = new float[x.Length / 480 * 480];
        for (int f = 0; f < y.Length / 480; f++)
        {
            e.GainReleaseMs = f < 100 ? null : 135;
            e.ProcessFrame(x.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
        }
        Assert.Null(new Denoiser(model).GainReleaseMs);
        Assert.Equal(plain.AsSpan(0, 100 * 480).ToArray(), y.AsSpan(0, 100 * 480).ToArray());
        Assert.NotEqual(plain.AsSpan(100 * 480).ToArray(), y.AsSpan(100 * 480).ToArray());
    }

    [Fact]
    public void PostfilterStrengthRunsFromNoPostfilterToThePapers()
    {
        var model = RandomModel(9);
        var x = Speechlike(48000, 9, noise: 0.2);
        var off = Run(new Denoiser(model, new DenoiserOptions { Postfilter = false }), x);
        var zero = Run(new Denoiser(model, new DenoiserOptions { PostfilterStrength = 0 }), x);
        var half = Run(new Denoiser(model, new DenoiserOptions { PostfilterStrength = 0.5 }), x);
        var paper = Run(new Denoiser(model, new DenoiserOptions { PostfilterStrength = 1 }), x);
        Assert.Equal(half, Run(new Denoiser(model), x)); // the default strength is 0.5
        float maxDiff = 0;
        for (int i = 0; i < off.Length; i++) maxDiff = MathF.Max(maxDiff, MathF.Abs(off[i] - zero[i]));
        Assert.True(maxDiff < 1e-4f, $"strength 0 differs from no postfilter by {maxDiff}");
        static double Distance(float[] a, float[] b) => a.Zip(b, (p, q) => (double)(p - q) * (p - q)).Sum();
        double toHalf = Distance(off, half), toPaper = Distance(off, paper);
        Assert.True(toHalf > 0 && toHalf < toPaper, $"distance from no postfilter: s=0.5 {toHalf}, s=1 {toPaper}");
    }
}
