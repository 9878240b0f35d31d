using PercepNet.Metrics.Dsp;

namespace PercepNet.Metrics.Tests;

public class KaiserResamplerTests
{
    [Theory]
    [InlineData(10000, 16000, 5, 8, 290)]   // STOI at 16 kHz: cutoff 1/16, L = ceil(52 / (28.714 / 160))
    [InlineData(10000, 48000, 5, 24, 870)]  // STOI at 48 kHz
    [InlineData(16000, 48000, 1, 3, 109)]   // DNSMOS / PESQ at 48 kHz
    public void Design_MatchesOctaveFormulas(int to, int from, int p, int q, int half)
    {
        var r = new KaiserResampler(to, from);
        Assert.Equal(p, r.Up);
        Assert.Equal(q, r.Down);
        Assert.Equal(half, r.HalfLength);
        var h = r.Taps;
        Assert.Equal(h.Length - 1, 2 * half);
        for (int i = 0; i < half; i++) Assert.Equal(h[i], h[^(i + 1)], 15); // linear phase
        // Centre tap: 2 p fc * sinc(0) * kaiser(0) = p / max(p, q).
        Assert.Equal((double)p / Math.Max(p, q), h[half], 12);
    }

    [Fact]
    public void Direct_UpFirDn_Equivalence()
    {
        // Naive reference: zero-stuff by p, convolve with h, keep every q-th sample from delay L.
        var r = new KaiserResampler(5, 8);
        var rng = new Random(42);
        var x = Enumerable.Range(0, 300).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var h = r.Taps;
        int p = 5, q = 8, half = r.HalfLength;
        var up = new double[x.Length * p];
        for (int i = 0; i < x.Length; i++) up[i * p] = x[i];
        var y = r.Process(x);
        Assert.Equal((x.Length * p + q - 1) / q, y.Length);
        for (int k = 0; k < y.Length; k++)
        {
            double acc = 0;
            int c = k * q + half;
            for (int j = 0; j < h.Length; j++)
            {
                int idx = c - j;
                if (idx >= 0 && idx < up.Length) acc += h[j] * up[idx];
            }
            Assert.True(Math.Abs(acc - y[k]) <= 1e-12, $"k={k}: {y[k]} vs {acc}");
        }
    }

    [Fact]
    public void Sine_PassesWithin60dB_AndAliasIsRejected()
    {
        // 1 kHz at 48 kHz -> 16 kHz stays a 1 kHz sine; 10 kHz (above the new Nyquist) is removed.
        int n = 48000;
        var lo = new float[n];
        var hi = new float[n];
        for (int i = 0; i < n; i++)
        {
            lo[i] = (float)Math.Sin(2 * Math.PI * 1000 * i / 48000.0);
            hi[i] = (float)Math.Sin(2 * Math.PI * 10000 * i / 48000.0);
        }
        var yl = KaiserResampler.Resample(lo, 48000, 16000);
        var yh = KaiserResampler.Resample(hi, 48000, 16000);
        Assert.Equal(16000, yl.Length);
        double err = 0, alias = 0;
        for (int k = 200; k < 15800; k++) // away from the edges (filter half-length 109 / 3 outputs)
        {
            err = Math.Max(err, Math.Abs(yl[k] - Math.Sin(2 * Math.PI * 1000 * k / 16000.0)));
            alias = Math.Max(alias, Math.Abs(yh[k]));
        }
        Assert.True(err < 1e-3, $"passband error {err}");
        Assert.True(alias < 1e-3, $"alias {alias}");
    }

    /// <summary>
    /// SciPy 1.10.1 <c>resample_poly</c> (defaults) on eval/dfn48k/clean.wav read as float64 by soundfile:
    /// <code>
    /// y = scipy.signal.resample_poly(x, 1, 3)
    /// len(y), y.sum(), np.abs(y).sum(), y[0], y[1000], y[80000], y[-1]
    /// </code>
    /// </summary>
    [SkippableFact]
    public void ScipyDesign_MatchesResamplePoly()
    {
        var x = Golden.Load("eval/dfn48k/clean.wav").Mono().Select(v => (double)v).ToArray();
        var y = new KaiserResampler(1, 3, KaiserDesign.ScipyResamplePoly).Process(x);
        Assert.Equal(169531, y.Length);
        Assert.Equal(-0.07952244851668078, y.Sum(), 9);
        Assert.Equal(2543.7104128973187, y.Sum(Math.Abs), 8);
        Assert.Equal(-1.6787669169541244e-05, y[0], 14);
        Assert.Equal(1.5848500670085585e-05, y[1000], 14);
        Assert.Equal(-0.00035375765502298394, y[80000], 14);
        Assert.Equal(-7.229191189182933e-05, y[^1], 14);
    }

    [Fact]
    public void BesselI0_KnownValues()
    {
        Assert.Equal(1.0, KaiserResampler.BesselI0(0), 15);
        Assert.Equal(27.239871823604442, KaiserResampler.BesselI0(5), 10); // I0(5), Abramowitz and Stegun table 9.8
    }
}
