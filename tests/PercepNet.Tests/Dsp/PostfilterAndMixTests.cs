using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Tests.Dsp;

public class PostfilterAndMixTests
{
    [Fact]
    public void PostfilterLeavesUnitGainsAlone()
    {
        var g = Enumerable.Repeat(1f, 34).ToArray();
        var e = Enumerable.Range(0, 34).Select(i => 1f + i).ToArray();
        float big = EnvelopePostfilter.Apply(g, e);
        Assert.Equal(1f, big, 6);
        Assert.All(g, v => Assert.Equal(1f, v, 6));
    }

    [Fact]
    public void PostfilterAttenuatesLowGainsMoreAndCompensatesAtMost1Point9()
    {
        var rng = new Random(11);
        float maxG = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            var g = new float[34];
            var e = new float[34];
            for (int b = 0; b < 34; b++) { g[b] = (float)rng.NextDouble(); e[b] = (float)Math.Exp(rng.NextDouble() * 10); }
            var before = (float[])g.Clone();
            float big = EnvelopePostfilter.Apply(g, e);
            maxG = Math.Max(maxG, big);
            Assert.True(big > 0 && big <= 1.9f, $"trial {trial}: G = {big}");
            for (int b = 0; b < 34; b++)
            {
                float gw = before[b] * MathF.Sin(MathF.PI / 2 * before[b]);
                Assert.True(Math.Abs(g[b] - big * gw) < 1e-6, $"trial {trial} band {b}");
            }
        }
        // The ceiling sqrt((1+beta)/(2 sqrt(beta))) is approached for R near 7.
        Assert.True(maxG > 1.5f, $"max G {maxG}");
    }

    [Fact]
    public void PostfilterStrengthScalesTheExtraAttenuation()
    {
        var e = Enumerable.Range(0, 34).Select(i => 1f + i).ToArray();
        var g0 = Enumerable.Range(0, 34).Select(i => 0.1f + 0.025f * i).ToArray();
        var none = (float[])g0.Clone();
        Assert.Equal(1f, EnvelopePostfilter.Apply(none, e, 0f), 6);
        Assert.Equal(g0, none);
        var half = (float[])g0.Clone();
        float big = EnvelopePostfilter.Apply(half, e, 0.5f);
        for (int b = 0; b < 34; b++)
            Assert.Equal(big * g0[b] * MathF.Sqrt(MathF.Sin(MathF.PI / 2 * g0[b])), half[b], 5);
        var full = (float[])g0.Clone();
        EnvelopePostfilter.Apply(full, e);
        // Relative to the loudest band, the milder filter attenuates the weak bands less.
        Assert.True(half[0] / half[33] > full[0] / full[33]);
    }

    [Fact]
    public void PostfilterOfSilenceIsFinite()
    {
        var g = new float[34];
        var e = new float[34];
        float big = EnvelopePostfilter.Apply(g, e);
        Assert.True(float.IsFinite(big));
        Assert.All(g, v => Assert.Equal(0f, v));
    }

    private static FrameSpectrum Analyse(float[] signal, int frames, int period)
    {
        var an = new SignalAnalyzer(trackPitch: false);
        var fs = new FrameSpectrum();
        for (int f = 0; f < frames; f++) an.AnalyzeFrame(signal.AsSpan(f * 480, 480), new PitchResult(period, 1f), fs);
        return fs;
    }

    [Fact]
    public void MixingRenormalisesEachBandToTheGainedEnergy()
    {
        // Voiced-like signal at 200 Hz plus white noise.
        var rng = new Random(2);
        var x = new float[48000];
        for (int i = 0; i < x.Length; i++)
        {
            double v = 0;
            for (int h = 1; h < 40; h++) v += Math.Sin(2 * Math.PI * 200 * h * i / 48000.0 + h) / h;
            x[i] = (float)(0.2 * v + 0.05 * (rng.NextDouble() * 2 - 1));
        }
        var fs = Analyse(x, 40, 240);
        var synth = new SignalSynthesizer();
        var g = Enumerable.Repeat(0.5f, 34).ToArray();
        foreach (float rv in new[] { 0f, 0.5f, 1f })
        {
            var r = Enumerable.Repeat(rv, 34).ToArray();
            var spec = new float[Stft.SpectrumLength];
            synth.Mix(fs, g, r, postfilter: false, spec);
            var e = new float[34];
            ErbBands.Energy(spec, e);
            // Gains reach the bins through overlapping triangles, so a band also sees its
            // neighbours' factors: after the two renormalisation passes the typical band is within
            // 2% and the worst (where harmonics end, r = 1 makes neighbours differ by 10 dB) within 25%.
            double total = 0, expectedTotal = 0;
            var dev = new List<double>();
            for (int b = 1; b < 34; b++) // band 0 is the half band at DC with 1.5 bins of noise only
            {
                double expected = 0.25 * fs.Ex[b];
                total += e[b]; expectedTotal += expected;
                dev.Add(Math.Abs(e[b] / expected - 1));
                Assert.True(dev[^1] < 0.25, $"r={rv} band {b}: {e[b]} vs {expected}");
            }
            dev.Sort();
            Assert.True(dev[dev.Count / 2] < 0.02, $"r={rv}: median deviation {dev[dev.Count / 2]:P1}");
            Assert.True(Math.Abs(total / expectedTotal - 1) < 0.03, $"r={rv}: total {total} vs {expectedTotal}");
        }
    }

    [Fact]
    public void CoherenceIsHighForAHarmonicSignalAndLowForNoise()
    {
        var rng = new Random(4);
        var voiced = new float[48000];
        var noise = new float[48000];
        for (int i = 0; i < voiced.Length; i++)
        {
            double v = 0;
            for (int h = 1; h < 20; h++) v += Math.Sin(2 * Math.PI * 150 * h * i / 48000.0 + 0.3 * h) / h;
            voiced[i] = (float)(0.2 * v);
            noise[i] = (float)(0.3 * (rng.NextDouble() * 2 - 1));
        }
        var fv = Analyse(voiced, 40, 320);
        var fn = Analyse(noise, 40, 320);
        // Bands up to 2.5 kHz hold the harmonics (the last is at 2850 Hz): coherence near 1 for the tone, near sqrt(rho) for noise.
        // (narrow bands hold few bins, so the noise check is on the mean).
        double noiseMean = 0;
        for (int b = 4; b < 17; b++)
        {
            Assert.True(fv.Coherence[b] > 0.95f, $"voiced band {b}: {fv.Coherence[b]}");
            noiseMean += fn.Coherence[b] / 13;
        }
        Assert.True(noiseMean < 0.6, $"noise: mean coherence {noiseMean}");
    }
}
