using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;
using PercepNet.Training.Model;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PercepNet.Training.Tests;

[Collection(TorchCollection.Name)]
public sealed class ModelTests(ITestOutputHelper output)
{
    private static PercepNetTorchModel Create(NetworkShape shape, int seed = 1)
    {
        Synthetic.Torch();
        manual_seed(seed);
        return new PercepNetTorchModel(shape, Synthetic.Zeros(FeatureExtractor.Count), Synthetic.Ones(FeatureExtractor.Count));
    }

    [Fact]
    public void PresetParameterCounts()
    {
        using var paper = Create(NetworkShape.Paper);
        using var small = Create(NetworkShape.Small);
        using var medium = Create(NetworkShape.Medium);
        output.WriteLine($"paper: {paper.ParameterCount:N0} weights, small: {small.ParameterCount:N0} weights");
        Assert.Equal(NetworkShape.Paper.ParameterCount, paper.ParameterCount);
        Assert.Equal(NetworkShape.Small.ParameterCount, small.ParameterCount);
        // The paper's "8M"; the public reimplementation with these widths quotes 7.96M.
        Assert.InRange(paper.ParameterCount, 7_950_000, 7_970_000);
        Assert.InRange(small.ParameterCount, 1_000_000, 2_000_000);
        Assert.Equal(7_963_077, paper.ParameterCount);
        Assert.Equal(1_810_341, small.ParameterCount);
        Assert.Equal(NetworkShape.Medium.ParameterCount, medium.ParameterCount);
        Assert.Equal(3_606_277, medium.ParameterCount); // the capacity run medium-02 (its training log)
    }

    [Fact]
    public void OutputsHaveTheRightShapesAndRange()
    {
        using var model = Create(Synthetic.Tiny);
        using var scope = NewDisposeScope();
        var x = randn(2, 30, FeatureExtractor.Count);
        var (g, r, v) = model.call(x);
        Assert.Equal([2L, 30, FrameLayout.BandCount], g.shape);
        Assert.Equal([2L, 30, FrameLayout.BandCount], r.shape);
        Assert.Equal([2L, 30, 1], v.shape);
        Assert.True(g.min().item<float>() > 0 && g.max().item<float>() < 1);
    }

    /// <summary>
    /// Regression test of the training NaNs (issue 17): libtorch 2.10's CPU convolution runs
    /// oneDNN's blocked kernel, which on AVX-512 machines returned wrong, run-dependent values
    /// (sometimes NaN) for input channel counts above 16 and not a multiple of 16, in batches of
    /// more than one sequence. Each convolution's output is checked against the direct sum, on
    /// batches of 8, repeatedly, for such channel counts.
    /// </summary>
    [Theory]
    [InlineData(24, 24)]
    [InlineData(20, 40)]
    [InlineData(16, 24)]
    public void ConvolutionsEqualTheDirectSumForAnyChannelCount(int inputDense, int conv1Channels)
    {
        var shape = Synthetic.Tiny with { InputDense = inputDense, Conv1Channels = conv1Channels, Conv2Channels = 24 };
        using var model = Create(shape);
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().contiguous().data<float>().ToArray());
        var gen = new Generator(11);
        for (int round = 0; round < 20; round++)
        {
            using var scope = NewDisposeScope();
            var trace = model.Trace(randn(new long[] { 8, 30, FeatureExtractor.Count }, generator: gen)).ToDictionary(t => t.Layer, t => t.Output);
            float e1 = ConvError(trace["input dense"], trace["conv1"], weights["conv1.weight"], weights["conv1.bias"], shape.Conv1Kernel);
            float e2 = ConvError(trace["conv1"], trace["conv2"], weights["conv2.weight"], weights["conv2.bias"], shape.Conv2Kernel);
            Assert.True(e1 < 1e-5f && e2 < 1e-5f, $"round {round}: conv1 differs from the direct sum by {e1}, conv2 by {e2}");
        }
    }

    /// <summary>Largest difference of <paramref name="output"/> from tanh(causal conv of <paramref name="input"/>), computed directly.</summary>
    private static float ConvError(Tensor input, Tensor output, float[] w, float[] bias, int k)
    {
        int b = (int)input.shape[0], t = (int)input.shape[1], cin = (int)input.shape[2], cout = (int)output.shape[2];
        var x = input.contiguous().data<float>().ToArray();
        var y = output.contiguous().data<float>().ToArray();
        float worst = 0;
        for (int s = 0; s < b; s++)
        for (int n = 0; n < t; n++)
        for (int o = 0; o < cout; o++)
        {
            double sum = bias[o];
            for (int j = 0; j < k; j++)
            {
                int frame = n - (k - 1) + j; // causal: frames n-k+1..n, zeros before the start
                if (frame < 0) continue;
                for (int c = 0; c < cin; c++) sum += w[(o * cin + c) * k + j] * (double)x[(s * t + frame) * cin + c];
            }
            float expected = (float)Math.Tanh(sum), got = y[(s * t + n) * cout + o];
            float err = float.IsFinite(got) ? MathF.Abs(got - expected) : float.PositiveInfinity;
            worst = MathF.Max(worst, err);
        }
        return worst;
    }

    [Fact]
    public void OutputNDependsOnInputsUpToNOnly()
    {
        // Causality: the look-ahead comes only from emitting frame n - 2 at step n.
        using var model = Create(Synthetic.Tiny);
        using var scope = NewDisposeScope();
        var x = randn(1, 20, FeatureExtractor.Count);
        var (g1, r1, v1) = model.call(x);
        var y = x.clone();
        y[0, 12] = randn(FeatureExtractor.Count);
        var (g2, r2, v2) = model.call(y);
        float Diff(Tensor a, Tensor b, int from, int n) => (a.narrow(1, from, n) - b.narrow(1, from, n)).abs().max().item<float>();
        output.WriteLine($"before: {Diff(g1, g2, 0, 12)} {Diff(r1, r2, 0, 12)} {Diff(v1, v2, 0, 12)}, at 12: {Diff(g1, g2, 12, 1)}");
        // Float reductions may be blocked differently for different data: allow rounding noise only.
        Assert.True(Diff(g1, g2, 0, 12) < 1e-6);
        Assert.True(Diff(r1, r2, 0, 12) < 1e-6);
        Assert.True(Diff(v1, v2, 0, 12) < 1e-6);
        Assert.True(Diff(g1, g2, 12, 1) > 1e-4);
    }

    /// <summary>
    /// Carried states (TrainConfig.CarryStates): running a sequence's first part, then its rest
    /// from the state the first part left, gives the rest exactly the outputs it has when the
    /// whole sequence runs at once; the convolutions' context and every GRU's state are carried.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    public void ContinuingFromAStateEqualsRunningTheWholeSequence(int split)
    {
        using var model = Create(Synthetic.Tiny);
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 3, 30, FeatureExtractor.Count }, generator: new Generator(7));
        var (g, r, v) = model.call(x);
        var (_, _, _, first) = model.Continue(x.narrow(1, 0, split), null);
        Assert.Equal(3, first.BatchSize);
        Assert.Equal(4 + Synthetic.Tiny.SharedGruLayers, first.Tensors.Count);
        var (g2, r2, v2, last) = model.Continue(x.narrow(1, split, 30 - split), first);
        float Diff(Tensor whole, Tensor part) => (whole.narrow(1, split, 30 - split) - part).abs().max().item<float>();
        output.WriteLine($"split at {split}: gains {Diff(g, g2)}, strengths {Diff(r, r2)}, VAD {Diff(v, v2)}");
        Assert.True(Diff(g, g2) < 1e-5 && Diff(r, r2) < 1e-5 && Diff(v, v2) < 1e-5);
        // A zero start is not the same (the state matters), and the final state is the whole run's.
        var (g3, _, _, _) = model.Continue(x.narrow(1, split, 30 - split), null);
        Assert.True(Diff(g, g3) > 1e-3, "starting the rest from zero should change its gains");
        var (_, _, _, whole) = model.Continue(x, null);
        for (int i = 0; i < whole.Tensors.Count; i++)
            Assert.True((whole.Tensors[i] - last.Tensors[i]).abs().max().item<float>() < 1e-5, $"state tensor {i} differs");
        // A state from another batch size is refused by libtorch, one of another model by us.
        var (_, _, _, two) = model.Continue(x.narrow(0, 0, 2), null);
        Assert.ThrowsAny<Exception>(() => model.Continue(x, two));
        Assert.Throws<ArgumentException>(() => model.Continue(x, new SequenceState(first.Tensors.Take(3).ToArray())));
    }

    private static (Tensor G, Tensor R, Tensor M, Tensor V) Targets(int seed)
    {
        var gen = new Generator((ulong)seed);
        var g = rand(new long[] { 2, 10, FrameLayout.BandCount }, generator: gen);
        var r = rand(new long[] { 2, 10, FrameLayout.BandCount }, generator: gen);
        var m = (rand(new long[] { 2, 10, FrameLayout.BandCount }, generator: gen) > 0.3).to_type(ScalarType.Float32);
        var v = (rand(new long[] { 2, 10, 1 }, generator: gen) > 0.5).to_type(ScalarType.Float32);
        return (g, r, m, v);
    }

    /// <summary>A [1, 1, bands] band mask that counts band <paramref name="band"/> only.</summary>
    private static Tensor OneBandMask(int band)
    {
        var mask = zeros(1, 1, FrameLayout.BandCount);
        mask[0, 0, band] = 1;
        return mask;
    }

    [Fact]
    public void LossIsZeroAtTheTarget()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var (g, r, m, v) = Targets(1);
        var (total, lg, lr, lv) = PercepNetLoss.Compute(new LossConfig(), g, r, v, g, r, m, v);
        Assert.Equal(0f, lg.item<float>());
        Assert.Equal(0f, lr.item<float>());
        Assert.True(lv.item<float>() < 1e-6, $"VAD BCE at a 0/1 target: {lv.item<float>()}");
        Assert.True(total.item<float>() < 1e-7);
        var (off, _, _, _) = PercepNetLoss.Compute(new LossConfig(), g * 0.5, r, v, g, r, m, v);
        Assert.True(off.item<float>() > 0.01);
    }

    [Fact]
    public void MaskedBandsDoNotCount()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var (g, r, m, v) = Targets(2);
        var cfg = new LossConfig();
        var pg = rand_like(g);
        var pr = rand_like(r);
        var (baseLoss, baseG, baseR, _) = PercepNetLoss.Compute(cfg, pg, pr, v, g, r, m, v);
        // Change predictions only where the mask is 0: nothing moves.
        var (l2, g2, r2, _) = PercepNetLoss.Compute(cfg, where(m > 0, pg, rand_like(pg)), where(m > 0, pr, rand_like(pr)), v, g, r, m, v);
        Assert.Equal(baseG.item<float>(), g2.item<float>(), 6);
        Assert.Equal(baseR.item<float>(), r2.item<float>(), 6);
        Assert.Equal(baseLoss.item<float>(), l2.item<float>(), 6);
        // Change them where the mask is 1: it does.
        var (l3, _, _, _) = PercepNetLoss.Compute(cfg, where(m > 0, rand_like(pg), pg), pr, v, g, r, m, v);
        Assert.NotEqual(baseLoss.item<float>(), l3.item<float>());
        // Hand-computed value for one band of one frame.
        var one = ones(1, 1, FrameLayout.BandCount);
        var mask = OneBandMask(5);
        var (_, lgOne, lrOne, _) = PercepNetLoss.Compute(cfg, one * 0.25, one * 0.75, zeros(1, 1, 1), one * 0.64, one * 0.19, mask, zeros(1, 1, 1));
        double d = Math.Sqrt(0.64) - Math.Sqrt(0.25); // 0.3
        Assert.Equal(d * d + 10 * Math.Pow(d, 4), lgOne.item<float>(), 5);
        double dr = Math.Sqrt(1 - 0.19) - Math.Sqrt(1 - 0.75); // 0.4
        Assert.Equal(dr * dr, lrOne.item<float>(), 5);
    }

    [Fact]
    public void SpeechDistortionTermPunishesOnlyGainsBelowASpeechTarget()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var mask = OneBandMask(7);
        var target = full(1, 1, FrameLayout.BandCount, 0.81f);
        var none = zeros(1, 1, 1);
        var plain = new LossConfig();
        var sd = new LossConfig { SpeechDistortionWeight = 4 };
        float Total(LossConfig c, float predicted) =>
            PercepNetLoss.Compute(c, full(1, 1, FrameLayout.BandCount, predicted), target, none, target, target, mask, none).Total.item<float>();
        Assert.Equal(0f, Total(sd, 0.81f), 6);                     // zero at the target
        Assert.Equal(Total(plain, 1.0f), Total(sd, 1.0f), 6);      // above the target: unchanged
        double d = 0.9 - 0.5;                                      // sqrt(0.81) - sqrt(0.25)
        Assert.Equal(Total(plain, 0.25f) + 4 * 0.81 * d * d, Total(sd, 0.25f), 4);
        // A noise cell (target gain 0.01) below its target costs almost nothing extra.
        var low = full(1, 1, FrameLayout.BandCount, 0.01f);
        float extra = PercepNetLoss.Compute(sd, full(1, 1, FrameLayout.BandCount, 0.0001f), low, none, low, low, mask, none).Total.item<float>()
                    - PercepNetLoss.Compute(plain, full(1, 1, FrameLayout.BandCount, 0.0001f), low, none, low, low, mask, none).Total.item<float>();
        Assert.InRange(extra, 0, 4 * 0.01 * 0.01 * 1.01);
    }

    [Fact]
    public void TargetSharpeningLowersSmallTargetsAndKeepsLargeOnes()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var mask = OneBandMask(11);
        var none = zeros(1, 1, 1);
        var sharp = new LossConfig { TargetSharpening = 8 };
        // The loss is zero where the prediction equals the sharpened target g tanh(8 g)^2 (hand computed),
        // and not at the unsharpened one.
        foreach (double g in new[] { 0.05, 0.1, 0.3, 0.9 })
        {
            double gs = g * Math.Pow(Math.Tanh(8 * g), 2);
            var target = full(1, 1, FrameLayout.BandCount, (float)g);
            float Loss(double predicted) => PercepNetLoss.Compute(sharp, full(1, 1, FrameLayout.BandCount, (float)predicted), target, none,
                target, target, mask, none).Gain.item<float>();
            Assert.True(Loss(gs) < 1e-10, $"g={g}: {Loss(gs)} at the sharpened target {gs}");
            if (g < 0.2) Assert.True(Loss(g) > 1e-3, $"g={g}: the unsharpened target should cost, {Loss(g)}");
        }
    }

    [Fact]
    public void SpeechFrameWeightScalesTheGainTermsOfSpeechFramesOnly()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var (g, r, m, _) = Targets(4);
        var pg = rand_like(g);
        var full = new LossConfig { GainKlWeight = 1, SpeechDistortionWeight = 2 };
        var weighted = full with { SpeechFrameWeight = 5 };
        float Gains(LossConfig c, Tensor vad) // the total minus the strength and VAD parts
        {
            var (total, _, lr, lv) = PercepNetLoss.Compute(c, pg, r, vad, g, r, m, vad);
            return (float)(total.item<float>() - lr.item<float>() - c.VadWeight * lv.item<float>());
        }
        var pause = zeros(2, 10, 1);
        var speech = ones(2, 10, 1);
        Assert.Equal(Gains(full, pause), Gains(weighted, pause), 4);          // no speech: unchanged
        Assert.Equal(6 * Gains(full, speech), Gains(weighted, speech), 3);    // speech: 1 + 5 times
        // The reported gain term L_g carries the weight too; strength and VAD terms do not.
        var (_, lgW, lrW, _) = PercepNetLoss.Compute(weighted, pg, r, speech, g, r, m, speech);
        var (_, lg, lr, _) = PercepNetLoss.Compute(full, pg, r, speech, g, r, m, speech);
        Assert.Equal(6 * lg.item<float>(), lgW.item<float>(), 4);
        Assert.Equal(lr.item<float>(), lrW.item<float>(), 6);
    }

    [Fact]
    public void ResidualNoiseTermPunishesOnlyGainsAboveANoiseTargetInDb()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var cfg = new LossConfig { ResidualNoiseWeight = 2 };
        var off = new LossConfig();
        var mask = OneBandMask(7);
        var v = zeros(1, 1, 1);
        float Extra(float target, float predicted)
        {
            var t = full(1, 1, FrameLayout.BandCount, target);
            var p = full(1, 1, FrameLayout.BandCount, predicted);
            var (withTerm, _, _, _) = PercepNetLoss.Compute(cfg, p, t, v, t, t, mask, v);
            var (without, _, _, _) = PercepNetLoss.Compute(off, p, t, v, t, t, mask, v);
            return withTerm.item<float>() - without.item<float>();
        }
        // Noise cell (target -40 dB), prediction -20 dB: 20 dB too much = 1 unit, times the weight 2.
        Assert.Equal(2.0, Extra(0.01f, 0.1f), 4);
        // Floored at -40 dB: a -60 dB target asks no more than -40 dB.
        Assert.Equal(2.0, Extra(0.001f, 0.1f), 4);
        Assert.Equal(0.0, Extra(0.001f, 0.005f), 5);
        // Below the target, or a speech cell (target 0.5) however far above: nothing.
        Assert.Equal(0.0, Extra(0.05f, 0.02f), 5);
        Assert.Equal(0.0, Extra(0.5f, 0.9f), 5);
        // A smaller excess counts its own size: log10 of the ratio (one masked-in band of 34).
        Assert.Equal(2 * Math.Log10(0.1 / 0.05), Extra(0.05f, 0.1f), 4);
        // Gradient on the sigmoid's input: weight / ln 10 * (1 - ĝ) for the term alone.
        var z = full(new long[] { 1, 1, FrameLayout.BandCount }, (float)Math.Log(0.1 / 0.9), requires_grad: true);
        var target = full(1, 1, FrameLayout.BandCount, 0.001f);
        var (l, _, _, _) = PercepNetLoss.Compute(cfg with { C4 = 0 }, sigmoid(z), target, v, target, target, mask, v);
        var (l0, _, _, _) = PercepNetLoss.Compute(off with { C4 = 0 }, sigmoid(z), target, v, target, target, mask, v);
        (l - l0).backward();
        Assert.Equal(2 / Math.Log(10) * 0.9, z.grad!.data<float>()[7], 4);
    }

    [Fact]
    public void GainKlTermIsZeroAtTheTargetAndKeepsPushingLowGainsDown()
    {
        Synthetic.Torch();
        using var scope = NewDisposeScope();
        var (g, r, m, v) = Targets(3);
        var cfg = new LossConfig { GainKlWeight = 1 };
        var (total, _, _, _) = PercepNetLoss.Compute(cfg, g, r, v, g, r, m, v);
        Assert.True(Math.Abs(total.item<float>()) < 1e-5, $"at the target: {total.item<float>()}");
        // One band, target gain 0.001, prediction 0.1: gradient with respect to the logit.
        var mask = OneBandMask(3);
        var target = full(1, 1, FrameLayout.BandCount, 0.001f);
        double Grad(LossConfig c)
        {
            var z = full(new long[] { 1, 1, FrameLayout.BandCount }, (float)Math.Log(0.1 / 0.9), requires_grad: true);
            var (l, _, _, _) = PercepNetLoss.Compute(c, sigmoid(z), target, zeros(1, 1, 1), target, target, mask, zeros(1, 1, 1));
            l.backward();
            return z.grad!.cpu()[0, 0, 3].item<float>();
        }
        double paper = Grad(new LossConfig()), withKl = Grad(cfg);
        // KL alone adds ĝ - g = 0.099 to the logit's gradient.
        Assert.Equal(0.099, withKl - paper, 3);
        var (_, lgOnly, _, _) = PercepNetLoss.Compute(cfg, g * 0.5, r, v, g, r, m, v);
        var (paperTotal, lgPaper, _, _) = PercepNetLoss.Compute(new LossConfig(), g * 0.5, r, v, g, r, m, v);
        Assert.Equal(lgPaper.item<float>(), lgOnly.item<float>(), 6); // the reported gain part stays the paper's
        var (klTotal, _, _, _) = PercepNetLoss.Compute(cfg, g * 0.5, r, v, g, r, m, v);
        Assert.True(klTotal.item<float>() > paperTotal.item<float>());
    }
}
