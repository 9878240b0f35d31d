using PercepNet.Metrics.Pesq;

namespace PercepNet.Metrics.Tests.Pesq;

/// <summary>The building blocks against naive double-precision references and the tables' own consistency.</summary>
public class PesqComponentTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(64)]
    [InlineData(512)]
    public void FftMatchesDirectDft(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (r0, i0) = ((double[])re.Clone(), (double[])im.Clone());
        var fft = PesqFft.Get(n);
        fft.Forward(re, im);
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * k * t / n;
                sr += r0[t] * Math.Cos(a) - i0[t] * Math.Sin(a);
                si += r0[t] * Math.Sin(a) + i0[t] * Math.Cos(a);
            }
            Assert.True(Math.Abs(sr - re[k]) <= 1e-9 * n && Math.Abs(si - im[k]) <= 1e-9 * n, $"n={n} bin {k}: ({re[k]}, {im[k]}) vs ({sr}, {si})");
        }
        fft.Inverse(re, im);
        for (int t = 0; t < n; t++)
            Assert.True(Math.Abs(re[t] - r0[t]) <= 1e-12 && Math.Abs(im[t] - i0[t]) <= 1e-12, $"n={n} round trip at {t}");
    }

    [Theory]
    [InlineData(8000, 42, 256)]
    [InlineData(16000, 49, 512)]
    public void BarkTablesAreConsistent(int rate, int bands, int frame)
    {
        var t = BarkTables.For(rate);
        var cfg = PesqConfig.For(rate);
        Assert.Equal(frame, cfg.FrameLength);
        Assert.Equal(bands, t.Count);
        Assert.Equal(bands, t.HzBandsPerBarkBand.Length);
        Assert.Equal(bands, t.WidthBark.Length);
        Assert.Equal(bands, t.PowerDensityCorrection.Length);
        Assert.Equal(bands, t.AbsoluteThresholdPower.Length);
        // The bands tile the spectrum below Nyquist exactly.
        Assert.Equal(frame / 2, t.HzBandsPerBarkBand.Sum());
        for (int b = 1; b < bands; b++)
        {
            Assert.True(t.CentreBark[b] > t.CentreBark[b - 1], $"centre {b} not increasing");
            // Centres are spaced by the mean of neighbouring widths (to the tables' 6 decimals).
            double spacing = t.CentreBark[b] - t.CentreBark[b - 1];
            double meanWidth = 0.5 * (t.WidthBark[b] + t.WidthBark[b - 1]);
            Assert.True(b == 1 || Math.Abs(spacing - meanWidth) < 2e-3, $"band {b}: spacing {spacing} vs mean width {meanWidth}");
            Assert.InRange(t.AbsoluteThresholdPower[b], 0.2, 6e7);
        }
    }

    [Fact]
    public void CurveInterpolationIsLinearInDbAndExtrapolates()
    {
        var irs = PesqFilters.IrsReceiveCurve;
        Assert.Equal(12.0, PesqPreprocessing.Interpolate(1000, irs), 12);
        Assert.Equal(8.0, PesqPreprocessing.Interpolate(3375, irs), 12);     // half-way 3250 (12) .. 3500 (4)
        Assert.Equal(-200.0, PesqPreprocessing.Interpolate(7000, irs), 12);
        Assert.Equal(-500.0, PesqPreprocessing.Interpolate(8000, PesqFilters.LevelAlignCurve), 12);
    }

    [Fact]
    public void EnvelopeDelayFindsAKnownShift()
    {
        var rng = new Random(11);
        int n = 4000, shift = 37;
        var x = new double[n];
        var y = new double[n];
        for (int i = 1000; i < 3000; i++) x[i] = rng.NextDouble() - 0.5;
        for (int i = 0; i < n; i++) y[i] = i - shift >= 0 ? x[i - shift] : 0;
        int d = PesqPerceptualModel.EnvelopeDelay(x, y, 512, out double c);
        Assert.Equal(shift, d);
        Assert.True(c > 0.5, $"correlation {c}");
    }

    [Fact]
    public void MappingsMatchTheirPublishedEndPoints()
    {
        // P.862.1 / P.862.2 logistic functions: 0.999 + 4 / (1 + exp(-a x + b)).
        Assert.Equal(0.999 + 4 / (1 + Math.Exp(-1.4945 * 4.5 + 4.6607)), PercepNet.Metrics.Pesq.Pesq.MapNarrowBand(4.5), 12);
        Assert.Equal(0.999 + 4 / (1 + Math.Exp(-1.3669 * 4.5 + 3.8224)), PercepNet.Metrics.Pesq.Pesq.MapWideBand(4.5), 12);
        Assert.InRange(PercepNet.Metrics.Pesq.Pesq.MapWideBand(-0.5), 1.0, 1.1);
    }
}

/// <summary>The resampler used for rates other than 8/16 kHz, against analytic sines.</summary>
public class PesqResamplerTests
{
    private static float[] Sine(double hz, int rate, int n, double amplitude = 0.5)
        => Enumerable.Range(0, n).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    [Theory]
    [InlineData(48000, 16000, 1000.0)]
    [InlineData(44100, 16000, 3000.0)]
    [InlineData(22050, 16000, 7000.0)]
    [InlineData(16000, 48000, 5000.0)]
    public void PassBandSineKeepsAmplitudeAndPhase(int from, int to, double hz)
    {
        var r = new PesqResampler(from, to);
        var x = Sine(hz, from, from); // 1 s
        var y = r.Process(x);
        Assert.Equal(r.OutputLength(x.Length), y.Length);
        Assert.InRange(y.Length, to - 3, to);
        // Compare with the ideal sine at the output rate away from the edges (zero-phase filter).
        double maxErr = 0;
        for (int n = to / 10; n < y.Length - to / 10; n++)
            maxErr = Math.Max(maxErr, Math.Abs(y[n] - 0.5 * Math.Sin(2 * Math.PI * hz * n / to)));
        Assert.True(maxErr < 1e-3, $"{from}->{to} at {hz} Hz: max error {maxErr} (amplitude 0.5)");
    }

    [Theory]
    [InlineData(48000, 16000, 9000.0)]   // would alias to 7 kHz
    [InlineData(44100, 16000, 12000.0)]  // would alias to 4 kHz
    public void StopBandSineIsRejected(int from, int to, double hz)
    {
        var r = new PesqResampler(from, to);
        var y = r.Process(Sine(hz, from, from));
        double rms = Math.Sqrt(y.Skip(to / 10).Take(y.Length - to / 5).Sum(v => (double)v * v) / (y.Length - to / 5));
        double db = 20 * Math.Log10(rms / (0.5 / Math.Sqrt(2)));
        Assert.True(db < -80, $"{hz} Hz from {from} to {to}: residual {db:F1} dB");
    }

    [Fact]
    public void DcGainIsOne()
    {
        var r = new PesqResampler(44100, 16000);
        var y = r.Process(Enumerable.Repeat(0.25f, 44100).ToArray());
        for (int n = 2000; n < y.Length - 2000; n++) Assert.True(Math.Abs(y[n] - 0.25) < 1e-6, $"sample {n}: {y[n]}");
    }
}
