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
