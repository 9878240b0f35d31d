using PercepNet.TestSupport;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;
using Xunit.Abstractions;

namespace PercepNet.Tests.Nn;

public class PercepNetNetworkInt8Tests(ITestOutputHelper output)
{
    private static readonly NetworkShape Tiny = new()
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 20, SharedGruLayers = 2, SharedGru = 18, GainGru = 14, StrengthGru = 10,
    };

    /// <summary>
    /// TorchSharp's default initialisation: every weight and bias uniform in ±1/sqrt(fan in)
    /// (Linear: inputs; Conv1d: inputs * kernel; GRU: hidden). Feature statistics as in
    /// PercepNetNetworkTests.
    /// </summary>
    internal static ModelFile TorchInitModel(NetworkShape shape, int seed) =>
        ModelFile.TorchInit(shape, seed,
            Enumerable.Range(0, FeatureExtractor.Count).Select(i => (float)(0.1 * i)).ToArray(),
            Enumerable.Range(0, FeatureExtractor.Count).Select(i => 0.5f + 0.01f * i).ToArray());

    /// <summary>Features whose normalised values are independent N(0, 1).</summary>
    internal static float[] NormalFeatures(ModelFile m, int frames, int seed)
    {
        var rng = new Random(seed);
        var f = new float[frames * FeatureExtractor.Count];
        for (int i = 0; i < f.Length; i++)
        {
            int k = i % FeatureExtractor.Count;
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            f[i] = (float)(m.FeatureMean[k] + m.FeatureStd[k] * g);
        }
        return f;
    }

    private static (double MaxGain, double MeanGain, double MaxStrength, double MeanStrength, double MaxVad) Compare(ModelFile model, int frames, int seed)
    {
        var features = NormalFeatures(model, frames, seed);
        IPercepNetNetwork f = new PercepNetNetwork(model), q = new PercepNetNetworkInt8(model);
        var gf = new float[34]; var rf = new float[34]; var gq = new float[34]; var rq = new float[34];
        double maxG = 0, sumG = 0, maxR = 0, sumR = 0, maxV = 0;
        for (int t = 0; t < frames; t++)
        {
            f.Process(features.AsSpan(t * 70, 70), gf, rf, out float vf);
            q.Process(features.AsSpan(t * 70, 70), gq, rq, out float vq);
            for (int b = 0; b < 34; b++)
            {
                double dg = Math.Abs(gf[b] - gq[b]), dr = Math.Abs(rf[b] - rq[b]);
                maxG = Math.Max(maxG, dg); sumG += dg;
                maxR = Math.Max(maxR, dr); sumR += dr;
            }
            maxV = Math.Max(maxV, Math.Abs(vf - vq));
        }
        return (maxG, sumG / (34.0 * frames), maxR, sumR / (34.0 * frames), maxV);
    }

    /// <summary>
    /// int8 against float on TorchSharp-initialised networks with N(0,1) normalised features.
    /// Bounds (docs/inference.md): max |Δ| &lt;= 0.01 and mean |Δ| &lt;= 0.0015 for gains, strengths and VAD (measured: max 3.1e-3, mean 5.7e-4).
    /// </summary>
    [Theory]
    [InlineData("small", 300, 41)]
    [InlineData("paper", 150, 42)]
    public void Int8OutputsStayCloseToFloat(string preset, int frames, int seed)
    {
        var model = TorchInitModel(NetworkShape.FromPreset(preset)!, seed);
        var (maxG, meanG, maxR, meanR, maxV) = Compare(model, frames, seed + 1);
        output.WriteLine($"{preset}: gains max {maxG:e2} mean {meanG:e2}; strengths max {maxR:e2} mean {meanR:e2}; vad max {maxV:e2} ({frames} frames, seed {seed})");
        Assert.True(maxG <= 0.01 && maxR <= 0.01 && maxV <= 0.01, $"{preset}: max gain {maxG}, strength {maxR}, vad {maxV} (seed {seed})");
        Assert.True(meanG <= 0.0015 && meanR <= 0.0015, $"{preset}: mean gain {meanG}, strength {meanR} (seed {seed})");
    }

    [Fact]
    public void TinyInt8FollowsFloat()
    {
        var model = TorchInitModel(Tiny, 51);
        var (maxG, _, maxR, _, maxV) = Compare(model, 100, 52);
        Assert.True(maxG <= 0.01 && maxR <= 0.01 && maxV <= 0.01, $"tiny: max gain {maxG}, strength {maxR}, vad {maxV}");
    }

    /// <summary>
    /// Prints a hash of every output bit of the int8 engine: it must print the same with and
    /// without DOTNET_EnableAVX2=0 (the integer accumulators, codes and activations are
    /// bit-identical between the paths), which docs/inference.md reproduces by hand.
    /// </summary>
    [Fact]
    public void Int8OutputBitsHash()
    {
        var model = TorchInitModel(NetworkShape.Small, 71);
        var features = NormalFeatures(model, 50, 72);
        var net = new PercepNetNetworkInt8(model);
        var g = new float[34];
        var r = new float[34];
        ulong hash = 14695981039346656037;
        void Mix(float v) { hash ^= (uint)BitConverter.SingleToInt32Bits(v); hash *= 1099511628211; }
        for (int t = 0; t < 50; t++)
        {
            net.Process(features.AsSpan(t * 70, 70), g, r, out float vad);
            foreach (float v in g) Mix(v);
            foreach (float v in r) Mix(v);
            Mix(vad);
        }
        output.WriteLine($"int8 output hash {hash:x16} (AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported})");
        Assert.NotEqual(0UL, hash);
    }

    [Fact]
    public void ResetStartsANewStream()
    {
        var model = TorchInitModel(Tiny, 5);
        var features = NormalFeatures(model, 30, 6);
        float[] Run(IPercepNetNetwork net)
        {
            var all = new List<float>();
            var g = new float[34];
            var r = new float[34];
            for (int t = 0; t < 30; t++)
            {
                net.Process(features.AsSpan(t * 70, 70), g, r, out float vad);
                all.AddRange(g);
                all.AddRange(r);
                all.Add(vad);
            }
            return [.. all];
        }
        var a = new PercepNetNetworkInt8(model);
        var first = Run(a);
        a.Reset();
        Assert.Equal(first, Run(a));
        Assert.Equal(first, Run(new PercepNetNetworkInt8(model)));
        // Streams sharing one quantised model do not disturb each other.
        var shared = new QuantizedModel(model);
        var s1 = new PercepNetNetworkInt8(shared);
        var s2 = new PercepNetNetworkInt8(shared);
        var g = new float[34];
        var r = new float[34];
        for (int t = 0; t < 7; t++) s2.Process(features.AsSpan(t * 70, 70), g, r, out _);
        Assert.Equal(first, Run(s1));
        Assert.Equal(2, a.LookaheadFrames);
        Assert.Same(model.Shape, a.Shape);
    }

    [Fact]
    public void ProcessAllocatesNothing()
    {
        foreach (IPercepNetNetwork net in new IPercepNetNetwork[] { new PercepNetNetworkInt8(TorchInitModel(NetworkShape.Small, 7)), new PercepNetNetwork(TorchInitModel(Tiny, 7)) })
        {
            var features = NormalFeatures(TorchInitModel(Tiny, 7), 8, 8);
            var g = new float[34];
            var r = new float[34];
            for (int t = 0; t < 20; t++) net.Process(features.AsSpan(t % 8 * 70, 70), g, r, out _);
            Assert.Equal(0, Allocations.BestOf(3, () =>
            {
                for (int t = 0; t < 1000; t++) net.Process(features.AsSpan(t % 8 * 70, 70), g, r, out _);
            }));
        }
    }

    [Fact]
    public void NonFiniteAndExtremeFeaturesKeepOutputsFinite()
    {
        var model = TorchInitModel(Tiny, 9);
        var net = new PercepNetNetworkInt8(model);
        var features = NormalFeatures(model, 10, 10);
        features[3 * 70 + 5] = float.NaN;
        features[4 * 70 + 0] = float.PositiveInfinity;
        features[6 * 70 + 69] = float.NegativeInfinity;
        features[7 * 70 + 3] = 1e30f;
        var g = new float[34];
        var r = new float[34];
        for (int t = 0; t < 10; t++)
        {
            net.Process(features.AsSpan(t * 70, 70), g, r, out float vad);
            Assert.True(g.All(v => v > 0 && v < 1) && r.All(v => v > 0 && v < 1) && vad > 0 && vad < 1, $"frame {t}");
        }
        Assert.Throws<ArgumentException>(() => net.Process(new float[69], g, r, out _));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 2)]
    [InlineData(34, 2560, 3)]
    [InlineData(1536, 512, 4)]
    [InlineData(13, 77, 5)]
    public void FloatMatVecAvx2MatchesTheScalarSpecification(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        int stride = cols + 3; // a block of columns of a wider matrix
        var w = Enumerable.Range(0, rows * stride).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var x = Enumerable.Range(0, cols).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y0 = Enumerable.Range(0, rows).Select(_ => (float)rng.NextDouble()).ToArray();
        var scalar = (float[])y0.Clone();
        Kernels.MatVecAddScalar(w, stride, x, scalar);
        var fast = (float[])y0.Clone();
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported) Kernels.MatVecAddAvx2(w, stride, x, fast);
        else Kernels.MatVecAdd(w, stride, x, fast);
        for (int o = 0; o < rows; o++)
        {
            double sumAbs = Math.Abs(y0[o]);
            for (int i = 0; i < cols; i++) sumAbs += Math.Abs(w[o * stride + i] * x[i]);
            double tol = Kernels.MatVecTolerance(cols + 1, sumAbs);
            Assert.True(Math.Abs(scalar[o] - fast[o]) <= tol, $"row {o}: {scalar[o]} vs {fast[o]}, tolerance {tol:e2} (seed {seed})");
        }
    }
}
