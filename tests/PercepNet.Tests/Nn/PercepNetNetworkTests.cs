using PercepNet.TestSupport;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Tests.Nn;

public class PercepNetNetworkTests
{
    private static readonly NetworkShape Tiny = new()
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 20, SharedGru = 18, GainGru = 14, StrengthGru = 10,
    };

    /// <summary>A model with uniform random weights in [-scale, scale] (seeded).</summary>
    internal static ModelFile RandomModel(NetworkShape shape, int seed, float scale = 0.3f)
    {
        var rng = new Random(seed);
        var tensors = shape.Tensors()
            .Select(t => Enumerable.Range(0, t.Shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray())
            .ToList();
        var mean = Enumerable.Range(0, shape.Features).Select(i => (float)(0.1 * i)).ToArray();
        var std = Enumerable.Range(0, shape.Features).Select(i => 0.5f + 0.01f * i).ToArray();
        return new ModelFile(shape, mean, std, tensors);
    }

    private static float[] Features(int frames, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, frames * FeatureExtractor.Count).Select(i => (float)(0.1 * (i % FeatureExtractor.Count) + rng.NextDouble() - 0.5)).ToArray();
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// The whole network in double precision, on a whole sequence at once, written from the
    /// equations (causal convolutions, PyTorch GRU), independent of the streaming code.
    /// </summary>
    private static (double[][] G, double[][] R, double[] V) Reference(ModelFile m, float[] features, int frames)
    {
        var s = m.Shape;
        int ti = 0;
        double[] T() => m.Tensor(ti++).ToArray().Select(v => (double)v).ToArray();
        double[][] Linear(double[][] x, double[] w, double[] b, int outputs) => x.Select(v =>
            Enumerable.Range(0, outputs).Select(o => b[o] + v.Select((xi, i) => w[o * v.Length + i] * xi).Sum()).ToArray()).ToArray();
        double[][] Conv(double[][] x, double[] w, double[] b, int outputs, int k) => Enumerable.Range(0, x.Length).Select(t =>
            Enumerable.Range(0, outputs).Select(o =>
            {
                double sum = b[o];
                int inputs = x[0].Length;
                for (int i = 0; i < inputs; i++)
                    for (int j = 0; j < k; j++)
                    {
                        int src = t - (k - 1) + j;
                        if (src >= 0) sum += w[(o * inputs + i) * k + j] * x[src][i];
                    }
                return sum;
            }).ToArray()).ToArray();
        double[][] Gru(double[][] x, int hidden)
        {
            double[] wih = T(), whh = T(), bih = T(), bhh = T();
            var h = new double[hidden];
            var outs = new double[x.Length][];
            for (int t = 0; t < x.Length; t++)
            {
                var gi = Enumerable.Range(0, 3 * hidden).Select(o => bih[o] + x[t].Select((v, i) => wih[o * x[t].Length + i] * v).Sum()).ToArray();
                var gh = Enumerable.Range(0, 3 * hidden).Select(o => bhh[o] + h.Select((v, i) => whh[o * hidden + i] * v).Sum()).ToArray();
                var next = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double r = Sigmoid(gi[j] + gh[j]), z = Sigmoid(gi[hidden + j] + gh[hidden + j]);
                    double n = Math.Tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
                    next[j] = (1 - z) * n + z * h[j];
                }
                outs[t] = h = next;
            }
            return outs;
        }
        static double[][] Map(double[][] x, Func<double, double> f) => x.Select(v => v.Select(f).ToArray()).ToArray();
        static double[][] Cat(params double[][][] parts) => Enumerable.Range(0, parts[0].Length).Select(t => parts.SelectMany(p => p[t]).ToArray()).ToArray();

        int n = FeatureExtractor.Count;
        var x = Enumerable.Range(0, frames).Select(t => Enumerable.Range(0, n).Select(i => ((double)features[t * n + i] - m.FeatureMean[i]) / m.FeatureStd[i]).ToArray()).ToArray();
        var d = Map(Linear(x, T(), T(), s.InputDense), Math.Tanh);
        var c1 = Map(Conv(d, T(), T(), s.Conv1Channels, s.Conv1Kernel), Math.Tanh);
        var c = Map(Conv(c1, T(), T(), s.Conv2Channels, s.Conv2Kernel), Math.Tanh);
        var states = new List<double[][]> { c };
        var h = c;
        for (int l = 0; l < s.SharedGruLayers; l++) states.Add(h = Gru(h, s.SharedGru));
        states.Add(Gru(h, s.GainGru));
        var hr = Gru(Cat(c, h), s.StrengthGru);
        var g = Map(Linear(Cat([.. states]), T(), T(), FrameLayout.BandCount), Sigmoid);
        var r = Map(Linear(hr, T(), T(), FrameLayout.BandCount), Sigmoid);
        var v = Map(Linear(h, T(), T(), 1), Sigmoid).Select(a => a[0]).ToArray();
        return (g, r, v);
    }

    [Fact]
    public void MatchesADoublePrecisionReference()
    {
        var model = RandomModel(Tiny, seed: 3);
        const int frames = 40;
        var features = Features(frames, 4);
        var (g, r, v) = Reference(model, features, frames);
        var net = new PercepNetNetwork(model);
        var gains = new float[34];
        var strengths = new float[34];
        for (int t = 0; t < frames; t++)
        {
            net.Process(features.AsSpan(t * 70, 70), gains, strengths, out float vad);
            for (int b = 0; b < 34; b++)
            {
                Assert.True(Math.Abs(gains[b] - g[t][b]) <= 1e-5, $"gain t={t} b={b}: {gains[b]} vs {g[t][b]} (seed 3)");
                Assert.True(Math.Abs(strengths[b] - r[t][b]) <= 1e-5, $"strength t={t} b={b}: {strengths[b]} vs {r[t][b]} (seed 3)");
            }
            Assert.True(Math.Abs(vad - v[t]) <= 1e-5, $"vad t={t}: {vad} vs {v[t]}");
        }
    }

    [Fact]
    public void ResetStartsANewStream()
    {
        var model = RandomModel(Tiny, seed: 5);
        var features = Features(30, 6);
        float[] Run(PercepNetNetwork net)
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
        var a = new PercepNetNetwork(model);
        var first = Run(a);
        a.Reset();
        Assert.Equal(first, Run(a));
        Assert.Equal(first, Run(new PercepNetNetwork(model)));
        Assert.Equal(2, a.LookaheadFrames);
    }

    [Fact]
    public void ProcessAllocatesNothing()
    {
        var net = new PercepNetNetwork(RandomModel(NetworkShape.Small, seed: 7, scale: 0.05f));
        var features = Features(8, 8);
        var g = new float[34];
        var r = new float[34];
        for (int t = 0; t < 20; t++) net.Process(features.AsSpan(t % 8 * 70, 70), g, r, out _); // warm-up (JIT, tiering)
        Assert.Equal(0, Allocations.BestOf(3, () =>
        {
            for (int t = 0; t < 1000; t++) net.Process(features.AsSpan(t % 8 * 70, 70), g, r, out _);
        }));
    }

    [Fact]
    public void NonFiniteFeaturesDoNotPoisonTheStream()
    {
        var net = new PercepNetNetwork(RandomModel(Tiny, seed: 9));
        var features = Features(10, 10);
        features[3 * 70 + 5] = float.NaN;
        features[4 * 70 + 0] = float.PositiveInfinity;
        features[6 * 70 + 69] = float.NegativeInfinity;
        var g = new float[34];
        var r = new float[34];
        for (int t = 0; t < 10; t++)
        {
            net.Process(features.AsSpan(t * 70, 70), g, r, out float vad);
            Assert.True(g.All(float.IsFinite) && r.All(float.IsFinite) && float.IsFinite(vad), $"frame {t}");
        }
    }

    [Fact]
    public void ModelFileConstructorRejectsWrongSizes()
    {
        var good = RandomModel(Tiny, seed: 1);
        var tensors = Enumerable.Range(0, good.TensorCount).Select(i => good.Tensor(i).ToArray()).ToList();
        tensors[3] = new float[5];
        Assert.Throws<ArgumentException>(() => new ModelFile(Tiny, good.FeatureMean.ToArray(), good.FeatureStd.ToArray(), tensors));
        Assert.Throws<ArgumentException>(() => new ModelFile(Tiny with { GainGru = 0 }, good.FeatureMean.ToArray(), good.FeatureStd.ToArray(), tensors));
    }
}
