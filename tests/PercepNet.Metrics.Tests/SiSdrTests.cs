namespace PercepNet.Metrics.Tests;

public class SiSdrTests
{
    private static float[] Noise(int n, int seed, double rms)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i += 2)
        {
            // Box-Muller: two Gaussian samples per pair of uniforms.
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1)) * rms;
            x[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < n) x[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return x;
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 10.0)]
    [InlineData(3, -5.0)]
    [InlineData(4, 20.0)]
    public void SignalPlusOrthogonalNoise_GivesTheSnr(int seed, double snrDb)
    {
        // Make the noise exactly orthogonal to the (zero-mean) signal and zero-mean, with power set
        // exactly, so SI-SDR = 10 log10(Ps / Pn) holds to rounding.
        const int n = 48000;
        var s = Noise(n, seed, 0.1);
        var d = Noise(n, seed + 100, 0.1);
        double ms = s.Average(v => (double)v), md = d.Average(v => (double)v);
        var sd = s.Select(v => v - ms).ToArray();
        var dd = d.Select(v => v - md).ToArray();
        double sdot = sd.Sum(v => v * v), proj = sd.Zip(dd, (a, b) => a * b).Sum() / sdot;
        for (int i = 0; i < n; i++) dd[i] -= proj * sd[i];
        double pn = dd.Sum(v => v * v), scale = Math.Sqrt(sdot / pn / Math.Pow(10, snrDb / 10));
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(s[i] + scale * dd[i]);
        double got = SiSdr.Compute(s, x);
        Assert.True(Math.Abs(got - snrDb) <= 1e-3, $"seed {seed}: SI-SDR {got} dB, expected {snrDb} dB");
    }

    [Fact]
    public void IndependentNoiseOfKnownPower_IsCloseToTheSnr()
    {
        // x = s + n with n independent, Ps/Pn = 10 dB: estimate within 0.1 dB for 10^5 samples.
        var s = Noise(100000, 7, 0.3);
        var n = Noise(100000, 8, 0.3 / Math.Sqrt(10));
        var x = s.Zip(n, (a, b) => a + b).ToArray();
        Assert.InRange(SiSdr.Compute(s, x), 9.9, 10.1);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(-2.0)]
    public void ScaleInvariant_AndMeanInvariant(double gain)
    {
        var s = Noise(16000, 1, 0.1);
        var x = s.Zip(Noise(16000, 2, 0.05), (a, b) => a + b).ToArray();
        double baseDb = SiSdr.Compute(s, x);
        var scaled = x.Select(v => (float)(gain * v + 0.25)).ToArray();  // gain and a DC offset
        var refScaled = s.Select(v => (float)(3 * v - 0.1)).ToArray();
        Assert.Equal(baseDb, SiSdr.Compute(s, scaled), 4);
        Assert.Equal(baseDb, SiSdr.Compute(refScaled, x), 4);
    }

    [Fact]
    public void EdgeCases_AreDefined()
    {
        var s = Noise(1000, 3, 0.1);
        Assert.Equal(double.PositiveInfinity, SiSdr.Compute(s, s));
        Assert.True(double.IsNaN(SiSdr.Compute(new float[1000], s)));   // silent reference
        Assert.True(double.IsNaN(SiSdr.Compute([], [])));
        Assert.Throws<ArgumentException>(() => SiSdr.Compute(s, new float[999]));
    }
}
