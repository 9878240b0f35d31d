using PercepNet.Dsp;

namespace PercepNet.Tests.Dsp;

public class FftTests
{
    private static double[] DirectDft(double[] xr, double[] xi, out double[] outIm)
    {
        int n = xr.Length;
        var re = new double[n];
        outIm = new double[n];
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int j = 0; j < n; j++)
            {
                double a = -2.0 * Math.PI * ((long)j * k % n) / n;
                double c = Math.Cos(a), s = Math.Sin(a);
                sr += xr[j] * c - xi[j] * s;
                si += xr[j] * s + xi[j] * c;
            }
            re[k] = sr; outIm[k] = si;
        }
        return re;
    }

    private static double SnrDb(double[] refRe, double[] refIm, Func<int, (double re, double im)> got, int count)
    {
        double sig = 0, err = 0;
        for (int k = 0; k < count; k++)
        {
            var (r, i) = got(k);
            sig += refRe[k] * refRe[k] + refIm[k] * refIm[k];
            err += (r - refRe[k]) * (r - refRe[k]) + (i - refIm[k]) * (i - refIm[k]);
        }
        return 10 * Math.Log10(sig / Math.Max(err, 1e-300));
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(8)]
    [InlineData(15)] [InlineData(16)] [InlineData(30)] [InlineData(60)] [InlineData(120)] [InlineData(480)]
    [InlineData(960)] [InlineData(1000)] [InlineData(2 * 3 * 5 * 4 * 5)]
    public void ComplexFftMatchesDirectDft(int n)
    {
        var rng = new Random(n);
        var xr = new double[n]; var xi = new double[n];
        var data = new float[2 * n];
        for (int j = 0; j < n; j++)
        {
            data[2 * j] = (float)(rng.NextDouble() * 2 - 1);
            data[2 * j + 1] = (float)(rng.NextDouble() * 2 - 1);
            xr[j] = data[2 * j]; xi[j] = data[2 * j + 1];
        }
        var fft = new ComplexFft(n);
        fft.Forward(data);
        var re = DirectDft(xr, xi, out var im);
        double snr = SnrDb(re, im, k => (data[2 * k], data[2 * k + 1]), n);
        Assert.True(snr > 120, $"n={n}: SNR {snr:F1} dB against the direct DFT");

        fft.Inverse(data);
        double maxErr = 0;
        for (int j = 0; j < n; j++)
            maxErr = Math.Max(maxErr, Math.Max(Math.Abs(data[2 * j] / n - xr[j]), Math.Abs(data[2 * j + 1] / n - xi[j])));
        Assert.True(maxErr < 1e-5, $"n={n}: round trip max error {maxErr:E2}");
    }

    [Theory]
    [InlineData(2)] [InlineData(8)] [InlineData(30)] [InlineData(240)] [InlineData(960)]
    public void RealFftMatchesDirectDftAndInverts(int n)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var rng = new Random(seed * 7919 + n);
            var x = new float[n];
            var xr = new double[n];
            for (int j = 0; j < n; j++) { x[j] = (float)(rng.NextDouble() * 2 - 1); xr[j] = x[j]; }
            var fft = new RealFft(n);
            var spec = new float[n + 2];
            fft.Forward(x, spec);
            var re = DirectDft(xr, new double[n], out var im);
            double snr = SnrDb(re, im, k => (spec[2 * k], spec[2 * k + 1]), n / 2 + 1);
            Assert.True(snr >= 100, $"n={n} seed={seed}: SNR {snr:F1} dB against the direct DFT (need >= 100 dB)");
            var back = new float[n];
            fft.Inverse(spec, back);
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(back[j] - x[j]) < 1e-5, $"n={n} seed={seed} index={j}: {back[j]} vs {x[j]}");
        }
    }

    [Fact]
    public void RealFft960OfACosineHasOneBin()
    {
        var fft = new RealFft(960);
        var x = new float[960];
        for (int j = 0; j < 960; j++) x[j] = (float)Math.Cos(2 * Math.PI * 37 * j / 960.0);
        var spec = new float[962];
        fft.Forward(x, spec);
        for (int k = 0; k <= 480; k++)
        {
            double mag = Math.Sqrt(spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1]);
            if (k == 37) Assert.Equal(480.0, mag, 3);
            else Assert.True(mag < 1e-3, $"bin {k}: {mag}");
        }
    }

    [Fact]
    public void RejectsSizesWithOtherPrimes()
    {
        Assert.Throws<ArgumentException>(() => new ComplexFft(7 * 16));
        Assert.Throws<ArgumentException>(() => new RealFft(963));
    }
}
