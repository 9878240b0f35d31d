using PercepNet.Dsp;

namespace PercepNet.Tests.Dsp;

public class CombFilterTests
{
    private const int Look = 960;

    /// <summary>Gain of the filter for a sine at <paramref name="hz"/>, measured by filtering it.</summary>
    private static double MeasuredGain(int period, double hz)
    {
        int start = CombFilter.HistoryNeeded, len = 9600;
        var x = new float[start + len + Look];
        for (int i = 0; i < x.Length; i++) x[i] = (float)Math.Sin(2 * Math.PI * hz * i / 48000.0);
        var y = new float[len];
        CombFilter.Apply(x, start, period, Look, y);
        double num = 0, den = 0;
        for (int i = 0; i < len; i++) { num += y[i] * y[i]; den += x[start + i] * x[start + i]; }
        return Math.Sqrt(num / den);
    }

    [Theory]
    [InlineData(120)]  // 400 Hz: symmetric 7 taps
    [InlineData(240)]  // 200 Hz
    [InlineData(400)]  // 120 Hz: 2 future taps
    [InlineData(640)]  // 75 Hz: 1 future tap
    public void ResponsePeaksAtMultiplesOfF0(int period)
    {
        double f0 = 48000.0 / period;
        for (int j = 1; j * f0 < 20000; j += Math.Max(1, (int)(2000 / f0)))
        {
            double atHarmonic = MeasuredGain(period, j * f0);
            double between = MeasuredGain(period, (j + 0.5) * f0);
            Assert.True(Math.Abs(atHarmonic - 1) < 1e-3, $"T={period}, harmonic {j}: gain {atHarmonic}");
            Assert.True(between < 0.5, $"T={period}, between harmonics {j} and {j + 1}: gain {between}");
            // The response is periodic in f0 with its maximum at the harmonics.
            for (double d = 0.1; d < 0.5; d += 0.1)
                Assert.True(MeasuredGain(period, (j + d) * f0) < atHarmonic, $"T={period}, j={j}, offset {d}");
        }
    }

    [Fact]
    public void SymmetricSevenTapFilterHasADeepNullBetweenHarmonics()
    {
        Assert.Equal(3, CombFilter.FutureTaps(240, Look));
        Assert.True(MeasuredGain(240, 300) < 1e-3);
    }

    [Theory]
    [InlineData(100, -7.27)]
    [InlineData(320, -7.27)]
    [InlineData(400, double.NaN)]
    [InlineData(700, double.NaN)]
    public void WhiteNoisePowerGainIsTheSumOfSquaredTaps(int period, double expectedDb)
    {
        float rho = CombFilter.PowerGain(period, Look);
        if (!double.IsNaN(expectedDb)) Assert.Equal(expectedDb, 10 * Math.Log10(rho), 2);
        var rng = new Random(period);
        int start = CombFilter.HistoryNeeded, len = 200_000;
        var x = new float[start + len + Look];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[len];
        float ret = CombFilter.Apply(x, start, period, Look, y);
        Assert.Equal(rho, ret);
        double py = 0, px = 0;
        for (int i = 0; i < len; i++) { py += y[i] * y[i]; px += x[start + i] * x[start + i]; }
        double measured = py / px;
        Assert.True(Math.Abs(measured / rho - 1) < 0.02, $"T={period}: measured {measured:F4}, sum a_k^2 {rho:F4}");
    }

    [Fact]
    public void FutureTapsStayInsideTheLookahead()
    {
        var a = new float[7];
        for (int t = FrameLayout.MinPeriod; t <= FrameLayout.MaxPeriod; t++)
        {
            int f = CombFilter.FutureTaps(t, Look);
            Assert.True(f * t <= Look && f >= 1 && f <= CombFilter.Taps, $"T={t}: {f} future taps");
            CombFilter.Coefficients(t, Look, a);
            float sum = 0; foreach (float v in a) sum += v;
            Assert.True(Math.Abs(sum - 1) < 1e-6, $"T={t}: taps sum to {sum}");
        }
    }
}
