using PercepNet.Metrics.Dsp;

namespace PercepNet.Metrics.Tests;

public class RealDftTests
{
    [Theory]
    [InlineData(512, 256, 1)]  // STOI: radix-2 FFT, frame zero-padded
    [InlineData(321, 321, 2)]  // DNSMOS P.808: direct DFT
    [InlineData(16, 16, 3)]
    public void Power_MatchesNaiveDft(int n, int frameLength, int seed)
    {
        var rng = new Random(seed);
        var frame = Enumerable.Range(0, frameLength).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var dft = new RealDft(n);
        var power = new double[dft.Bins];
        dft.Power(frame, power, new double[dft.ScratchLength]);
        double maxP = 0;
        var expected = new double[dft.Bins];
        for (int k = 0; k < dft.Bins; k++)
        {
            double re = 0, im = 0;
            for (int j = 0; j < frameLength; j++)
            {
                re += frame[j] * Math.Cos(2 * Math.PI * k * j / n);
                im -= frame[j] * Math.Sin(2 * Math.PI * k * j / n);
            }
            expected[k] = re * re + im * im;
            maxP = Math.Max(maxP, expected[k]);
        }
        for (int k = 0; k < dft.Bins; k++)
            Assert.True(Math.Abs(power[k] - expected[k]) <= 1e-9 * maxP, $"n={n} seed={seed} bin {k}: {power[k]} vs {expected[k]}");
    }
}
