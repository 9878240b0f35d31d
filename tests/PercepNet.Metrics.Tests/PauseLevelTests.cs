namespace PercepNet.Metrics.Tests;

public class PauseLevelTests
{
    private const int Rate = 16000;

    private static float[] Gaussian(int n, int seed, double rms)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2) * rms);
        }
        return x;
    }

    /// <summary>0.5 s "words" (Gaussian, RMS 0.1 = -20 dBFS) and 0.5 s of digital silence, four times.</summary>
    private static float[] Words()
    {
        var x = Gaussian(4 * Rate, 1, 0.1);
        for (int w = 0; w < 4; w++) Array.Clear(x, w * Rate + Rate / 2, Rate / 2);
        return x;
    }

    [Theory]
    [InlineData(-30.0)]
    [InlineData(-5.0)]
    [InlineData(-60.0)]
    public void NoiseOfKnownLevelUnderTheWords_ReadsAsThatLevelReSpeech(double noiseDb)
    {
        var clean = Words();
        var noise = Gaussian(clean.Length, 2, 0.1 * Math.Pow(10, noiseDb / 20));
        var noisy = clean.Zip(noise, (a, b) => a + b).ToArray();
        Assert.InRange(PauseLevel.Compute(clean, noisy, Rate), noiseDb - 0.3, noiseDb + 0.3);
        // The clean reference itself has nothing in its pauses.
        Assert.True(PauseLevel.Compute(clean, clean, Rate) < -200);
    }

    [Fact]
    public void WordTailsAndADelayedOutputDoNotCountAsResidualNoise()
    {
        var clean = Words();
        // The test signal is the clean one 20 ms late (a system's delay), with a 30 ms tail after every word.
        int delay = Rate * 20 / 1000, tail = Rate * 30 / 1000;
        var test = new float[clean.Length];
        for (int i = 0; i + delay < test.Length; i++) test[i + delay] = clean[i];
        for (int w = 0; w < 4; w++)
            for (int i = 0; i < tail; i++) test[w * Rate + Rate / 2 + delay + i] += 0.05f * (float)Math.Sin(i);
        Assert.True(PauseLevel.Compute(clean, test, Rate) < -200);
        // 70 ms late does reach the pauses.
        var late = new float[clean.Length];
        int far = Rate * 70 / 1000;
        for (int i = 0; i + far < late.Length; i++) late[i + far] = clean[i];
        Assert.True(PauseLevel.Compute(clean, late, Rate) > -60);
    }

    [Fact]
    public void NoPausesGivesNaN()
    {
        var clean = Gaussian(Rate, 3, 0.1);
        Assert.True(double.IsNaN(PauseLevel.Compute(clean, clean, Rate)));
        Assert.True(double.IsNaN(PauseLevel.Compute(clean, clean.AsSpan(0, 0), Rate)));
        Assert.True(double.IsNaN(PauseLevel.Compute(new float[Rate], new float[Rate], Rate)));
    }

    [Fact]
    public void ScoringReportsIt()
    {
        var clean = Words();
        var noise = Gaussian(clean.Length, 4, 0.1 * Math.Pow(10, -25.0 / 20));
        var noisy = clean.Zip(noise, (a, b) => a + b).ToArray();
        var s = Scoring.Score(clean, Rate, noisy, Rate, new ScoringOptions { Pesq = null });
        Assert.InRange(s.PauseDb, -25.3, -24.7);
    }
}
