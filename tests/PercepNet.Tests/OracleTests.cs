using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Oracle;

namespace PercepNet.Tests;

public class OracleTests
{
    private static float[] Speechlike(int seed, int n)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double f0 = 140 + 30 * Math.Sin(2 * Math.PI * 0.7 * i / 48000.0);
            double env = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 3 * i / 48000.0);
            double v = 0;
            for (int h = 1; h < 30; h++) v += Math.Sin(2 * Math.PI * f0 * h * i / 48000.0) / h;
            x[i] = (float)(0.15 * env * v + 0.001 * (rng.NextDouble() - 0.5));
        }
        return x;
    }

    [Theory]
    [InlineData(OracleStage.BinMagnitudes)]
    [InlineData(OracleStage.BandGains)]
    [InlineData(OracleStage.BandGainsComb)]
    [InlineData(OracleStage.BandGainsCombPostfilter)]
    public void CleanInputComesOutUnchangedAndTimeAligned(OracleStage stage)
    {
        var x = Speechlike(1, 48000 + 123);
        var y = new OracleProcessor().Run(x, x, stage);
        Assert.Equal(x.Length, y.Length);
        double maxErr = 0;
        for (int i = 0; i < x.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(x[i] - y[i]));
        Assert.True(maxErr < 1e-4, $"stage {stage}: max error {maxErr:E2}");
    }

    [Fact]
    public void HybridOracleWithTheWholeNetworkIsTheDenoiser()
    {
        // NetworkPart.Both: the network's gains and strengths through the oracle's signal path must
        // give exactly what Denoiser gives (same features, same int8 network, same synthesis, stage 4 at s = 0.5).
        var model = DenoiserTests.RandomModel(3);
        var clean = Speechlike(2, 48000);
        var rng = new Random(5);
        var noisy = clean.Select(v => v + (float)(0.05 * (rng.NextDouble() * 2 - 1))).ToArray();
        var hybrid = new OracleProcessor(PitchSource.Noisy, 0.5f, model, NetworkPart.Both).Run(clean, noisy, OracleStage.BandGainsCombPostfilter);
        var d = new Denoiser(model);
        var padded = new float[(noisy.Length + d.LatencySamples + 479) / 480 * 480];
        noisy.CopyTo(padded, 0);
        var y = new float[padded.Length];
        for (int f = 0; f < padded.Length / 480; f++) d.ProcessFrame(padded.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
        double maxErr = 0, energy = 0;
        for (int i = 0; i < noisy.Length; i++)
        {
            maxErr = Math.Max(maxErr, Math.Abs(hybrid[i] - y[i + d.LatencySamples]));
            energy += hybrid[i] * hybrid[i];
        }
        Assert.True(energy > 1, $"the output is nearly silent ({energy:G3}): the comparison would prove nothing");
        Assert.True(maxErr < 1e-6, $"hybrid oracle (both) and Denoiser differ by up to {maxErr:E2}");
    }

    [Fact]
    public void HybridOracleTakesOnlyTheNamedPartFromTheNetwork()
    {
        // A network that asks for gain 0 and strength 0 everywhere. Clean speech in (clean = noisy):
        // the ideal gains are 1 and the ideal strengths 0.
        var model = DenoiserTests.ConstantModel(gainBias: -30f, strengthBias: -30f);
        var x = Speechlike(4, 48000);
        double Energy(float[] v) => v.Sum(s => (double)s * s);
        var gains = new OracleProcessor(PitchSource.Noisy, 0.5f, model, NetworkPart.Gains).Run(x, x, OracleStage.BandGainsCombPostfilter);
        var strengths = new OracleProcessor(PitchSource.Noisy, 0.5f, model, NetworkPart.Strengths).Run(x, x, OracleStage.BandGainsCombPostfilter);
        Assert.True(Energy(gains) < 1e-6 * Energy(x), $"network gains 0: output energy {Energy(gains):G3} of {Energy(x):G3}");
        double maxErr = 0;
        for (int i = 0; i < x.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(x[i] - strengths[i]));
        Assert.True(maxErr < 1e-4, $"ideal gains with strength 0 should pass clean speech unchanged: max error {maxErr:E2}");
        // Excess keeps the larger of the two gains (ideal 1 here: unchanged), Deficit the smaller (network 0: silence).
        var excess = new OracleProcessor(PitchSource.Noisy, 0.5f, model, NetworkPart.Excess).Run(x, x, OracleStage.BandGainsCombPostfilter);
        var deficit = new OracleProcessor(PitchSource.Noisy, 0.5f, model, NetworkPart.Deficit).Run(x, x, OracleStage.BandGainsCombPostfilter);
        Assert.True(Energy(deficit) < 1e-6 * Energy(x), $"deficit: output energy {Energy(deficit):G3} of {Energy(x):G3}");
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - excess[i]) < 1e-4, $"excess: sample {i} {excess[i]} against {x[i]}");
        Assert.Throws<ArgumentException>(() => new OracleProcessor(PitchSource.Clean, 0.5f, model, NetworkPart.Gains));
        Assert.Throws<ArgumentException>(() => new OracleProcessor(PitchSource.Noisy, 0.5f, model, NetworkPart.Gains).Run(x, x, OracleStage.BandGains));
    }

    [Fact]
    public void TargetsAreFiniteAndInRangeOnSilenceTonesAndNoise()
    {
        var rng = new Random(7);
        int n = 480 * 60;
        var signals = new Dictionary<string, float[]>
        {
            ["silence"] = new float[n],
            ["tone"] = Enumerable.Range(0, n).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / 48000.0)).ToArray(),
            ["noise"] = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(),
            ["tiny"] = Enumerable.Range(0, n).Select(_ => (float)(1e-20 * (rng.NextDouble() * 2 - 1))).ToArray(),
        };
        foreach (var (cn, c) in signals)
            foreach (var (nn, noisy) in signals)
            {
                var ac = new SignalAnalyzer(trackPitch: false);
                var an = new SignalAnalyzer();
                var fc = new FrameSpectrum();
                var fn = new FrameSpectrum();
                var g = new float[34];
                var r = new float[34];
                for (int f = 0; f < n / 480; f++)
                {
                    var noisyFrame = new float[480];
                    for (int i = 0; i < 480; i++) noisyFrame[i] = c[f * 480 + i] + noisy[f * 480 + i];
                    ac.AnalyzeFrame(c.AsSpan(f * 480, 480), an.AnalyzeFrame(noisyFrame, null, fn), fc);
                    OracleTargets.Compute(fc, fn, g, r);
                    for (int b = 0; b < 34; b++)
                    {
                        Assert.True(g[b] >= 0 && g[b] <= 1, $"{cn}+{nn} frame {f} band {b}: g={g[b]}");
                        Assert.True(r[b] >= 0 && r[b] <= 1, $"{cn}+{nn} frame {f} band {b}: r={r[b]}");
                    }
                }
            }
    }

    [Fact]
    public void StrengthIsZeroWhenNoisyIsAsHarmonicAsClean()
    {
        var x = Speechlike(3, 480 * 40);
        var ac = new SignalAnalyzer(trackPitch: false);
        var fc = new FrameSpectrum();
        for (int f = 0; f < 40; f++) ac.AnalyzeFrame(x.AsSpan(f * 480, 480), new PitchResult(320, 1), fc);
        var g = new float[34];
        var r = new float[34];
        OracleTargets.Compute(fc, fc, g, r);
        Assert.All(r, v => Assert.Equal(0f, v));
        Assert.All(g, v => Assert.Equal(1f, v, 5));
    }

    [Fact]
    public void GainIsTheAmplitudeRatioNotTheEnergyRatio()
    {
        Assert.Equal(0.5f, OracleTargets.IdealGain(1f, 4f), 6);
        Assert.Equal(1f, OracleTargets.IdealGain(4f, 1f), 6);
        Assert.Equal(0f, OracleTargets.IdealGain(0f, 0f));
    }
}
