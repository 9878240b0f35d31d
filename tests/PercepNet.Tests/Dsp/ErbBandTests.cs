using PercepNet.Dsp;

namespace PercepNet.Tests.Dsp;

public class ErbBandTests
{
    [Fact]
    public void TableIsTheOutputOfItsDerivationRule()
    {
        int[] derived = ErbBands.Derive(ErbBands.DerivationScale);
        Assert.Equal(ErbBands.Centers.ToArray().Select(c => (int)c), derived);
        Assert.Equal(FrameLayout.BandCount, derived.Length);
    }

    [Fact]
    public void BandsAreErbSpacedWithAtLeastTwoBins()
    {
        var c = ErbBands.Centers;
        Assert.Equal(0, c[0]);
        Assert.Equal(ErbBands.LastBin, c[^1]);
        Assert.Equal(20000.0, ErbBands.LastBin * FrameLayout.BinHz);
        for (int b = 1; b < c.Length; b++)
        {
            int width = c[b] - c[b - 1];
            Assert.True(width >= 2, $"band {b}: {width} bins");
            // Widths never shrink going up in frequency.
            if (b > 1) Assert.True(width >= c[b - 1] - c[b - 2], $"band {b}");
        }
    }

    [Fact]
    public void TrianglesSumToOneUpTo20kHz()
    {
        for (int k = 0; k < FrameLayout.BinCount; k++)
        {
            double sum = 0;
            for (int b = 0; b < FrameLayout.BandCount; b++) sum += ErbBands.Weight(b, k);
            if (k <= ErbBands.LastBin) Assert.True(Math.Abs(sum - 1) < 1e-6, $"bin {k}: {sum}");
            else Assert.Equal(0, sum);
        }
    }

    [Fact]
    public void EnergyMatchesTheTriangleDefinition()
    {
        var rng = new Random(5);
        var spec = new float[Stft.SpectrumLength];
        for (int i = 0; i < spec.Length; i++) spec[i] = (float)(rng.NextDouble() * 2 - 1);
        var e = new float[FrameLayout.BandCount];
        ErbBands.Energy(spec, e);
        var p = new float[Stft.SpectrumLength];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
        var xc = new float[FrameLayout.BandCount];
        ErbBands.CrossCorrelation(spec, p, xc);
        double total = 0, binTotal = 0;
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            double expE = 0, expC = 0;
            for (int k = 0; k <= ErbBands.LastBin; k++)
            {
                double w = ErbBands.Weight(b, k);
                expE += w * (spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1]);
                expC += w * (spec[2 * k] * p[2 * k] + spec[2 * k + 1] * p[2 * k + 1]);
            }
            Assert.True(Math.Abs(e[b] - expE) <= 1e-5 * Math.Max(1, expE), $"band {b}: {e[b]} vs {expE}");
            Assert.True(Math.Abs(xc[b] - expC) <= 1e-5 * Math.Max(1, Math.Abs(expC)), $"band {b}: {xc[b]} vs {expC}");
            total += e[b];
        }
        for (int k = 0; k <= ErbBands.LastBin; k++) binTotal += spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
        // Weights sum to 1 per bin, so band energies partition the energy below 20 kHz.
        Assert.True(Math.Abs(total - binTotal) < 1e-4 * binTotal);
    }

    [Fact]
    public void InterpolationUsesTheSameTriangles()
    {
        var g = new float[FrameLayout.BandCount];
        var rng = new Random(3);
        for (int b = 0; b < g.Length; b++) g[b] = (float)rng.NextDouble();
        var bins = new float[FrameLayout.BinCount];
        ErbBands.Interpolate(g, bins);
        for (int k = 0; k < FrameLayout.BinCount; k++)
        {
            double expected = 0;
            for (int b = 0; b < FrameLayout.BandCount; b++) expected += ErbBands.Weight(b, k) * g[b];
            if (k > ErbBands.LastBin) expected = g[^1];
            Assert.True(Math.Abs(bins[k] - expected) < 1e-6, $"bin {k}");
        }
        Array.Fill(g, 0.7f);
        ErbBands.Interpolate(g, bins);
        Assert.All(bins, v => Assert.Equal(0.7f, v, 6));
    }
}
