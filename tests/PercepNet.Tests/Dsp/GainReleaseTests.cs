using PercepNet.Dsp;

namespace PercepNet.Tests.Dsp;

public class GainReleaseTests
{
    private static float[] Fill(float v) => Enumerable.Repeat(v, FrameLayout.BandCount).ToArray();

    [Theory]
    [InlineData(135, 0.5995)]   // RNNoise's 0.6 per frame
    [InlineData(10, 0.001)]     // 60 dB in one frame
    [InlineData(300, 0.7943)]   // 2 dB per frame
    public void FactorIsASixtyDbFallInTheReleaseTime(double ms, double factor)
    {
        Assert.Equal(factor, GainRelease.FactorFor(ms), 4);
        Assert.Equal(factor, new GainRelease(ms).Factor, 4);
        // 60 dB over ms / 10 frames.
        Assert.Equal(-60, 20 * Math.Log10(Math.Pow(GainRelease.FactorFor(ms), ms / 10)), 3);
    }

    [Fact]
    public void AtSteadyInputTheGainFallsGeometricallyUntilTheNetworksGain()
    {
        var r = new GainRelease(135);
        float a = r.Factor;
        var e = Fill(2e-3f);
        var g = Fill(1f);
        r.Apply(g, e);
        Assert.All(g, v => Assert.Equal(1f, v));
        float expect = 1f;
        for (int t = 1; t < 20; t++)
        {
            g = Fill(0.01f);
            g[0] = 0.5f; // above the bound from the start except on the first frames
            r.Apply(g, e);
            expect *= a;
            Assert.Equal(Math.Max(0.01f, expect), g[5], 5);
            Assert.Equal(Math.Max(0.5f, expect), g[0], 5);
        }
        Assert.Equal(0.01f, g[5]); // reached the network's gain: left alone
    }

    [Fact]
    public void BoundsTheFallOfTheOutputAndNeverRaisesIt()
    {
        var rng = new Random(3);
        var r = new GainRelease(80);
        float a = r.Factor;
        var prevOut = new double[FrameLayout.BandCount];
        int raised = 0;
        for (int t = 0; t < 3000; t++)
        {
            var net = new float[FrameLayout.BandCount];
            var e = new float[FrameLayout.BandCount];
            for (int b = 0; b < net.Length; b++)
            {
                net[b] = rng.NextDouble() < 0.3 ? (float)rng.NextDouble() : (float)Math.Pow(rng.NextDouble(), 4);
                e[b] = rng.NextDouble() < 0.02 ? 0f : (float)Math.Exp(rng.NextDouble() * 12 - 14); // jumps of up to 52 dB, some silent frames
            }
            var g = (float[])net.Clone();
            r.Apply(g, e);
            for (int b = 0; b < g.Length; b++)
            {
                double amp = Math.Sqrt(e[b]), output = g[b] * amp;
                Assert.True(g[b] >= net[b], "never below the network's gain");
                Assert.True(g[b] <= Math.Max(net[b], a) + 1e-6f, "raised at most to the factor");
                if (g[b] > net[b])
                {
                    raised++;
                    // Raised: exactly the bound, which lets the output fall by the factor and never rise.
                    Assert.True(output <= prevOut[b] * (1 + 1e-5) + 1e-9, $"t {t} b {b}: raised output {output} above the last {prevOut[b]}");
                    Assert.True(output >= a * Math.Min(amp, prevOut[b]) * (1 - 1e-5) - 1e-9, $"t {t} b {b}: below the bound");
                }
                else if (t > 0) Assert.True(output >= a * Math.Min(amp, prevOut[b]) * (1 - 1e-5) - 1e-9, $"t {t} b {b}: fell faster than the factor");
                prevOut[b] = output;
            }
        }
        Assert.True(raised > 10000, $"only {raised} gains raised: the test did not exercise the bound");
    }

    [Fact]
    public void ALouderInputLowersTheBoundAndResetForgetsIt()
    {
        var r = new GainRelease(135);
        var g = Fill(1f);
        r.Apply(g, Fill(1e-4f));
        g = Fill(0f);
        r.Apply(g, Fill(1e-2f)); // 20 dB louder: the bound falls by 20 dB with it
        Assert.All(g, v => Assert.Equal(r.Factor * 0.1f, v, 5));
        r.Reset();
        g = Fill(0f);
        r.Apply(g, Fill(1e-4f));
        Assert.All(g, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(0)]
    [InlineData(-135)]
    [InlineData(20000)]
    [InlineData(double.NaN)]
    public void RejectsReleaseTimesOutsideTheRange(double ms) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GainRelease(ms));
}
